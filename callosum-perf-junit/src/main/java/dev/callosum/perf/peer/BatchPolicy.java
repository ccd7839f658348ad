package dev.callosum.perf.peer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apiguardian.api.API;

/**
 * Runs this JVM's ZeroMQ I/O threads under Linux's {@code SCHED_BATCH} policy while benchmarks
 * measure, so that waking one never preempts the thread that woke it.
 *
 * <p>Why: jeromq wakes a thread by writing a byte to its mailbox's pipe and only then counting the
 * signal, and an I/O thread woken by the byte trusts the count: until the writer has counted, it
 * finds the mailbox empty, polls again at once, and goes on polling. When the wake-up preempts the
 * writer on the CPU both share, the writer cannot count until the I/O thread's time slice ends at a
 * scheduler tick: 4 to 6.5 ms seen in {@code perf sched} traces, on the request and on the reply
 * path. A {@code SCHED_BATCH} thread does not preempt on wake-up; it runs when the writer blocks,
 * microseconds later, and on an idle CPU at once. Measured (calibration, split CPUs, closed loop,
 * 64 B, 1 warm-up + 3 iterations), a 1 ms-delay server in this JVM, without → with: 1 client p99
 * 2.7 → 1.6 ms, 10 clients p99 6.7 → 2.0 ms and 4,662 → 7,302 calls/s; an open loop of 500/s went
 * from 3.6 % late sends to 0.1 %.
 *
 * <p>Only while measuring, and only after a warm-up: a batch thread also waits out a CPU-bound
 * thread that runs where it is woken (the JIT compiling a cold run, GC) until that thread's slice
 * ends at a tick, on every hop; the 200-call echo runs of a young JVM measured down to a tenth of
 * their calls per second with batch I/O threads from the start. So a {@link #measuring() scope}
 * turns the policy on for every I/O thread of this JVM alive or started within it, and back to the
 * default when the last scope closes.
 *
 * <p>The policy needs no privilege; it is set with util-linux's {@code chrt}, once per I/O thread
 * per scope. Where that fails (not Linux, no {@code chrt}) the threads run as before, and it is
 * said once. A forked server of this project says its I/O threads' ids on its ready line, and they
 * follow the scopes too; any other server in another process (Python's libzmq has no such race)
 * keeps its own threads' policy.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class BatchPolicy {
  private static final System.Logger LOG = System.getLogger(BatchPolicy.class.getName());
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  /** {@code SCHED_BATCH}'s number in {@code /proc/<tid>/stat}'s policy field. */
  static final int SCHED_BATCH = 3;

  /** The live I/O threads of this JVM's ZeroMQ contexts, by thread id; guarded by the class. */
  private static final Set<String> IO_THREADS = new LinkedHashSet<>();

  /** Scopes open now; guarded by the class. */
  private static int scopes;

  /** The command that sets a policy; another only in tests of what happens when it fails. */
  static volatile String chrt = "chrt";

  /** Why the policy could not be set, first, since scopes last opened; null if it could. */
  private static volatile String failure;

  private BatchPolicy() {}

  /** An open scope: while any is open, this JVM's ZeroMQ I/O threads run as batch. */
  public interface Scope extends AutoCloseable {
    /** Gives the I/O threads back their default policy, when this was the last scope open. */
    @Override
    void close();
  }

  /**
   * Runs this JVM's ZeroMQ I/O threads as {@code SCHED_BATCH} until the scope closes: those alive
   * now and those started before then.
   */
  public static Scope measuring() {
    return measuring(List.of());
  }

  /**
   * As {@link #measuring()}, and also the threads {@code others} of a server in another process
   * (the ids its ready line gave); their policy goes back when this scope closes, as far as that
   * process still runs.
   */
  public static Scope measuring(List<String> others) {
    synchronized (BatchPolicy.class) {
      if (scopes++ == 0) {
        failure = null;
        IO_THREADS.forEach(tid -> set(tid, "--batch"));
      }
      others.forEach(tid -> set(tid, "--batch"));
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        synchronized (BatchPolicy.class) {
          if (--scopes == 0) {
            IO_THREADS.forEach(tid -> set(tid, "--other"));
          }
        }
        // A server that died meanwhile has no threads to give their policy back to.
        others.forEach(tid -> apply(List.of(chrt, "--other", "--pid", "0"), tid));
      }
    };
  }

  /**
   * The thread ids of this JVM's live ZeroMQ I/O threads, waiting up to a second for a context's
   * first to start: what a server in its own process tells the harness on its ready line.
   */
  public static List<String> ioThreadIds() {
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (true) {
      synchronized (BatchPolicy.class) {
        if (!IO_THREADS.isEmpty() || System.nanoTime() > deadline) {
          return List.copyOf(IO_THREADS);
        }
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
  }

  /**
   * Why the I/O threads could not be made batch in the scopes opened last, if they could not: a
   * benchmark that measured in a scope says so beside its result.
   */
  public static java.util.Optional<String> failure() {
    return java.util.Optional.ofNullable(failure);
  }

  /** A scope that changes nothing, for runs that do not ask for batch I/O threads. */
  public static Scope none() {
    return () -> {};
  }

  /**
   * {@code task} as a ZeroMQ I/O thread runs it: known to the scopes while it runs, and batch from
   * the start when it starts inside one.
   */
  static Runnable ioThread(Runnable task) {
    return () -> {
      String tid = selfTid();
      if (tid != null) {
        synchronized (BatchPolicy.class) {
          IO_THREADS.add(tid);
          if (scopes > 0) {
            set(tid, "--batch");
          }
        }
      }
      try {
        task.run();
      } finally {
        if (tid != null) {
          synchronized (BatchPolicy.class) {
            IO_THREADS.remove(tid);
          }
        }
      }
    };
  }

  /** The policies of this JVM's live ZeroMQ I/O threads now, in the order they started. */
  static List<Integer> policies() {
    List<Integer> policies = new ArrayList<>();
    synchronized (BatchPolicy.class) {
      for (String tid : IO_THREADS) {
        try {
          policies.add(policyOf(tid));
        } catch (IOException e) {
          // ended meanwhile
        }
      }
    }
    return policies;
  }

  /** Sets one thread's policy; says once, if it cannot, why. */
  private static void set(String tid, String policy) {
    String why = apply(List.of(chrt, policy, "--pid", "0"), tid);
    if (why != null && failure == null) {
      failure = why;
    }
    if (why != null && WARNED.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "ZeroMQ's I/O threads keep the default scheduling policy ("
              + why
              + "); on a CPU shared with the threads they serve, delayed replies may gain a tail"
              + " of up to a scheduler tick");
    }
  }

  private static String selfTid() {
    try {
      return UtilLinux.threadId();
    } catch (IOException e) {
      if (WARNED.compareAndSet(false, true)) {
        LOG.log(
            System.Logger.Level.WARNING,
            "ZeroMQ's I/O threads keep the default scheduling policy (" + e.getMessage() + ")");
      }
      return null;
    }
  }

  /**
   * Runs {@code command} with a thread id appended.
   *
   * @return null if it worked, else why not
   */
  static String apply(List<String> command, String tid) {
    List<String> full = new ArrayList<>(command);
    full.add(tid);
    try {
      UtilLinux.run(full);
      return null;
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** The scheduling policy of one of this JVM's threads. */
  static int policyOf(String tid) throws IOException {
    return UtilLinux.policyOf("self", tid);
  }
}
