package dev.callosum.perf.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.Statistics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * A previous run's JSON results ({@code callosum.perf.baseline}), against which each benchmark of
 * this run is compared: throughput down or p99 latency up beyond the warning share warns, beyond
 * the failing share fails, unless the iterations' spread could explain the change, in which case it
 * says it could not tell.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class Baseline {
  private final String file;
  private final boolean quick;
  private final Map<String, Entry> entries;
  private final double warnAt;
  private final double failAt;

  private record Entry(List<Double> throughput, List<Double> p99) {}

  private Baseline(
      String file, boolean quick, Map<String, Entry> entries, double warnAt, double failAt) {
    this.file = file;
    this.quick = quick;
    this.entries = entries;
    this.warnAt = warnAt;
    this.failAt = failAt;
  }

  /**
   * Reads a benchmark-results file.
   *
   * @param warnAt the relative change that warns, such as 0.10
   * @param failAt the relative change that fails, such as 0.25
   * @throws IllegalArgumentException if it is not one, saying what is wrong with it
   */
  public static Baseline load(Path path, double warnAt, double failAt) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(path.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "the baseline " + path + " is not readable JSON: " + e.getMessage(), e);
    }
    if (root == null || !"callosum-perf/benchmark-results".equals(root.path("schema").asText())) {
      throw new IllegalArgumentException(
          "the baseline "
              + path
              + " is not a callosum-perf"
              + " benchmark-results file (its \"schema\" field is not"
              + " \"callosum-perf/benchmark-results\")");
    }
    int version = root.path("schemaVersion").asInt(-1);
    if (version < 1 || version > 5) { // 2 to 5 only added fields; a baseline reads the same
      throw new IllegalArgumentException(
          "the baseline "
              + path
              + " has schemaVersion "
              + version
              + "; this version of callosum-perf reads schemaVersion 1 to 5");
    }
    Map<String, Entry> entries = new HashMap<>();
    for (JsonNode b : root.path("benchmarks")) {
      JsonNode iterations = b.path("iterations");
      if (b.path("id").isMissingNode() || !iterations.isArray() || iterations.isEmpty()) {
        continue; // a benchmark that measured nothing compares with nothing
      }
      List<Double> throughput = new ArrayList<>();
      List<Double> p99 = new ArrayList<>();
      for (JsonNode i : iterations) {
        throughput.add(i.path("throughput").asDouble());
        p99.add(i.path("latencyNanos").path("p99").asDouble());
      }
      entries.put(b.path("id").asText(), new Entry(throughput, p99));
    }
    return new Baseline(
        path.getFileName().toString(),
        root.path("run").path("settings").path("quick").asBoolean(false),
        entries,
        warnAt,
        failAt);
  }

  /** How many benchmarks it holds. */
  public int size() {
    return entries.size();
  }

  /** Whether the baseline ran in quick mode. */
  public boolean quick() {
    return quick;
  }

  /** This benchmark against its baseline; empty if the baseline does not have it. */
  public Optional<Comparison> compare(String id, BenchmarkResult result) {
    Entry before = entries.get(id);
    if (before == null) {
      return Optional.empty();
    }
    List<Double> throughput = result.iterations().stream().map(LoadResult::throughput).toList();
    List<Double> p99 =
        result.iterations().stream().map(i -> (double) i.percentile(99).toNanos()).toList();
    List<Comparison.Change> changes =
        List.of(
            change(
                "throughput", Statistics.of(before.throughput()), Statistics.of(throughput), true),
            change("p99 latency", Statistics.of(before.p99()), Statistics.of(p99), false));
    Comparison.Verdict worst = Comparison.Verdict.IMPROVED;
    for (Comparison.Change c : changes) {
      if (c.verdict().compareTo(worst) > 0) {
        worst = c.verdict();
      }
    }
    return Optional.of(new Comparison(worst, file, changes));
  }

  private Comparison.Change change(
      String metric, Statistics before, Statistics now, boolean higherIsBetter) {
    double change = (now.mean() - before.mean()) / before.mean();
    double worse = higherIsBetter ? -change : change;
    double noise =
        Double.isFinite(before.ci95()) && Double.isFinite(now.ci95())
            ? Math.hypot(before.ci95(), now.ci95()) / Math.abs(before.mean())
            : Double.NaN;
    boolean beyondNoise = Double.isFinite(noise) && Math.abs(change) > noise;
    Comparison.Verdict verdict;
    String why;
    if (!Double.isFinite(change)) {
      verdict = Comparison.Verdict.SAME;
      why = "no comparable value";
    } else if (worse > failAt) {
      verdict = beyondNoise ? Comparison.Verdict.FAIL : Comparison.Verdict.INCONCLUSIVE;
      why =
          beyondNoise
              ? String.format(
                  Locale.ROOT,
                  "beyond the %s failing threshold and the" + " runs' spread (%s)",
                  pct(failAt),
                  pct(noise))
              : Double.isNaN(noise)
                  ? "beyond the "
                      + pct(failAt)
                      + " failing threshold, but could"
                      + " not tell whether it is noise: a run with one iteration has no spread"
                  : String.format(
                      Locale.ROOT,
                      "beyond the %s failing threshold, but within the runs'"
                          + " spread (%s): could not tell it from noise",
                      pct(failAt),
                      pct(noise));
    } else if (worse > warnAt) {
      verdict = Comparison.Verdict.WARN;
      why =
          "beyond the "
              + pct(warnAt)
              + " warning threshold"
              + (Double.isNaN(noise)
                  ? ""
                  : beyondNoise
                      ? " and the runs' spread (" + pct(noise) + ")"
                      : ", within the runs' spread (" + pct(noise) + ")");
    } else if (-worse > warnAt && (beyondNoise || Double.isNaN(noise))) {
      verdict = Comparison.Verdict.IMPROVED;
      why = "better beyond the " + pct(warnAt) + " threshold";
    } else if (-worse > warnAt) {
      verdict = Comparison.Verdict.SAME;
      why =
          String.format(
              Locale.ROOT,
              "better beyond the %s threshold, but within the runs'"
                  + " spread (%s): could not tell it from noise",
              pct(warnAt),
              pct(noise));
    } else {
      verdict = Comparison.Verdict.SAME;
      why = "within the " + pct(warnAt) + " threshold";
    }
    String sentence =
        String.format(
            Locale.ROOT,
            "%s %s %s (%s → %s), %s",
            metric,
            change >= 0 ? "up" : "down",
            pct(Math.abs(change)),
            value(metric, before.mean()),
            value(metric, now.mean()),
            why);
    return new Comparison.Change(
        metric, before.mean(), now.mean(), change, noise, verdict, sentence);
  }

  private static String pct(double share) {
    return String.format(Locale.ROOT, "%.1f %%", 100 * share);
  }

  private static String value(String metric, double v) {
    return metric.equals("throughput")
        ? String.format(Locale.ROOT, "%.0f req/s", v)
        : String.format(Locale.ROOT, "%.1f µs", v / 1e3);
  }
}
