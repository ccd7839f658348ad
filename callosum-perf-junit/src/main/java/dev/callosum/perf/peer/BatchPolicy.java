package dev.callosum.perf.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs ZeroMQ's I/O threads under Linux's {@code SCHED_BATCH} policy, so that waking one never
 * preempts the thread that woke it.
 *
 * <p>Why: jeromq wakes a thread by writing a byte to its mailbox's pipe and only then counting the
 * signal, and an I/O thread woken by the byte trusts the count: until the writer has counted, it
 * finds the mailbox empty, polls again at once, and goes on polling. When the wake-up preempts the
 * writer on the CPU both share, the writer cannot count until the I/O thread's time slice ends at a
 * scheduler tick: 4 to 6.5 ms seen in {@code perf sched} traces, on the request and on the reply
 * path. A {@code SCHED_BATCH} thread does not preempt on wake-up; it runs when the writer blocks,
 * microseconds later, and on an idle CPU at once. Measured (calibration, split CPUs, closed loop,
 * 64 B, 3 iterations), a 1 ms-delay server in this JVM: 1 client p99 2.7 → 1.7 ms, 10 clients p99
 * 6.7 → 2.4 ms and 4,662 → 7,227 calls/s; an open loop of 500/s went from 3.6 % late sends to 0.2
 * %.
 *
 * <p>But a batch thread also waits out a CPU-bound thread that runs where it is woken (the JIT
 * compiling a cold run, GC, a busy neighbour) until that thread's slice ends at a tick, on every
 * hop: the 200-call echo runs of a cold JVM measured 918 calls/s with it against about 10,000
 * without. So it is off unless {@value #PROPERTY}{@code =true} asks for it: for warm runs of
 * delayed servers on CPUs of their own, where it removes the tail above.
 *
 * <p>The policy needs no privilege; it is set with util-linux's {@code chrt}, once per I/O thread.
 * Where that fails (not Linux, no {@code chrt}) the threads run as before, and it is said once.
 */
final class BatchPolicy {
  private static final System.Logger LOG = System.getLogger(BatchPolicy.class.getName());
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  /** {@code SCHED_BATCH}'s number in {@code /proc/<tid>/stat}'s policy field. */
  static final int SCHED_BATCH = 3;

  /** The system property that asks for it: {@code true} or {@code false} (the default). */
  static final String PROPERTY = "callosum.perf.batchIoThreads";

  private BatchPolicy() {}

  /**
   * Whether {@value #PROPERTY} asks for batch I/O threads.
   *
   * @throws IllegalArgumentException for a value other than true or false
   */
  static boolean requested() {
    String value = System.getProperty(PROPERTY, "false").trim();
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new IllegalArgumentException(PROPERTY + " must be true or false, not '" + value + "'");
  }

  /** Sets the calling thread's policy to {@code SCHED_BATCH}; says once, if it cannot, why. */
  static void applyToCurrentThread() {
    String failure = apply(List.of("chrt", "--batch", "--pid", "0"));
    if (failure != null && WARNED.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "ZeroMQ's I/O threads keep the default scheduling policy ("
              + failure
              + "); on a CPU shared with the threads they serve, delayed replies may gain a tail"
              + " of up to a scheduler tick");
    }
  }

  /**
   * Runs {@code command} with the calling thread's id appended.
   *
   * @return null if it worked, else why not
   */
  static String apply(List<String> command) {
    String tid;
    try {
      tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    } catch (IOException | UnsupportedOperationException e) {
      return "this system has no /proc/thread-self: " + e.getMessage();
    }
    List<String> full = new ArrayList<>(command);
    full.add(tid);
    Process process;
    try {
      process = new ProcessBuilder(full).redirectErrorStream(true).start();
    } catch (IOException e) {
      return command.get(0) + " (util-linux) is not installed here: " + e.getMessage();
    }
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return String.join(" ", full) + " did not finish in 10 s";
      }
      return process.exitValue() == 0
          ? null
          : String.join(" ", full) + " exited with " + process.exitValue() + ": " + output.strip();
    } catch (IOException e) {
      return String.join(" ", full) + " failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while running " + String.join(" ", full);
    }
  }

  /** The scheduling policy of one of this JVM's threads, from {@code /proc/self/task/ID/stat}. */
  static int policyOf(String tid) throws IOException {
    String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
    // The name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Integer.parseInt(fields[41 - 3]); // field 41, counted from 1; fields[0] is field 3
  }
}
