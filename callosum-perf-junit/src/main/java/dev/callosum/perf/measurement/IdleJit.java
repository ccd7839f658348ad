package dev.callosum.perf.measurement;

import dev.callosum.perf.peer.UtilLinux;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apiguardian.api.API;

/**
 * Runs the JIT's compiler threads (HotSpot's {@code C1}/{@code C2 CompilerThread}s) of this JVM and
 * of a forked server's as Linux {@code SCHED_IDLE} while benchmarks measure: they compile in the
 * time the code measured leaves idle, and any other thread that wakes where one runs takes the CPU
 * at once.
 *
 * <p>Why: the ZeroMQ I/O threads run as {@code SCHED_BATCH} while measuring (see {@code
 * BatchPolicy}), and a batch thread woken where a CPU-bound thread runs waits for that thread's
 * slice to end at a scheduler tick. A forked server's JVM is young at every benchmark, and its
 * compiler thread, on the one CPU the server has, was seen in {@code perf sched} traces compiling
 * 10–450 ms in every second of its first 13 s, its I/O thread waiting 1–5 ms behind it for about
 * one call in a hundred. A thread woken where a {@code SCHED_IDLE} thread runs preempts it, batch
 * or not. Measured (calibration, a forked server, split CPUs, closed loop 64 B, 1 warm-up + 3
 * iterations), without → with: 5 ms × 1 client p99 9.4 → 5.9 ms, 1 ms × 1 client p99 4.0 → 1.6 ms,
 * 1 ms × 10 clients 4.1 → 1.9 ms.
 *
 * <p>The JIT still compiles while measuring, only later where the benchmark keeps the CPU busy: a
 * run that measures before the JIT has settled says so beside its result (see {@link JitActivity}),
 * and its compilations then last longer in wall time than they work. Only while measuring, after a
 * warm-up, like the batch I/O threads: a warm-up is when the JIT should work. The policy needs no
 * privilege to lower; it is set with util-linux's {@code chrt}. Where that fails, the compiler
 * threads run as before and the result says why. A server that is not a JVM of this run (Python,
 * external) keeps its threads' policy.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class IdleJit {
  /** {@code SCHED_IDLE}'s number in {@code /proc/<tid>/stat}'s policy field. */
  static final int SCHED_IDLE = 5;

  /** The command that sets a policy; another only in tests of what happens when it fails. */
  static volatile String chrt = "chrt";

  /** Scopes open now in this JVM; guarded by the class. */
  private static int scopes;

  /** Why the policy could not be set, first, since scopes last opened; null if it could. */
  private static volatile String failure;

  private IdleJit() {}

  /** An open scope: while any is open, this JVM's compiler threads run as idle. */
  public interface Scope extends AutoCloseable {
    /**
     * Gives the compiler threads back the default policy (this JVM's when the last scope closes).
     */
    @Override
    void close();
  }

  /**
   * Runs this JVM's compiler threads, and those of the JVM {@code server} (a forked server's
   * process, when given), as {@code SCHED_IDLE} until the scope closes.
   */
  public static Scope measuring(OptionalLong server) {
    String other = server.isPresent() ? Long.toString(server.getAsLong()) : null;
    synchronized (IdleJit.class) {
      if (scopes++ == 0) {
        failure = null;
        set("self", "--idle");
      }
      if (other != null) {
        set(other, "--idle");
      }
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        synchronized (IdleJit.class) {
          if (--scopes == 0) {
            set("self", "--other");
          }
          if (other != null) {
            set(other, "--other"); // a server that ended meanwhile has nothing to give back
          }
        }
      }
    };
  }

  /** A scope that changes nothing, for runs that do not ask for an idle JIT. */
  public static Scope none() {
    return () -> {};
  }

  /**
   * Why the compiler threads could not be made idle in the scopes opened last, if they could not: a
   * benchmark that measured in a scope says so beside its result.
   */
  public static Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /** The ids of process {@code pid}'s compiler threads ("self" for this JVM). */
  static List<String> compilerThreads(String pid) throws IOException {
    return UtilLinux.threads(pid, IdleJit::isCompilerThread);
  }

  /** HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1", ...; comm keeps 15 bytes. */
  static boolean isCompilerThread(String comm) {
    return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
  }

  private static void set(String pid, String policy) {
    List<String> tids;
    try {
      tids = compilerThreads(pid);
    } catch (IOException e) {
      if (!pid.equals("self") && policy.equals("--other")) {
        return; // the server ended
      }
      fail("its compiler threads could not be listed: " + e.getMessage());
      return;
    }
    if (tids.isEmpty() && policy.equals("--idle")) {
      fail("no JIT compiler thread was found in process " + pid + " (not a HotSpot JVM?)");
    }
    for (String tid : tids) {
      List<String> command = new ArrayList<>(List.of(chrt, policy, "--pid", "0", tid));
      try {
        UtilLinux.run(command);
      } catch (IOException e) {
        if (!isGone(pid, tid)) {
          fail(e.getMessage());
          return;
        }
      }
    }
  }

  private static boolean isGone(String pid, String tid) {
    try {
      UtilLinux.policyOf(pid, tid);
      return false;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  private static void fail(String why) {
    if (failure == null) {
      failure = why;
    }
  }
}
