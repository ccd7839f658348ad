package dev.callosum.perf.measurement;

import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;
import org.apiguardian.api.API;

/**
 * What a result's latencies read as, one way for one run and for a benchmark's merged iterations:
 * percentiles, mean and maximum from its HdrHistogram, in nanoseconds.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public abstract class LatencyDistribution {
  private final Histogram latency;

  /** Over a compact copy of this histogram. */
  protected LatencyDistribution(Histogram latency) {
    this.latency = compact(latency);
  }

  /**
   * A copy that holds only the counts it has. A histogram of 10 minutes at 3 digits is 250 KB
   * however few values it counts, a result holds a few, and a suite keeps every result for its
   * report, in the heap later benchmarks measure in: 140 MB live after two benchmark classes, and
   * growing (measured; 20 MB with packed copies, which read the same values).
   */
  static Histogram compact(Histogram histogram) {
    PackedHistogram packed = new PackedHistogram(histogram); // its settings, not its counts
    packed.add(histogram);
    return packed;
  }

  /** The latency at a percentile, such as 99.9. */
  public Duration percentile(double percentile) {
    return Duration.ofNanos(latency.getValueAtPercentile(percentile));
  }

  public Duration meanLatency() {
    return Duration.ofNanos(Math.round(latency.getMean()));
  }

  public Duration maxLatency() {
    return Duration.ofNanos(latency.getMaxValue());
  }

  /** How many latencies were recorded: the successful calls. */
  public long samples() {
    return latency.getTotalCount();
  }

  /** A copy of the latency histogram, in nanoseconds. */
  public Histogram latencyHistogram() {
    return latency.copy();
  }
}
