package dev.callosum.perf;

import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.TimeSeries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apiguardian.api.API;

/**
 * The outliers of a result named: how often (counts beyond multiples of the median), how large (the
 * worst, and the tail's percentiles), and when (the time-series intervals whose slowest call
 * crossed the threshold, and how far apart they came).
 *
 * @param median the p50 latency
 * @param threshold what counts as an outlier: {@code factor} times the median
 * @param outliers calls slower than the threshold
 * @param calls all calls measured
 * @param beyond how many calls were slower than 2, 5, 10 and 100 times the median, by multiple
 * @param worst the slowest call
 * @param spikes the intervals that held outliers, in time order
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record TailAnalysis(
    Duration median,
    Duration threshold,
    long outliers,
    long calls,
    Map<Integer, Long> beyond,
    Duration worst,
    List<Spike> spikes) {

  public TailAnalysis {
    beyond = Collections.unmodifiableMap(new LinkedHashMap<>(beyond));
    spikes = List.copyOf(spikes);
  }

  private static final int[] MULTIPLES = {2, 5, 10, 100};

  /**
   * One interval of the time series that held an outlier.
   *
   * @param iteration which measured iteration, from 1
   * @param fromSeconds its start, in seconds into the iteration
   * @param toSeconds its end
   * @param calls the calls completed in it
   * @param max its slowest call
   */
  public record Spike(
      int iteration, double fromSeconds, double toSeconds, long calls, Duration max) {}

  /** The outliers of a result: calls slower than {@code factor} times its median. */
  public static TailAnalysis of(BenchmarkResult result, double factor) {
    if (!(factor > 1)) {
      throw new IllegalArgumentException(
          "an outlier is slower than some multiple > 1 of the"
              + " median; the factor was "
              + factor);
    }
    Histogram h = result.latencyHistogram();
    long median = h.getValueAtPercentile(50);
    long threshold = Math.round(median * factor);
    Map<Integer, Long> beyond = new LinkedHashMap<>();
    for (int m : MULTIPLES) {
      beyond.put(
          m,
          h.getTotalCount() == 0
              ? 0
              : h.getCountBetweenValues(h.nextNonEquivalentValue(median * m), h.getMaxValue()));
    }
    long outliers =
        h.getTotalCount() == 0
            ? 0
            : h.getCountBetweenValues(h.nextNonEquivalentValue(threshold), h.getMaxValue());
    List<Spike> spikes = new ArrayList<>();
    List<LoadResult> iterations = result.iterations();
    for (int i = 0; i < iterations.size(); i++) {
      for (TimeSeries.Point p : iterations.get(i).timeSeries().points()) {
        if (p.maxNanos() > threshold) {
          spikes.add(
              new Spike(
                  i + 1,
                  p.endSeconds() - p.seconds(),
                  p.endSeconds(),
                  p.calls(),
                  Duration.ofNanos(p.maxNanos())));
        }
      }
    }
    return new TailAnalysis(
        Duration.ofNanos(median),
        Duration.ofNanos(threshold),
        outliers,
        h.getTotalCount(),
        beyond,
        Duration.ofNanos(h.getMaxValue()),
        spikes);
  }

  /** The outliers' share of all calls. */
  public double outlierShare() {
    return calls == 0 ? 0 : outliers / (double) calls;
  }

  /** The findings in a few lines, for a person. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "median %s; outliers (slower than %s, %.0f× the"
                + " median): %d of %d calls (%.3f %%); the worst took %s (%.0f× the median).%n",
            micros(median),
            micros(threshold),
            threshold.toNanos() / (double) Math.max(1, median.toNanos()),
            outliers,
            calls,
            100 * outlierShare(),
            micros(worst),
            worst.toNanos() / (double) Math.max(1, median.toNanos())));
    List<String> counts = new ArrayList<>();
    beyond.forEach((m, n) -> counts.add("> " + m + "× median: " + n));
    s.append("how often: ").append(String.join(", ", counts)).append(System.lineSeparator());
    if (spikes.isEmpty()) {
      s.append("when: no interval of the time series held an outlier.")
          .append(System.lineSeparator());
      return s.toString();
    }
    s.append(
        String.format(
            Locale.ROOT, "when: %d interval(s) held outliers%s:%n", spikes.size(), gaps()));
    for (Spike spike : spikes.subList(0, Math.min(20, spikes.size()))) {
      s.append(
          String.format(
              Locale.ROOT,
              "  iteration %d, %.2f–%.2f s: slowest %s among %d" + " calls%n",
              spike.iteration(),
              spike.fromSeconds(),
              spike.toSeconds(),
              micros(spike.max()),
              spike.calls()));
    }
    if (spikes.size() > 20) {
      s.append("  … and ")
          .append(spikes.size() - 20)
          .append(" more")
          .append(System.lineSeparator());
    }
    return s.toString();
  }

  /** ", about every 1.20 s" when spikes within an iteration recur. */
  private String gaps() {
    double sum = 0;
    int n = 0;
    for (int i = 1; i < spikes.size(); i++) {
      if (spikes.get(i).iteration() == spikes.get(i - 1).iteration()) {
        sum += spikes.get(i).fromSeconds() - spikes.get(i - 1).fromSeconds();
        n++;
      }
    }
    return n == 0 ? "" : String.format(Locale.ROOT, ", about every %.2f s", sum / n);
  }

  private static String micros(Duration d) {
    return String.format(Locale.ROOT, "%.1f µs", d.toNanos() / 1e3);
  }
}
