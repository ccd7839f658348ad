package dev.callosum.perf.measurement;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * How much this JVM's JIT compiled while a benchmark measured. While it compiles, its threads take
 * CPU from the load generator (and from the server, when it runs in this JVM) on a machine with few
 * cores, and the code measured is not yet the code it settles on: on these 2-core machines the Java
 * peer's echo path kept compiling for 15,000–20,000 calls. A forked or external server's own JIT is
 * not seen from here. While measuring, the compiler threads usually run as {@code SCHED_IDLE}
 * ({@link IdleJit}): a compilation that waits for idle time then lasts longer than it works, and
 * the sum counts its wall time.
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class JitActivity {
  /** Compiling for at least this share of the measured time earns a note. */
  static final double NOTE_SHARE = 0.05;

  /** ... and for at least this long, so short runs are not flagged for a few compilations. */
  static final Duration NOTE_AT_LEAST = Duration.ofMillis(200);

  private JitActivity() {}

  /**
   * The JIT's total compiling time so far, in milliseconds (the sum over its compilations); -1
   * where the JVM does not say.
   */
  public static long millis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : -1;
  }

  /**
   * What to tell the reader of a result whose measured iterations took {@code measured} while the
   * JIT compiled for {@code compilingMillis}, or empty when that was too little to matter.
   *
   * @param warmups the warm-up iterations the run had
   * @param serverInThisJvm whether the server under test shares this JVM (and its JIT)
   */
  public static Optional<String> note(
      long compilingMillis, Duration measured, int warmups, boolean serverInThisJvm) {
    if (compilingMillis < 0 || measured.isZero() || measured.isNegative()) {
      return Optional.empty();
    }
    double share = compilingMillis / (double) measured.toMillis();
    if (share < NOTE_SHARE || compilingMillis < NOTE_AT_LEAST.toMillis()) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "this JVM's JIT compiled for %s (summed over its compiler threads) during the %s"
                + " measured (%.0f %% of it), after %d"
                + " warm-up iteration%s: %s, so the first iterations may be slower than the code"
                + " settles at. More warm-up (callosum.perf.warmups, or longer runs) lets the JIT"
                + " finish first.",
            Quantities.compact(Duration.ofMillis(compilingMillis).toNanos()),
            Quantities.compact(measured.toNanos()),
            100 * share,
            warmups,
            warmups == 1 ? "" : "s",
            serverInThisJvm
                ? "the server under test (in this JVM) and the load generator were still warming"
                    + " up"
                : "the load generator was still warming up (the server's own JIT, in its own"
                    + " process, is not seen here)"));
  }
}
