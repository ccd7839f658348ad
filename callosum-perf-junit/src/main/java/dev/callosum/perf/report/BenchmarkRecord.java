package dev.callosum.perf.report;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.baseline.Comparison;
import dev.callosum.perf.budgets.Budgets;
import dev.callosum.perf.peer.ServerStats;
import dev.callosum.perf.profile.ProfileSummary;
import java.util.List;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Everything reports say about one benchmark: who it is, what it measured, whether it kept its
 * budgets and its baseline, its profile and the server's state afterwards. One per {@link
 * BenchmarkResult}; a test that failed before measuring has a record without a result.
 *
 * @param id stable across runs: class, method, display name (and {@code #n} for a method's n-th
 *     result); baselines match on it
 * @param className the test class's simple name
 * @param method the test method's name
 * @param displayName the invocation's display name
 * @param testUniqueId the JUnit unique id of the test that measured it, by which reports find its
 *     entry in Allure's report ({@code junit.platform.uniqueid} label)
 * @param tags the test's tags, such as {@code perf}, {@code throughput}
 * @param result what it measured, or {@code null} if it failed before measuring
 * @param budgets every budget checked
 * @param outcome how the test ended
 * @param failure why it failed, or {@code null}
 * @param profile its JFR profile summary, or {@code null}
 * @param baseline its comparison with the baseline, or {@code null}
 * @param serverState the server's counters after the benchmark, or {@code null} where they cannot
 *     be read (another process)
 * @param notes what the benchmark noted about itself ({@link dev.callosum.perf.junit.Bench#note})
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public record BenchmarkRecord(
    String id,
    String className,
    String method,
    String displayName,
    String testUniqueId,
    List<String> tags,
    BenchmarkResult result,
    List<Budgets.Verdict> budgets,
    Outcome outcome,
    String failure,
    ProfileSummary profile,
    Comparison baseline,
    ServerStats serverState,
    List<Note> notes) {

  public BenchmarkRecord {
    tags = List.copyOf(tags);
    budgets = List.copyOf(budgets);
    notes = List.copyOf(notes);
  }

  /** How a benchmark ended. */
  public enum Outcome {
    /** Measured and kept every budget and its baseline. */
    PASSED,
    /** Measured, but broke a budget, its baseline, an assertion, or left requests behind. */
    FAILED,
    /** Could not measure: the server could not start or died, a setting was wrong. */
    BROKEN
  }

  public Optional<BenchmarkResult> measured() {
    return Optional.ofNullable(result);
  }

  /**
   * The family it belongs to, from its tags: throughput, latency, features, calibration, or other.
   */
  public String family() {
    return family(tags);
  }

  /** The family these tags name: throughput, latency, features, calibration, or other. */
  public static String family(java.util.Collection<String> tags) {
    for (String family : List.of("throughput", "latency", "features", "calibration")) {
      if (tags.contains(family)) {
        return family;
      }
    }
    return "other";
  }
}
