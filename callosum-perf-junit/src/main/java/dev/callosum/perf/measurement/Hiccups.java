package dev.callosum.perf.measurement;

import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.apiguardian.api.API;

/**
 * How far this machine itself stalled while a benchmark measured, as jHiccup measures it: a thread
 * that sleeps 1 ms at a time records how much later than asked it woke ({@link #stall}), and a
 * second thread, woken by the first each time, records how long that wake-up took ({@link
 * #wakeUp}), the hop every RPC makes between threads. Neither involves the server: when the machine
 * stalls by about as much as a latency budget was missed, the machine is the likelier cause.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class Hiccups {
  private final Histogram stall;
  private final Histogram wakeUp;

  /** Over compact copies of these histograms, in nanoseconds. */
  public Hiccups(Histogram stall, Histogram wakeUp) {
    this.stall = LatencyDistribution.compact(stall);
    this.wakeUp = LatencyDistribution.compact(wakeUp);
  }

  /** All of them as one: the histograms added. */
  public static Hiccups merge(List<Hiccups> all) {
    Histogram stall = HiccupMeter.newHistogram();
    Histogram wake = HiccupMeter.newHistogram();
    for (Hiccups h : all) {
      stall.add(h.stall);
      wake.add(h.wakeUp);
    }
    return new Hiccups(stall, wake);
  }

  /** How much later than asked a 1 ms sleep ended, at a percentile. */
  public Duration stall(double percentile) {
    return Duration.ofNanos(stall.getValueAtPercentile(percentile));
  }

  /** The longest stall: the most a 1 ms sleep overshot. */
  public Duration maxStall() {
    return Duration.ofNanos(stall.getMaxValue());
  }

  /** How long waking another thread took, at a percentile. */
  public Duration wakeUp(double percentile) {
    return Duration.ofNanos(wakeUp.getValueAtPercentile(percentile));
  }

  public Duration maxWakeUp() {
    return Duration.ofNanos(wakeUp.getMaxValue());
  }

  /** A copy of the stalls' histogram, in nanoseconds. */
  public Histogram stallHistogram() {
    return stall.copy();
  }

  /** A copy of the wake-ups' histogram, in nanoseconds. */
  public Histogram wakeUpHistogram() {
    return wakeUp.copy();
  }

  /** How many 1 ms sleeps it measured. */
  public long samples() {
    return stall.getTotalCount();
  }

  /** The worse of the two maxima: how long this machine kept a thread from running. */
  public Duration worst() {
    return maxStall().compareTo(maxWakeUp()) >= 0 ? maxStall() : maxWakeUp();
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "machine stalls p99 %s, p99.9 %s, max %s; thread wake-up p99 %s, max %s",
        Quantities.compact(stall(99).toNanos()),
        Quantities.compact(stall(99.9).toNanos()),
        Quantities.compact(maxStall().toNanos()),
        Quantities.compact(wakeUp(99).toNanos()),
        Quantities.compact(maxWakeUp().toNanos()));
  }
}
