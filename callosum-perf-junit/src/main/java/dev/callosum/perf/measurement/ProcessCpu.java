package dev.callosum.perf.measurement;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import org.apiguardian.api.API;

/** This process's CPU time, all threads on all cores: where the JVM can tell it. */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class ProcessCpu {
  private ProcessCpu() {}

  /** CPU nanoseconds used by this process so far; -1 where the JVM cannot say. */
  public static long nanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}
