package dev.callosum.perf.junit;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.Quantities;
import java.time.Duration;
import java.util.Locale;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on benchmark results, that read like sentences and fail with the facts:
 *
 * <pre>{@code
 * import static dev.callosum.perf.junit.BenchmarkAssertions.assertThat;
 *
 * assertThat(result).percentile(99).isAtMost(Duration.ofMillis(5));
 * assertThat(result).hasThroughputAtLeast(2000).hasNoErrors();
 * }</pre>
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class BenchmarkAssertions {
  private BenchmarkAssertions() {}

  public static ResultAssert assertThat(BenchmarkResult actual) {
    return new ResultAssert(actual);
  }

  /** Assertions on a whole result. */
  public static final class ResultAssert extends AbstractAssert<ResultAssert, BenchmarkResult> {
    ResultAssert(BenchmarkResult actual) {
      super(actual, ResultAssert.class);
    }

    /** Assertions on the latency at a percentile, such as 99 or 99.9. */
    public PercentileAssert percentile(double percentile) {
      isNotNull();
      return new PercentileAssert(actual, percentile);
    }

    public ResultAssert hasThroughputAtLeast(double perSecond) {
      isNotNull();
      if (actual.throughput() < perSecond) {
        failWithMessage(
            "Expected %s to reach %.0f req/s but it made %.0f req/s (mean of %d" + " iterations)",
            actual.name(), perSecond, actual.throughput(), actual.iterations().size());
      }
      return this;
    }

    /**
     * Requires an open loop to have measured its target rate: the server completed what was offered
     * (not saturated) and the generator sent on schedule (not generator-limited).
     */
    public ResultAssert heldTheTargetRate() {
      isNotNull();
      if (actual.limit() != LoadResult.Limit.NONE) {
        failWithMessage(
            "Expected %s to hold its target rate of %s req/s, but it was %s: the server completed"
                + " %s req/s, the generator sent %s req/s with %.1f%% of sends late by over %s",
            actual.name(),
            String.format(Locale.ROOT, "%.0f", actual.targetRate()),
            actual.limit().label(),
            String.format(Locale.ROOT, "%.0f", actual.throughput()),
            String.format(Locale.ROOT, "%.0f", actual.sendRate()),
            100 * actual.lateShare(),
            Quantities.compact(LoadResult.LATE_TOLERANCE.toNanos()));
      }
      return this;
    }

    public ResultAssert hasNoErrors() {
      return hasErrorRatioAtMost(0);
    }

    public ResultAssert hasErrorRatioAtMost(double ratio) {
      isNotNull();
      if (actual.errorRatio() > ratio) {
        failWithMessage(
            "Expected at most %s of the calls of %s to fail, but %d of %d did: %s",
            String.format(Locale.ROOT, "%.3f%%", 100 * ratio),
            actual.name(),
            actual.errorCount(),
            actual.errorCount() + actual.requests(),
            actual.errors());
      }
      return this;
    }
  }

  /** Assertions on the latency at one percentile. */
  public static final class PercentileAssert
      extends AbstractAssert<PercentileAssert, BenchmarkResult> {
    private final double percentile;

    PercentileAssert(BenchmarkResult actual, double percentile) {
      super(actual, PercentileAssert.class);
      this.percentile = percentile;
    }

    public PercentileAssert isAtMost(Duration max) {
      Duration value = actual.percentile(percentile);
      if (value.compareTo(max) > 0) {
        failWithMessage(
            "Expected the p%s latency of %s to be at most %s but it was %s (%d"
                + " samples, %s, %s)",
            percentile == Math.rint(percentile)
                ? Long.toString((long) percentile)
                : Double.toString(percentile),
            actual.name(),
            Quantities.format(max),
            Quantities.format(value),
            actual.samples(),
            LoadResult.clients(actual.clients()),
            actual.closedLoop() ? "closed loop" : "open loop");
      }
      return this;
    }
  }
}
