package dev.callosum.perf.budgets;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ErrorBudget;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.ThroughputBudget;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.Quantities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * A benchmark's budgets, read from its annotations, and the check of a result against them.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class Budgets {
  private final List<LatencyBudget> latency;
  private final ThroughputBudget throughput;
  private final ErrorBudget errors;

  /**
   * Budgets from annotations.
   *
   * @throws IllegalArgumentException for a value that cannot be a budget, naming it
   */
  public Budgets(List<LatencyBudget> latency, ThroughputBudget throughput, ErrorBudget errors) {
    this.latency = List.copyOf(latency);
    this.throughput = throughput;
    this.errors = errors;
    for (LatencyBudget b : latency) {
      if (b.percentile() < 0 || b.percentile() > 100) {
        throw new IllegalArgumentException(
            "@LatencyBudget(percentile = "
                + b.percentile()
                + "): a percentile is between 0 and 100");
      }
      Quantities.duration(b.max());
    }
    if (throughput != null) {
      Quantities.rate(throughput.min());
    }
    if (errors != null && (errors.maxRatio() < 0 || errors.maxRatio() > 1)) {
      throw new IllegalArgumentException(
          "@ErrorBudget(maxRatio = " + errors.maxRatio() + "): a ratio is between 0 and 1");
    }
  }

  public boolean isEmpty() {
    return latency.isEmpty() && throughput == null && errors == null;
  }

  /**
   * What the result broke, one sentence each; empty when it kept every budget.
   *
   * @param scale multiplies latency budgets and divides throughput budgets (slower machines)
   */
  public List<String> violations(BenchmarkResult result, double scale) {
    return check(result, scale).stream().filter(v -> !v.kept()).map(Verdict::message).toList();
  }

  /**
   * Every budget checked against the result, kept or broken, in declaration order.
   *
   * @param scale multiplies latency budgets and divides throughput budgets (slower machines)
   */
  public List<Verdict> check(BenchmarkResult result, double scale) {
    List<Verdict> verdicts = new ArrayList<>();
    String conditions = conditions(result);
    for (LatencyBudget b : latency) {
      Duration max = Duration.ofNanos(Math.round(Quantities.duration(b.max()).toNanos() * scale));
      Duration actual = result.percentile(b.percentile());
      boolean kept = actual.compareTo(max) <= 0;
      String metric = Quantities.percentile(b.percentile()) + " latency";
      verdicts.add(
          new Verdict(
              metric,
              Quantities.format(max),
              Quantities.format(actual),
              kept,
              String.format(
                  Locale.ROOT,
                  "%s was %s, %s the budget of %s%s, %s%s",
                  metric,
                  Quantities.format(actual),
                  kept ? "within" : "over",
                  Quantities.format(max),
                  scaled(b.max(), scale),
                  conditions,
                  kept ? "" : machine(result, actual.minus(max)))));
    }
    if (throughput != null) {
      double min = Quantities.rate(throughput.min()) / scale;
      boolean kept = result.throughput() >= min;
      verdicts.add(
          new Verdict(
              "throughput",
              String.format(Locale.ROOT, "%.0f req/s", min),
              String.format(Locale.ROOT, "%.0f req/s", result.throughput()),
              kept,
              String.format(
                  Locale.ROOT,
                  "throughput was %.0f req/s (mean of %d iterations, ±%.0f),"
                      + " %s the budget of %.0f req/s%s, %s",
                  result.throughput(),
                  result.iterations().size(),
                  finite(result.throughputStatistics().ci95()),
                  kept ? "within" : "under",
                  min,
                  scaled(throughput.min(), scale),
                  conditions)));
    }
    if (errors != null) {
      boolean kept = result.errorRatio() <= errors.maxRatio();
      verdicts.add(
          new Verdict(
              "error ratio",
              String.format(Locale.ROOT, "%.3f%%", 100 * errors.maxRatio()),
              String.format(Locale.ROOT, "%.3f%%", 100 * result.errorRatio()),
              kept,
              String.format(
                  Locale.ROOT,
                  "%d of %d calls failed (%.3f%%, %s), %s the budget" + " of %.3f%%, %s",
                  result.errorCount(),
                  result.errorCount() + result.requests(),
                  100 * result.errorRatio(),
                  result.errors(),
                  kept ? "within" : "over",
                  100 * errors.maxRatio(),
                  conditions)));
    }
    return verdicts;
  }

  /**
   * One budget checked.
   *
   * @param metric what it bounds, such as {@code p99 latency}
   * @param budget the bound, scaled, as written for people
   * @param measured what the result had
   * @param kept whether the result kept it
   * @param message the whole sentence, with the conditions it was measured under
   */
  public record Verdict(
      String metric, String budget, String measured, boolean kept, String message) {}

  private static String conditions(BenchmarkResult r) {
    return String.format(
        Locale.ROOT,
        "in %s (%s, %s, %d B payload, %d samples, %s)",
        r.name(),
        r.closedLoop() ? "closed loop" : "open loop",
        LoadResult.clients(r.clients()),
        r.payloadBytes(),
        r.samples(),
        r.server());
  }

  /**
   * Whether the machine itself stalled by about as much as the budget was missed ({@code excess}):
   * then the breach may be the machine's rather than the server's.
   */
  private static String machine(BenchmarkResult result, Duration excess) {
    return result
        .hiccups()
        .map(
            h -> {
              Duration worst = h.worst();
              return worst.toNanos() * 2 >= excess.toNanos()
                  ? "; this machine itself stalled up to "
                      + Quantities.format(worst)
                      + " during the run, so the breach may be the machine's"
                  : "; this machine stalled at most "
                      + Quantities.format(worst)
                      + " during the run, too little to explain it";
            })
        .orElse("");
  }

  private static String scaled(String written, double scale) {
    return scale == 1.0 ? "" : " (" + written + " scaled by " + scale + ")";
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}
