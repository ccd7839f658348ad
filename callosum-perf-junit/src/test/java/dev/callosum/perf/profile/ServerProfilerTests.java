package dev.callosum.perf.profile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.Placement;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.testing.TestKit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Profiling a server in its own process, through the engine: a user's command beside the profiled
 * iteration that follows the measured ones (a stand-in script that writes a file), one that fails,
 * and async-profiler attached to a forked JVM server by default.
 */
class ServerProfilerTests {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RpcBenchmark(placement = Placement.FORKED)
  static class Forked {
    @Test
    void echo(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(2000).run();
    }
  }

  @RpcBenchmark
  static class InThisJvm {
    @Test
    void echo(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(200).run();
    }
  }

  /** Writes {out}.txt naming the pid and seconds it was given, then waits for SIGINT. */
  private static Path standIn(Path dir) throws IOException {
    Path script = dir.resolve("stand-in-profiler.sh");
    Files.writeString(
        script,
        String.join(
            "\n",
            "#!/bin/sh",
            "pid=$1; out=$2; seconds=$3",
            "echo \"profiled pid $pid for up to $seconds s\" > \"$out.txt\"",
            "trap 'echo interrupted >> \"$out.txt\"; exit 0' INT",
            "i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done",
            "echo 'never interrupted' >> \"$out.txt\"",
            ""));
    return script;
  }

  private static EngineExecutionResults run(Class<?> type, Path output, String... settings) {
    return TestKit.runTwice(type, output, 1, settings);
  }

  private static JsonNode only(Path output) throws IOException {
    return JSON.readTree(TestKit.resultsJson(output)).path("benchmarks").get(0);
  }

  private static long serverPid(JsonNode benchmark) {
    Matcher m = Pattern.compile("pid (\\d+)").matcher(benchmark.path("server").asText());
    assertThat(m.find()).as("pid in '%s'", benchmark.path("server").asText()).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void aCommandCanTrapSigintWhenTheBuildRunsInTheBackground() throws Exception {
    // A background job of a non-interactive shell starts with SIGINT ignored, as a build started
    // with `mvn ... &` from a script does, and a shell cannot trap a signal ignored on entry.
    List<String> background = new ArrayList<>(List.of("bash", "-c", "\"$@\" & wait", "bash"));
    background.addAll(
        ServerProfiler.commandLine(
            "trap 'echo trapped; exit 0' INT; kill -INT $$; echo 'SIGINT ignored'"));
    Process process = new ProcessBuilder(background).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor()).isZero();
    assertThat(output).isEqualTo("trapped\n");
  }

  @Test
  void aCommandRunsBesideTheProfiledIterationOnlyWithThePidAndItsFilesAreKept() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    Path script = standIn(Files.createDirectories(output));
    run(
            Forked.class,
            output,
            "callosum.perf.server.profiler",
            "sh " + script + " {pid} {out} {seconds}")
        .testEvents()
        .assertStatistics(s -> s.succeeded(1).failed(0));
    JsonNode benchmark = only(output);
    JsonNode profile = benchmark.path("serverProfile");
    assertThat(profile.path("how").asText())
        .contains("stand-in-profiler.sh", "beside the profiled iteration(s)");
    assertThat(profile.path("problems")).isEmpty();
    // One for the profiled iteration: none beside the warm-up or the two measured iterations.
    assertThat(profile.path("files")).hasSize(1);
    assertThat(benchmark.path("iterations")).hasSize(2);
    assertThat(benchmark.path("profiledIteration").path("requests").asLong()).isEqualTo(2000);
    for (JsonNode file : profile.path("files")) {
      String text = Files.readString(output.resolve(file.asText()));
      assertThat(text)
          .startsWith("profiled pid " + serverPid(benchmark) + " for up to ")
          .contains("interrupted") // stopped at the iteration's end, not after its 60 s
          .doesNotContain("never");
    }
  }

  @Test
  void aFailingCommandIsReportedAndFailsTheBenchmarkOnlyWhenRequired() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    String failing = "sh -c 'echo cannot attach to {pid} >&2; exit 3'";
    run(Forked.class, output, "callosum.perf.server.profiler", failing)
        .testEvents()
        .assertStatistics(s -> s.succeeded(1).failed(0));
    List<String> problems = new java.util.ArrayList<>();
    only(output).path("serverProfile").path("problems").forEach(p -> problems.add(p.asText()));
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).contains("(iteration 1) exited with status 3"))
        .anySatisfy(
            p -> assertThat(p).contains("wrote nothing under", "its last output: cannot attach"));

    Path strict = TestKit.freshOutputDirectory();
    EngineExecutionResults results =
        run(
            Forked.class,
            strict,
            "callosum.perf.server.profiler",
            failing,
            "callosum.perf.server.profiler.required",
            "true");
    results.testEvents().assertStatistics(s -> s.failed(1));
    assertThat(TestKit.failures(results))
        .singleElement()
        .asString()
        .contains("exited with status 3", "callosum.perf.server.profiler.required is set");
  }

  @Test
  void aForkedJvmServerIsProfiledByAsyncProfilerAttachedToItWhenProfiling() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(Forked.class, output, "callosum.perf.profiling", "true")
        .testEvents()
        .assertStatistics(s -> s.succeeded(1).failed(0));
    JsonNode benchmark = only(output);
    assertThat(benchmark.path("serverProfile").path("how").asText())
        .startsWith("async-profiler attached to the server's JVM (pid " + serverPid(benchmark));
    assertThat(benchmark.path("serverProfile").path("problems")).isEmpty();
    JsonNode server = benchmark.path("profile").path("parts").get(0);
    assertThat(server.path("whose").asText()).isEqualTo("server under test");
    assertThat(server.path("threads").asText()).contains("async-profiler attached");
    assertThat(server.path("samples").asLong()).isPositive();
    assertThat(server.path("ownFrames").toString()).contains("dev.callosum.perf.peer.");
    assertThat(
            CpuProfileTests.frames(
                Files.readString(output.resolve(server.path("flameGraph").asText()))))
        .anyMatch(frame -> frame.contains("callosum-server-"));
    JsonNode generator = benchmark.path("profile").path("parts").get(1);
    assertThat(generator.path("threads").asText()).contains("profiled there");
  }

  @Test
  void aCommandForAServerInThisJvmIsNotRunAndTheBenchmarkSaysWhy() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(InThisJvm.class, output, "callosum.perf.server.profiler", "true {pid}")
        .testEvents()
        .assertStatistics(s -> s.succeeded(1).failed(0));
    JsonNode benchmark = only(output);
    assertThat(benchmark.has("serverProfile")).isFalse();
    assertThat(benchmark.path("notes").toString())
        .contains("Server profiler not run", "this server runs in this JVM");
  }
}
