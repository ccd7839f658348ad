package dev.callosum.perf.measurement;

import java.util.List;
import org.apiguardian.api.API;

/**
 * Calls and latency second by second over a run: what shows a stall, a slow start or a drift that
 * percentiles over the whole run hide.
 *
 * @param points one point per sampled interval, in order
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record TimeSeries(List<Point> points) {

  public TimeSeries {
    points = List.copyOf(points);
  }

  /**
   * One interval.
   *
   * @param endSeconds seconds from the start of the measurement to the end of the interval
   * @param seconds the interval's length in seconds
   * @param calls successful calls completed in it
   * @param p99Nanos their 99th-percentile latency
   * @param maxNanos their largest latency
   */
  public record Point(double endSeconds, double seconds, long calls, long p99Nanos, long maxNanos) {
    /** Calls per second in this interval. */
    public double throughput() {
      return seconds > 0 ? calls / seconds : 0;
    }
  }
}
