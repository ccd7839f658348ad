package dev.callosum.perf.measurement;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * Parses the quantities budgets are written in: durations ({@code 250us}, {@code 20ms}, {@code
 * 1.5s}) and rates ({@code 2000/s}, {@code 2k/s}, {@code 2000}).
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class Quantities {
  private static final Pattern DURATION =
      Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m)\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern RATE =
      Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(k)?\\s*(/\\s*s)?\\s*", Pattern.CASE_INSENSITIVE);

  private Quantities() {}

  /**
   * A duration such as {@code 20ms}.
   *
   * @throws IllegalArgumentException naming the accepted units
   */
  public static Duration duration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write it like 250us," + " 20ms, 1.5s or 2m");
    }
    double value = Double.parseDouble(m.group(1));
    double nanos =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "ns" -> value;
          case "us", "µs" -> value * 1e3;
          case "ms" -> value * 1e6;
          case "s" -> value * 1e9;
          default -> value * 60e9;
        };
    return Duration.ofNanos(Math.round(nanos));
  }

  /**
   * A rate per second such as {@code 2000/s}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static double rate(String text) {
    Matcher m = RATE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a rate; write it like 2000/s or" + " 2k/s");
    }
    return Double.parseDouble(m.group(1)) * (m.group(2) != null ? 1000 : 1);
  }

  /** {@code 1.250 ms}, {@code 830.0 µs}, {@code 1 ns}: precise, for messages about budgets. */
  public static String format(Duration d) {
    double nanos = d.toNanos();
    if (nanos >= 1e9) {
      return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }
    if (nanos >= 1e6) {
      return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }
    if (nanos >= 1e3) {
      return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f ns", nanos);
  }

  /** A percentile as reports name it: {@code p50}, {@code p99.9}. */
  public static String percentile(double p) {
    return "p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p));
  }

  /** {@code 1.3 ms}, {@code 830 µs}: a duration in nanoseconds, compact, for tables and charts. */
  public static String compact(double ns) {
    if (ns >= 1e9) {
      return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
    }
    if (ns >= 1e6) {
      return String.format(Locale.ROOT, "%.1f ms", ns / 1e6);
    }
    if (ns >= 1e3) {
      return String.format(Locale.ROOT, "%.0f µs", ns / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f ns", ns);
  }
}
