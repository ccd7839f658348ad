package dev.callosum.perf.measurement;

import java.nio.file.Path;
import java.util.List;
import org.apiguardian.api.API;

/**
 * What a profiler of a server in its own process kept over a benchmark's measured iterations
 * ({@code callosum.perf.server.profiler}, or async-profiler attached to a forked JVM).
 *
 * @param how what ran, and against which process
 * @param files what it wrote, for reports to attach
 * @param collapsed the server's CPU stacks in collapsed form (async-profiler only), or null
 * @param problems what went wrong, in words; empty when nothing did
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public record ServerProfile(String how, List<Path> files, Path collapsed, List<String> problems) {
  public ServerProfile {
    files = List.copyOf(files);
    problems = List.copyOf(problems);
  }
}
