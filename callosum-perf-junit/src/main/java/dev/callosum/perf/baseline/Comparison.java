package dev.callosum.perf.baseline;

import java.util.List;
import org.apiguardian.api.API;

/**
 * One benchmark compared with the same benchmark in a baseline run.
 *
 * @param verdict the worse of the metrics' verdicts
 * @param baseline the baseline file's name
 * @param changes throughput and p99 latency, each compared
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public record Comparison(Verdict verdict, String baseline, List<Change> changes) {

  public Comparison {
    changes = List.copyOf(changes);
  }

  /** What a comparison concluded, from best to worst. */
  public enum Verdict {
    /** Better beyond the warning threshold, and beyond noise. */
    IMPROVED,
    /** Within the warning threshold. */
    SAME,
    /** Worse beyond the warning threshold but within the failing one, or within noise. */
    WARN,
    /** Worse beyond the failing threshold, but the iterations' spread could explain it. */
    INCONCLUSIVE,
    /** Worse beyond the failing threshold and beyond the iterations' spread. */
    FAIL;

    /** Whether it fails the benchmark. */
    public boolean fails() {
      return this == FAIL;
    }

    /** Whether a person should look: a warning, an inconclusive change or a failure. */
    public boolean warns() {
      return this == WARN || this == INCONCLUSIVE || this == FAIL;
    }
  }

  /**
   * One metric compared.
   *
   * @param metric {@code throughput} (req/s, higher is better) or {@code p99 latency} (ns, lower is
   *     better)
   * @param baseline its mean over the baseline's iterations
   * @param current its mean over this run's iterations
   * @param change (current - baseline) / baseline
   * @param noise the relative change the two runs' spread alone could make (95 % confidence
   *     intervals combined), NaN when either run had one iteration
   * @param verdict what the change means
   * @param sentence the change for people, with the thresholds and the noise
   */
  public record Change(
      String metric,
      double baseline,
      double current,
      double change,
      double noise,
      Verdict verdict,
      String sentence) {}

  /** The sentences of the changes that want attention, joined. */
  public String summary() {
    return String.join(
        "; ", changes.stream().filter(c -> c.verdict().warns()).map(Change::sentence).toList());
  }
}
