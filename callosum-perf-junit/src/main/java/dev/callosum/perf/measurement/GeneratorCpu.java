package dev.callosum.perf.measurement;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashSet;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * The CPU time of the load generator's own threads: the closed- and open-loop load threads, the
 * clients' event loops and the clients' ZeroMQ I/O threads. Not JUnit, the JIT, the GC, profilers,
 * the hiccup meter, nor a server in this JVM: what it costs to generate the load, which on a shared
 * machine is taken from the server it measures.
 *
 * <p>Those threads end with their run, before anyone reads its figures, and a thread's CPU time
 * cannot be read once it has ended; so each adds its total to a ledger as it ends ({@link
 * #threadEnding}), and {@link #nanos} is the ledger plus the live ones: a running total that only
 * grows, read before and after whatever is measured.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class GeneratorCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final Object LOCK = new Object();
  private static long ended; // CPU of generator threads that have ended, guarded by LOCK
  private static final Set<Long> ENDED_IDS = new HashSet<>(); // guarded by LOCK

  private GeneratorCpu() {}

  /** Whether a thread of this name is one of the load generator's. */
  public static boolean isGeneratorThread(String name) {
    return name.startsWith("callosum-load-")
        || name.startsWith("callosum-open-loop-")
        || name.startsWith("callosum-client-");
  }

  /**
   * Called by a thread as it ends (the last thing it does): a generator thread's CPU goes into the
   * ledger; any other thread is ignored.
   */
  public static void threadEnding() {
    Thread me = Thread.currentThread();
    if (!isGeneratorThread(me.getName()) || !THREADS.isCurrentThreadCpuTimeSupported()) {
      return;
    }
    long cpu = THREADS.getCurrentThreadCpuTime();
    synchronized (LOCK) {
      if (cpu > 0 && ENDED_IDS.add(me.getId())) {
        ended += cpu;
      }
    }
  }

  /** {@code task}, adding its thread's CPU to the ledger as it ends (for a generator thread). */
  public static Runnable counted(Runnable task) {
    return () -> {
      try {
        task.run();
      } finally {
        threadEnding();
      }
    };
  }

  /** The generator threads' CPU nanoseconds so far, ended ones included; -1 where unknown. */
  public static long nanos() {
    if (!THREADS.isThreadCpuTimeSupported()) {
      return -1;
    }
    synchronized (LOCK) {
      long total = ended;
      Set<Long> alive = new HashSet<>();
      for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
        if (info == null) {
          continue;
        }
        alive.add(info.getThreadId());
        if (isGeneratorThread(info.getThreadName()) && !ENDED_IDS.contains(info.getThreadId())) {
          long cpu = THREADS.getThreadCpuTime(info.getThreadId());
          if (cpu > 0) {
            total += cpu;
          }
        }
      }
      ENDED_IDS.retainAll(
          alive); // ids of threads gone for good need no keeping: ids are not reused
      return total;
    }
  }
}
