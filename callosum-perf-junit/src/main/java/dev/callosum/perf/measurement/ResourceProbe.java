package dev.callosum.perf.measurement;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.apiguardian.api.API;

/**
 * Reads what a server under test uses: its process's CPU time (user and system, children included),
 * resident memory and its peak, and threads from {@code /proc/<pid>}; or, for a server in this JVM,
 * the CPU time of its own threads (its memory is this JVM's, shared with the load generator, so
 * unknown).
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public interface ResourceProbe {

  /** What it uses now; fields it cannot read are -1. */
  Sample sample();

  /** Where the figures come from, for reports: {@code /proc/4242} or its threads. */
  String source();

  /**
   * One reading.
   *
   * @param cpuNanos CPU time so far, -1 if unknown
   * @param rssBytes resident memory now, -1 if unknown
   * @param peakRssBytes the highest resident memory so far, -1 if unknown
   * @param threads threads now, -1 if unknown
   */
  record Sample(long cpuNanos, long rssBytes, long peakRssBytes, int threads) {
    static final Sample UNKNOWN = new Sample(-1, -1, -1, -1);
  }

  /** A process's figures from {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}. */
  static ResourceProbe process(long pid) {
    return new ResourceProbe() {
      @Override
      public Sample sample() {
        return ProcFs.read(Path.of("/proc", Long.toString(pid)));
      }

      @Override
      public String source() {
        return "/proc/" + pid + " (the server's process)";
      }
    };
  }

  /** The CPU time of this JVM's threads whose names {@code ofServer} accepts. */
  static ResourceProbe threads(Predicate<String> ofServer, String description) {
    ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    return new ResourceProbe() {
      @Override
      public Sample sample() {
        if (!bean.isThreadCpuTimeSupported()) {
          return Sample.UNKNOWN;
        }
        long cpu = 0;
        int threads = 0;
        for (ThreadInfo info : bean.getThreadInfo(bean.getAllThreadIds())) {
          if (info != null && ofServer.test(info.getThreadName())) {
            long t = bean.getThreadCpuTime(info.getThreadId());
            if (t > 0) {
              cpu += t;
            }
            threads++;
          }
        }
        return new Sample(cpu, -1, -1, threads);
      }

      @Override
      public String source() {
        return description;
      }
    };
  }

  /** Linux's /proc, read without a library. */
  final class ProcFs {
    /** Clock ticks per second of /proc's CPU times: 100 on Linux, whatever the kernel's HZ. */
    private static final long TICKS_PER_SECOND = 100;

    private ProcFs() {}

    static Sample read(Path dir) {
      try {
        String stat = Files.readString(dir.resolve("stat"));
        // after "pid (comm) ": comm may hold spaces and parentheses; the last ')' ends it
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // fields 14-17 of stat (utime stime cutime cstime) are 11-14 here (0-based from state)
        long ticks =
            Long.parseLong(f[11])
                + Long.parseLong(f[12])
                + Long.parseLong(f[13])
                + Long.parseLong(f[14]);
        long rss = -1;
        long peak = -1;
        int threads = -1;
        for (String line : Files.readAllLines(dir.resolve("status"))) {
          if (line.startsWith("VmRSS:")) {
            rss = kib(line);
          } else if (line.startsWith("VmHWM:")) {
            peak = kib(line);
          } else if (line.startsWith("Threads:")) {
            threads = Integer.parseInt(line.substring(8).trim());
          }
        }
        return new Sample(ticks * (1_000_000_000L / TICKS_PER_SECOND), rss, peak, threads);
      } catch (IOException | RuntimeException e) {
        return Sample.UNKNOWN; // gone, or not Linux
      }
    }

    private static long kib(String line) {
      return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }
  }
}
