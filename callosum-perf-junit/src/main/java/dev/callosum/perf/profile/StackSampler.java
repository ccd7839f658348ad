package dev.callosum.perf.profile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import one.convert.Arguments;
import one.convert.JfrToFlame;
import one.jfr.JfrReader;
import one.profiler.AsyncProfiler;
import one.profiler.AsyncProfilerLoader;

/**
 * async-profiler sampling this JVM's threads two ways in one session: on CPU, with their stacks
 * down into native code and the kernel (what JFR's execution sampler cannot see in an I/O-bound
 * benchmark, where threads sit in system calls), and by wall clock, running or not, so that where a
 * thread waits shows too. CPU is sampled with perf events ({@code cpu}), falling back to {@code
 * itimer} where the kernel refuses them, saying which it used; the wall clock every ten CPU
 * intervals (each tick samples up to 16 threads, so it costs a few per cent of one core at 10 ms).
 * One session per JVM: benchmarks run one at a time.
 */
final class StackSampler {
  /** Wall-clock samples are this many CPU intervals apart. */
  private static final int WALL_INTERVALS = 10;

  private final AsyncProfiler profiler;
  private final Path recording;
  private final String how;
  private final String wallHow;

  private StackSampler(AsyncProfiler profiler, Path recording, String how, String wallHow) {
    this.profiler = profiler;
    this.recording = recording;
    this.how = how;
    this.wallHow = wallHow;
  }

  /**
   * Starts sampling every {@code intervalNanos} of CPU time, and every ten times that of wall time.
   *
   * @throws IllegalStateException if async-profiler cannot run here, saying why
   */
  static StackSampler start(long intervalNanos) {
    AsyncProfiler profiler;
    Path recording;
    try {
      profiler = AsyncProfilerLoader.load();
      recording = Files.createTempFile("callosum-perf-stacks-", ".jfr");
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      throw new IllegalStateException("async-profiler does not load on this machine: " + e, e);
    }
    long wallNanos = intervalNanos * WALL_INTERVALS;
    List<String> refusals = new ArrayList<>();
    for (String event : List.of("cpu", "itimer")) {
      try {
        profiler.execute(
            "start,event="
                + event
                + ",interval="
                + intervalNanos
                + ",wall="
                + wallNanos
                + ",threads,jfr,file="
                + recording);
        return new StackSampler(
            profiler,
            recording,
            "async-profiler "
                + profiler.getVersion()
                + ", event "
                + event
                + (event.equals("cpu") ? " (perf events)" : " (setitimer; perf events refused)")
                + ", every "
                + duration(intervalNanos)
                + " of CPU",
            "async-profiler "
                + profiler.getVersion()
                + ", wall clock every "
                + duration(wallNanos)
                + " (up to 16 threads a tick), running or waiting");
      } catch (IOException | RuntimeException e) {
        refusals.add(event + ": " + e.getMessage());
      }
    }
    try {
      Files.deleteIfExists(recording);
    } catch (IOException e) {
      // a temporary file of nothing
    }
    throw new IllegalStateException("async-profiler cannot start: " + String.join("; ", refusals));
  }

  private static String duration(long nanos) {
    return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + " ms" : nanos / 1_000 + " µs";
  }

  /** How it sampled CPU, for the report. */
  String how() {
    return how;
  }

  /** How it sampled the wall clock, for the report. */
  String wallHow() {
    return wallHow;
  }

  /** Both kinds of samples of one session. */
  record Sampled(Stacks cpu, Stacks wall) {}

  /**
   * Stops and returns the stacks sampled, each with its thread as the root frame.
   *
   * @throws IllegalStateException if async-profiler does not stop or its recording cannot be read
   */
  Sampled stop() {
    try {
      profiler.execute("stop");
      return new Sampled(stacks(recording, "--cpu"), stacks(recording, "--wall"));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("async-profiler did not stop: " + e.getMessage(), e);
    } finally {
      deleteRecording();
    }
  }

  /** Stops and keeps nothing: no conversion of a recording nobody will read. */
  void discard() {
    try {
      profiler.execute("stop");
    } catch (IOException | RuntimeException e) {
      // nothing was kept either way
    } finally {
      deleteRecording();
    }
  }

  private void deleteRecording() {
    try {
      Files.deleteIfExists(recording);
    } catch (IOException e) {
      System.err.println("callosum-perf: cannot delete " + recording + ": " + e);
    }
  }

  private static Stacks stacks(Path recording, String kind) throws IOException {
    try (JfrReader reader = new JfrReader(recording.toString())) {
      JfrToFlame converter =
          new JfrToFlame(reader, new Arguments(kind, "--threads", "-o", "collapsed"));
      converter.convert();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      converter.dump(out);
      return Stacks.parse(out.toString(StandardCharsets.UTF_8));
    }
  }

  /** One distinct stack and how many samples hit it. */
  record Stack(String thread, List<String> frames, long samples) {}

  /** Sampled stacks in async-profiler's collapsed form ({@code [thread tid=n];a;b;c count}). */
  record Stacks(List<Stack> stacks) {
    static Stacks parse(String collapsed) {
      List<Stack> stacks = new ArrayList<>();
      for (String line : collapsed.split("\n")) {
        int space = line.lastIndexOf(' ');
        if (space <= 0) {
          continue;
        }
        long count;
        try {
          count = Long.parseLong(line.substring(space + 1).trim());
        } catch (NumberFormatException e) {
          continue;
        }
        List<String> frames = new ArrayList<>(List.of(line.substring(0, space).split(";")));
        String thread = "(unknown thread)";
        if (!frames.isEmpty() && frames.get(0).startsWith("[") && frames.get(0).endsWith("]")) {
          thread = frames.remove(0).replaceAll("^\\[|( tid=\\d+)?]$", "");
        }
        stacks.add(new Stack(thread, List.copyOf(frames), count));
      }
      return new Stacks(List.copyOf(stacks));
    }

    Stacks threads(Predicate<String> thread) {
      return new Stacks(stacks.stream().filter(s -> thread.test(s.thread())).toList());
    }

    long samples() {
      return stacks.stream().mapToLong(Stack::samples).sum();
    }

    /** Back in collapsed form, thread first, for the flame graph. */
    String collapsed() {
      StringBuilder s = new StringBuilder();
      for (Stack stack : stacks) {
        s.append('[').append(stack.thread()).append(']');
        for (String frame : stack.frames()) {
          s.append(';').append(frame);
        }
        s.append(' ').append(stack.samples()).append('\n');
      }
      return s.toString();
    }
  }
}
