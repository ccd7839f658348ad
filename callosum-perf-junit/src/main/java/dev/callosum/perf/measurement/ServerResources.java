package dev.callosum.perf.measurement;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * What the server under test used over a benchmark's measured iterations, read by a {@link
 * ResourceProbe}: CPU time, resident memory at the end of each iteration and its peak, threads.
 * Figures it could not read are -1.
 *
 * @param source where the figures come from, such as {@code /proc/4242 (the server's process)}
 * @param cpuNanos CPU time over the measured iterations, -1 if unknown
 * @param rssBytes resident memory at the end of each measured iteration (-1 entries if unknown)
 * @param peakRssBytes the highest resident memory the process reached, -1 if unknown
 * @param threads threads at the end, -1 if unknown
 * @param inThisJvm whether the server runs in this JVM, its CPU part of this process's
 * @param intervals the server's CPU and memory each interval of the measured iterations' time
 *     series, where they could be read
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record ServerResources(
    String source,
    long cpuNanos,
    List<Long> rssBytes,
    long peakRssBytes,
    int threads,
    boolean inThisJvm,
    List<Interval> intervals) {

  /** Growth from the first iteration's end to the last's that flags a possible leak. */
  public static final double LEAK_GROWTH = 0.10;

  public ServerResources {
    rssBytes = List.copyOf(rssBytes);
    intervals = List.copyOf(intervals);
  }

  /**
   * The server over one interval of an iteration.
   *
   * @param iteration the measured iteration, from 1
   * @param endSeconds when the interval ended, in seconds into the iteration
   * @param cpuCores the server's CPU time over the interval per second of it (1.0: one core busy),
   *     NaN if unknown
   * @param rssBytes its resident memory at the interval's end, -1 if unknown (a server in this JVM)
   */
  public record Interval(int iteration, double endSeconds, double cpuCores, long rssBytes) {}

  /** CPU per successful request, in microseconds; NaN if unknown. */
  public double cpuMicrosPerRequest(long requests) {
    return cpuNanos < 0 || requests <= 0 ? Double.NaN : cpuNanos / 1e3 / requests;
  }

  /** The resident memory at the end of the last iteration, -1 if unknown. */
  public long lastRssBytes() {
    return rssBytes.isEmpty() ? -1 : rssBytes.get(rssBytes.size() - 1);
  }

  /**
   * Whether memory grew iteration after iteration, over three or more, by more than {@link
   * #LEAK_GROWTH} from the first to the last: a possible leak (the old suite's check), saying by
   * how much. Two iterations are not judged: a young JVM's heap grows between any two.
   */
  public Optional<String> possibleLeak() {
    if (rssBytes.size() < 3 || rssBytes.contains(-1L)) {
      return Optional.empty();
    }
    for (int i = 1; i < rssBytes.size(); i++) {
      if (rssBytes.get(i) <= rssBytes.get(i - 1)) {
        return Optional.empty();
      }
    }
    long first = rssBytes.get(0);
    long last = lastRssBytes();
    if (last <= first * (1 + LEAK_GROWTH)) {
      return Optional.empty();
    }
    StringBuilder steps = new StringBuilder();
    for (long r : rssBytes) {
      steps.append(steps.length() == 0 ? "" : " → ").append(mib(r));
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "the server's resident memory grew every iteration, %s MiB (+%.0f %%): a possible leak",
            steps,
            100.0 * (last - first) / first));
  }

  /** {@code 48.3}: bytes in MiB, one decimal. */
  public static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
  }
}
