package dev.callosum.perf.profile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import one.profiler.AsyncProfiler;
import one.profiler.AsyncProfilerLoader;
import one.profiler.Counter;

/**
 * async-profiler sampling this JVM's threads on CPU, with their stacks down into native code and
 * the kernel: what JFR's execution sampler cannot see in an I/O-bound benchmark, where threads sit
 * in system calls. It samples with perf events ({@code cpu}) and falls back to {@code itimer} where
 * the kernel refuses them, saying which it used. One session per JVM: benchmarks run one at a time.
 */
final class CpuSampler {
  private final AsyncProfiler profiler;
  private final String how;

  private CpuSampler(AsyncProfiler profiler, String how) {
    this.profiler = profiler;
    this.how = how;
  }

  /**
   * Starts sampling every {@code intervalNanos} of CPU time.
   *
   * @throws IllegalStateException if async-profiler cannot run here, saying why
   */
  static CpuSampler start(long intervalNanos) {
    AsyncProfiler profiler;
    try {
      profiler = AsyncProfilerLoader.load();
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      throw new IllegalStateException("async-profiler does not load on this machine: " + e, e);
    }
    List<String> refusals = new ArrayList<>();
    for (String event : List.of("cpu", "itimer")) {
      try {
        profiler.execute("start,event=" + event + ",interval=" + intervalNanos + ",threads");
        return new CpuSampler(
            profiler,
            "async-profiler "
                + profiler.getVersion()
                + ", event "
                + event
                + (event.equals("cpu") ? " (perf events)" : " (setitimer; perf events refused)")
                + ", every "
                + (intervalNanos / 1_000_000.0 == Math.rint(intervalNanos / 1_000_000.0)
                    ? intervalNanos / 1_000_000 + " ms"
                    : intervalNanos / 1_000 + " µs")
                + " of CPU");
      } catch (IOException | RuntimeException e) {
        refusals.add(event + ": " + e.getMessage());
      }
    }
    throw new IllegalStateException("async-profiler cannot start: " + String.join("; ", refusals));
  }

  /** How it sampled, for the report. */
  String how() {
    return how;
  }

  /** Stops and returns the stacks sampled, each with its thread as the root frame. */
  Stacks stop() {
    try {
      profiler.execute("stop");
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("async-profiler did not stop: " + e.getMessage(), e);
    }
    return Stacks.parse(profiler.dumpCollapsed(Counter.SAMPLES));
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
