package dev.callosum.perf.junit;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.baseline.Baseline;
import dev.callosum.perf.baseline.Comparison;
import dev.callosum.perf.budgets.Budgets;
import dev.callosum.perf.peer.ServerStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Every verdict on one benchmark's results, reached in one place: its budgets, its baseline, and
 * whether its server kept requests it should have finished. The extension only gathers the facts
 * and publishes what this finds.
 */
final class Verdicts {
  private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);

  /** One result and what was found about it. */
  record Judged(
      String id,
      BenchmarkResult result,
      List<Budgets.Verdict> budgets,
      Comparison baseline,
      ServerStats serverState) {}

  private final List<Judged> judged;
  private final List<String> problems;

  private Verdicts(List<Judged> judged, List<String> problems) {
    this.judged = List.copyOf(judged);
    this.problems = List.copyOf(problems);
  }

  /**
   * Judges each result of the benchmark {@code name}.
   *
   * @param scale multiplies latency budgets and divides throughput budgets
   * @param baseline the run's baseline, or null
   * @param serverOf the server each result was measured against
   */
  static Verdicts judge(
      String name,
      List<BenchmarkResult> results,
      Budgets budgets,
      double scale,
      Baseline baseline,
      Function<BenchmarkResult, ManagedServer> serverOf) {
    List<Judged> judged = new ArrayList<>();
    List<String> broken = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      BenchmarkResult result = results.get(i);
      String id = id(name, i, results.size());
      List<Budgets.Verdict> checked = budgets.check(result, scale);
      checked.stream().filter(v -> !v.kept()).forEach(v -> broken.add(v.message()));
      Comparison comparison = baseline == null ? null : baseline.compare(id, result).orElse(null);
      if (comparison != null && comparison.verdict().fails()) {
        problems.add(
            id
                + " regressed against the baseline "
                + comparison.baseline()
                + ": "
                + comparison.summary());
      }
      ServerStats state = drained(serverOf.apply(result));
      if (state != null && (state.pending() > 0 || state.keyQueues() > 0)) {
        problems.add(
            String.format(
                Locale.ROOT,
                "requests left on the server after %s: %d pending, %d order-key queues (the"
                    + " scheduler leaks)",
                id,
                state.pending(),
                state.keyQueues()));
      }
      judged.add(new Judged(id, result, checked, comparison, state));
    }
    if (!broken.isEmpty()) {
      problems.add(0, "budget broken: " + String.join("; ", broken));
    }
    return new Verdicts(judged, problems);
  }

  List<Judged> judged() {
    return judged;
  }

  /** Whether every result kept its budgets and baseline, and left its server clean. */
  boolean passed() {
    return problems.isEmpty();
  }

  /** What went wrong, in one message; null when nothing did. */
  String failure() {
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  /** A result's id: the benchmark's name, with {@code #n} when it measured more than once. */
  static String id(String name, int index, int count) {
    return count > 1 ? name + " #" + (index + 1) : name;
  }

  /**
   * The server's counters once its in-flight work has drained (a reply may reach the client a
   * moment before the server's bookkeeping ends); {@code null} where they cannot be read.
   */
  private static ServerStats drained(ManagedServer server) {
    if (server == null || server.stats().isEmpty()) {
      return null;
    }
    long giveUp = System.nanoTime() + DRAIN_WAIT.toNanos();
    ServerStats stats = server.stats().get();
    while ((stats.pending() > 0 || stats.keyQueues() > 0) && System.nanoTime() - giveUp < 0) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      stats = server.stats().orElse(stats);
    }
    return stats;
  }
}
