package dev.callosum.perf.measurement;

import java.time.Duration;
import org.HdrHistogram.Histogram;
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

  /** Over this histogram, which the subclass hands over and no longer changes. */
  protected LatencyDistribution(Histogram latency) {
    this.latency = latency;
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
