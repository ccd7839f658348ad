package dev.callosum.perf.peer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashSet;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * The CPU time of the threads that drive clients: the load generator's own. Threads join by running
 * through {@link #counted}: the load package's load threads, the clients' event loops and the
 * clients' ZeroMQ I/O threads do. Not JUnit, the JIT, the GC, profilers, the hiccup meter, nor a
 * server in this JVM: what it costs to generate the load, which on a shared machine is taken from
 * the server it measures.
 *
 * <p>Those threads end with their run, before anyone reads its figures, and a thread's CPU time
 * cannot be read once it has ended; so each adds its total to a ledger as it ends, and {@link
 * #nanos} is the ledger plus the live ones: a running total that only grows, read before and after
 * whatever is measured.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class ClientCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final Object LOCK = new Object();
  private static final Set<Long> LIVE = new HashSet<>(); // guarded by LOCK
  private static long ended; // guarded by LOCK

  private ClientCpu() {}

  /** {@code task}, its thread counted as the client side's while it runs and after it ends. */
  public static Runnable counted(Runnable task) {
    return () -> {
      long id = Thread.currentThread().getId();
      synchronized (LOCK) {
        LIVE.add(id);
      }
      try {
        task.run();
      } finally {
        long cpu =
            THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
        synchronized (LOCK) {
          LIVE.remove(id);
          ended += Math.max(0, cpu);
        }
      }
    };
  }

  /** The counted threads' CPU nanoseconds so far, ended ones included; -1 where unknown. */
  public static long nanos() {
    if (!THREADS.isThreadCpuTimeSupported()) {
      return -1;
    }
    synchronized (LOCK) {
      long total = ended;
      for (long id : LIVE) {
        total += Math.max(0, THREADS.getThreadCpuTime(id)); // -1 once a thread is gone
      }
      return total;
    }
  }
}
