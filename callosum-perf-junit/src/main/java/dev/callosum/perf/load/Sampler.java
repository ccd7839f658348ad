package dev.callosum.perf.load;

import dev.callosum.perf.measurement.TimeSeries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Reads the clients' recorders at intervals, as HdrHistogram intends: the recording threads never
 * stall (interval histograms are swapped, not locked), and recording allocates nothing. It builds
 * the total histogram and the time series from the intervals. Started by whichever thread starts
 * the measurement, then used by one thread (the start happens-before its use).
 */
final class Sampler {
  private final List<Recorder> recorders = new ArrayList<>();
  private final Histogram total = ClosedLoop.newHistogram();
  private final List<TimeSeries.Point> points = new ArrayList<>();
  private final Consumer<TimeSeries.Point> listener;
  private long start;
  private long last;

  Sampler(Consumer<TimeSeries.Point> listener) {
    this.listener = listener;
  }

  /** A time-series interval the loops accept: 10 ms or more. */
  static Duration checkInterval(Duration interval) {
    if (interval.toMillis() < 10) {
      throw new IllegalArgumentException(
          "sampling interval must be at least 10 ms, was " + interval.toMillis() + " ms");
    }
    return interval;
  }

  Recorder newRecorder() {
    Recorder recorder = new Recorder(ClosedLoop.HIGHEST_NANOS, 3);
    recorders.add(recorder);
    return recorder;
  }

  /** Starts the clock; the clients record only measured calls, so nothing is discarded. */
  void start(long now) {
    start = now;
    last = now;
  }

  /** Closes the interval ending now. */
  void sample(long now) {
    Histogram interval = ClosedLoop.newHistogram();
    for (Recorder r : recorders) {
      interval.add(r.getIntervalHistogram());
    }
    total.add(interval);
    TimeSeries.Point point =
        new TimeSeries.Point(
            (now - start) / 1e9,
            (now - last) / 1e9,
            interval.getTotalCount(),
            interval.getValueAtPercentile(99),
            interval.getMaxValue());
    points.add(point);
    last = now;
    listener.accept(point);
  }

  Histogram total() {
    return total;
  }

  TimeSeries series() {
    return new TimeSeries(points);
  }
}
