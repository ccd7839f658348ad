package dev.callosum.perf.measurement;

import java.util.Arrays;
import org.apiguardian.api.API;

/**
 * Every successful call of one iteration, in the order they were sent: when each was sent
 * (intended, for an open loop) and how long it took, in nanoseconds. Recorded only when asked for
 * ({@code callosum.perf.rawSamples=true}); the histograms hold the same latencies either way.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class RawSamples {
  private final long[] sentAt;
  private final long[] latency;

  /**
   * @param sentAt nanoseconds from the start of the measured iteration, ascending
   * @param latency each call's latency, same order and length
   */
  public RawSamples(long[] sentAt, long[] latency) {
    if (sentAt.length != latency.length) {
      throw new IllegalArgumentException(
          "send times and latencies differ in number: " + sentAt.length + " and " + latency.length);
    }
    this.sentAt = sentAt.clone();
    this.latency = latency.clone();
  }

  public int size() {
    return sentAt.length;
  }

  /** When the i-th call was sent, in nanoseconds from the iteration's start. */
  public long sentAt(int i) {
    return sentAt[i];
  }

  /** How long the i-th call took, in nanoseconds. */
  public long latency(int i) {
    return latency[i];
  }

  public long[] sentAtNanos() {
    return sentAt.clone();
  }

  public long[] latencyNanos() {
    return latency.clone();
  }

  @Override
  public String toString() {
    return size()
        + " samples"
        + (size() > 0
            ? ", first " + Arrays.toString(Arrays.copyOf(latency, Math.min(3, size()))) + " ns"
            : "");
  }
}
