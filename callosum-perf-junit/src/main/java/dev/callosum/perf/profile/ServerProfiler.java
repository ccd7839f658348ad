package dev.callosum.perf.profile;

import dev.callosum.perf.measurement.ServerProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import one.profiler.AsyncProfilerLoader;
import org.apiguardian.api.API;

/**
 * Profiles a server in another process beside its benchmark's profiled iterations (one after each
 * run's measured ones, which no profiler disturbs), where the in-process profile cannot reach: with
 * a command of the user's ({@code callosum.perf.server.profiler}, such as {@code py-spy record -p
 * {pid} -o {out}.svg -d {seconds}}), or, for this project's server in a forked JVM, with
 * async-profiler attached to it ({@value #ASYNC_PROFILER}, the default there).
 *
 * <p>A command runs through {@code /bin/sh -c} with {@code {pid}}, {@code {out}} (a path prefix in
 * the profiles directory; what it writes there is kept) and {@code {seconds}} (how long the
 * iteration should take) replaced; it gets SIGINT when the iteration ends (with SIGINT's default
 * disposition restored, see {@link #commandLine}), and 10 s to finish. One that fails, or writes
 * nothing, is reported and fails the benchmark only when {@code
 * callosum.perf.server.profiler.required} is set.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class ServerProfiler {
  /** The setting's value for async-profiler attached to a JVM server. */
  public static final String ASYNC_PROFILER = "async-profiler";

  private static final Duration GRACE = Duration.ofSeconds(10);

  private final String command;
  private final long pid;
  private final Path out;
  private final boolean required;
  private final List<Path> files = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final StringBuilder stacks = new StringBuilder();
  private String event = "cpu";
  private Process running;
  private Path runningOut;
  private int iteration;

  private ServerProfiler(String command, long pid, Path out, boolean required) {
    this.command = command;
    this.pid = pid;
    this.out = out;
    this.required = required;
  }

  /**
   * A profiler for the server with this pid.
   *
   * @param command the setting's command, or {@value #ASYNC_PROFILER}
   * @param out the path prefix its files get, such as {@code profiles/20261202-Echo.echo-server}
   */
  public static ServerProfiler of(String command, long pid, Path out, boolean required) {
    return new ServerProfiler(command, pid, out, required);
  }

  /** Starts profiling for one profiled iteration expected to take about {@code expected}. */
  public void beforeIteration(Duration expected) {
    iteration++;
    runningOut = out.resolveSibling(out.getFileName() + "-iteration-" + iteration);
    try {
      Files.createDirectories(out.toAbsolutePath().getParent());
      if (command.equals(ASYNC_PROFILER)) {
        startAsyncProfiler();
      } else {
        long seconds = Math.max(1, (expected.toMillis() + 999) / 1000);
        String line =
            command
                .replace("{pid}", Long.toString(pid))
                .replace("{out}", runningOut.toAbsolutePath().toString())
                .replace("{seconds}", Long.toString(seconds));
        running =
            new ProcessBuilder(commandLine(line))
                .redirectErrorStream(true)
                .redirectOutput(log().toFile())
                .start();
      }
    } catch (IOException | RuntimeException e) {
      problem("could not start: " + e.getMessage());
    }
  }

  /**
   * How a command line runs: through {@code /bin/sh -c}, with SIGINT's default disposition where
   * coreutils' {@code env} can give it. A build started in the background from a script ({@code mvn
   * verify -Pperf &}) has SIGINT ignored, its children inherit that, and a shell cannot trap a
   * signal ignored on entry: a profiler script waiting for SIGINT would run on until killed.
   */
  static List<String> commandLine(String line) {
    List<String> argv = new ArrayList<>();
    if (Env.RESTORES_SIGINT) {
      argv.addAll(List.of("env", "--default-signal=INT"));
    }
    argv.addAll(List.of("/bin/sh", "-c", line));
    return argv;
  }

  /** Whether {@code env} can restore SIGINT, probed once, when a command first runs. */
  private static final class Env {
    static final boolean RESTORES_SIGINT = envRestoresSigint();
  }

  private static boolean envRestoresSigint() {
    try {
      Process probe =
          new ProcessBuilder("env", "--default-signal=INT", "true")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Ends the iteration's profile and keeps what it wrote. */
  public void afterIteration() {
    if (command.equals(ASYNC_PROFILER)) {
      stopAsyncProfiler();
      return;
    }
    Process process = running;
    running = null;
    if (process == null) {
      return;
    }
    try {
      // The shell may have forked the command rather than become it: interrupt them all.
      List<String> kill = new ArrayList<>(List.of("kill", "-INT"));
      process.toHandle().descendants().forEach(d -> kill.add(Long.toString(d.pid())));
      kill.add(Long.toString(process.pid()));
      if (process.isAlive()) {
        new ProcessBuilder(kill).redirectErrorStream(true).start().waitFor();
      }
      if (!process.waitFor(GRACE.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        problem("did not end within " + GRACE.toSeconds() + " s of SIGINT; killed");
      } else if (process.exitValue() != 0 && process.exitValue() != 130) {
        problem("exited with status " + process.exitValue() + lastOutput());
      }
    } catch (IOException e) {
      problem("could not be stopped: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    List<Path> written = written();
    if (written.isEmpty()) {
      problem("wrote nothing under " + runningOut + "*" + lastOutput());
    }
    files.addAll(written);
  }

  /** What it kept over all iterations. */
  public ServerProfile result() {
    Path collapsed = null;
    if (!stacks.isEmpty()) {
      collapsed = out.resolveSibling(out.getFileName() + ".collapsed");
      try {
        Files.writeString(collapsed, stacks);
      } catch (IOException e) {
        problems.add("could not write " + collapsed + ": " + e.getMessage());
        collapsed = null;
      }
    }
    String how =
        command.equals(ASYNC_PROFILER)
            ? "async-profiler attached to the server's JVM (pid "
                + pid
                + "), event "
                + event
                + " every 1 ms of CPU, during the profiled iteration(s) after the measured ones"
            : "'"
                + command
                + "' beside the profiled iteration(s) after the measured ones (pid "
                + pid
                + ")";
    return new ServerProfile(how, files, collapsed, problems);
  }

  private void startAsyncProfiler() throws IOException {
    String error = asprof("start", "-e", event, "-i", "1ms", "--threads", Long.toString(pid));
    if (error != null && event.equals("cpu")) {
      event = "itimer"; // perf events refused
      error = asprof("start", "-e", event, "-i", "1ms", "--threads", Long.toString(pid));
    }
    if (error != null) {
      problem("async-profiler could not attach: " + error);
    }
  }

  private void stopAsyncProfiler() {
    Path file = runningOut.resolveSibling(runningOut.getFileName() + ".collapsed");
    try {
      String error = asprof("stop", "-o", "collapsed", "-f", file.toString(), Long.toString(pid));
      if (error != null || !Files.isRegularFile(file)) {
        problem("async-profiler did not stop: " + (error == null ? "no output" : error));
        return;
      }
      stacks.append(Files.readString(file));
      Files.delete(file);
    } catch (IOException e) {
      problem("async-profiler did not stop: " + e.getMessage());
    }
  }

  /** Runs asprof; returns its complaint, or null when it succeeded. */
  private static String asprof(String... args) throws IOException {
    AsyncProfilerLoader.ExecutionResult result = AsyncProfilerLoader.executeProfiler(args);
    String err = result.getStderr().strip();
    return err.contains("rror") || err.contains("[ERROR]") || err.contains("Could not")
        ? err.lines().reduce((a, b) -> b).orElse(err)
        : null;
  }

  private List<Path> written() {
    Path dir = runningOut.toAbsolutePath().getParent();
    String prefix = runningOut.getFileName().toString();
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.getFileName().toString().startsWith(prefix))
          .filter(p -> !p.equals(log().toAbsolutePath()))
          .filter(p -> p.toFile().length() > 0)
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private Path log() {
    return runningOut.resolveSibling(runningOut.getFileName() + ".log");
  }

  private String lastOutput() {
    try {
      List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
      return lines.isEmpty() ? "" : "; its last output: " + lines.get(lines.size() - 1).strip();
    } catch (IOException e) {
      return "";
    }
  }

  private void problem(String what) {
    String message =
        "the server profiler "
            + (command.equals(ASYNC_PROFILER) ? ASYNC_PROFILER : "'" + command + "'")
            + " (iteration "
            + iteration
            + ") "
            + what;
    if (required) {
      throw new IllegalStateException(
          message + " (callosum.perf.server.profiler.required is set, so the benchmark fails)");
    }
    problems.add(message);
  }
}
