package dev.callosum.perf.budgets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.junit.BenchmarkAssertions;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.Quantities;
import dev.callosum.perf.peer.RpcException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Quantities as budgets are written, and the assertions' failure messages, on known results. */
class BudgetsAndAssertionsTests {

  /** A closed-loop result of 1000 calls: 990 at 1 ms, 10 at 50 ms; 1000 calls/s; 5 failures. */
  static BenchmarkResult known() {
    Histogram latency = new Histogram(3_600_000_000_000L, 3);
    latency.recordValueWithCount(1_000_000, 990);
    latency.recordValueWithCount(50_000_000, 10);
    LoadResult iteration =
        new LoadResult(
            true,
            4,
            1024,
            1000,
            Map.of(RpcException.Kind.FAILURE, 5L),
            Duration.ofSeconds(1),
            1000 * 1024L,
            1000 * 1024L,
            latency,
            new Histogram(3_600_000_000_000L, 3));
    return new BenchmarkResult("Known.echo", "echo · ExitOrdered", List.of(iteration));
  }

  @ParameterizedTest
  @CsvSource({
    "250us, 250000",
    "20ms, 20000000",
    "1.5s, 1500000000",
    "2m, 120000000000",
    "7ns, 7",
    "3 ms, 3000000"
  })
  void durationsAreWrittenWithTheirUnit(String text, long nanos) {
    assertThat(Quantities.duration(text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @CsvSource({"2000/s, 2000", "2000, 2000", "2k/s, 2000", "1.5k, 1500"})
  void ratesArePerSecond(String text, double perSecond) {
    assertThat(Quantities.rate(text)).isEqualTo(perSecond);
  }

  @ParameterizedTest
  @ValueSource(strings = {"20", "fast", "-1ms", "1h"})
  void aDurationWithoutAKnownUnitIsRefused(String text) {
    assertThatThrownBy(() -> Quantities.duration(text))
        .hasMessageContaining("is not a duration; write it like 250us, 20ms, 1.5s or 2m");
  }

  @Test
  void aRateThatIsNoNumberIsRefused() {
    assertThatThrownBy(() -> Quantities.rate("lots/s"))
        .hasMessageContaining("is not a rate; write it like 2000/s or 2k/s");
  }

  @Test
  void percentileAssertionsFailWithTheFacts() {
    BenchmarkResult result = known();

    BenchmarkAssertions.assertThat(result).percentile(50).isAtMost(Duration.ofMillis(2));
    assertThatThrownBy(
            () ->
                BenchmarkAssertions.assertThat(result)
                    .percentile(99.9)
                    .isAtMost(Duration.ofMillis(10)))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "Expected the p99.9 latency of Known.echo to be at most 10.000 ms but it was"
                + " 50.004 ms (1000 samples, 4 clients, closed loop)");
  }

  @Test
  void throughputAndErrorAssertionsFailWithTheFacts() {
    BenchmarkResult result = known();

    BenchmarkAssertions.assertThat(result).hasThroughputAtLeast(900).hasErrorRatioAtMost(0.01);
    assertThatThrownBy(() -> BenchmarkAssertions.assertThat(result).hasThroughputAtLeast(2000))
        .hasMessage(
            "Expected Known.echo to reach 2000 req/s but it made 1000 req/s (mean of 1"
                + " iterations)");
    assertThatThrownBy(() -> BenchmarkAssertions.assertThat(result).hasNoErrors())
        .hasMessage(
            "Expected at most 0.000% of the calls of Known.echo to fail, but 5 of 1005"
                + " did: {FAILURE=5}");
  }

  @Test
  void budgetViolationsNameMetricValueBudgetAndConditions() {
    Budgets budgets =
        new Budgets(List.of(annotation(99.9, "5ms"), annotation(99, "5ms")), null, null);

    assertThat(budgets.violations(known(), 1.0))
        .containsExactly(
            "p99.9 latency was 50.004 ms,"
                + " over the budget of 5.000 ms, in Known.echo (closed loop, 4 clients, 1024 B payload,"
                + " 1000 samples, echo · ExitOrdered)");
    assertThat(budgets.violations(known(), 20)).isEmpty();
  }

  private static LatencyBudget annotation(double percentile, String max) {
    return new LatencyBudget() {
      @Override
      public double percentile() {
        return percentile;
      }

      @Override
      public String max() {
        return max;
      }

      @Override
      public Class<? extends java.lang.annotation.Annotation> annotationType() {
        return LatencyBudget.class;
      }
    };
  }

  /** An open loop offered 400/s for 3 s whose 1,200 calls took {@code elapsed} to complete. */
  private static BenchmarkResult openLoop(Duration elapsed, long lateSends) {
    Histogram latency = new Histogram(3_600_000_000_000L, 3);
    latency.recordValueWithCount(2_000_000, 1200);
    LoadResult iteration =
        new LoadResult(
            false,
            1,
            64,
            1200,
            Map.of(),
            elapsed,
            1200 * 64L,
            1200 * 64L,
            latency,
            new Histogram(3_600_000_000_000L, 3),
            400,
            lateSends,
            new dev.callosum.perf.measurement.TimeSeries(List.of()),
            1200,
            Duration.ofSeconds(3));
    return new BenchmarkResult("Open.echo", "echo · ExitOrdered", List.of(iteration));
  }

  @Test
  void anOpenLoopIsSaturatedWhenItsServerCompletedLessThanItWasSent() {
    BenchmarkResult held = openLoop(Duration.ofMillis(3010), 0);
    BenchmarkResult saturated = openLoop(Duration.ofMillis(6300), 0);
    BenchmarkResult late = openLoop(Duration.ofMillis(3010), 60);

    assertThat(held.limit()).isEqualTo(LoadResult.Limit.NONE);
    BenchmarkAssertions.assertThat(held).heldTheTargetRate();
    assertThat(saturated.throughput()).isCloseTo(190.5, org.assertj.core.data.Offset.offset(1.0));
    assertThat(saturated.sendRate()).isEqualTo(400);
    assertThat(saturated.limit()).isEqualTo(LoadResult.Limit.SATURATED);
    assertThatThrownBy(() -> BenchmarkAssertions.assertThat(saturated).heldTheTargetRate())
        .hasMessage(
            "Expected Open.echo to hold its target rate of 400 req/s, but it was saturated: the"
                + " server completed 190 req/s, the generator sent 400 req/s with 0.0% of sends"
                + " late by over 1.0 ms");
    assertThat(late.lateShare()).isEqualTo(0.05);
    assertThat(late.limit()).isEqualTo(LoadResult.Limit.GENERATOR_LIMITED);
    assertThatThrownBy(() -> BenchmarkAssertions.assertThat(late).heldTheTargetRate())
        .hasMessageContaining("it was generator-limited")
        .hasMessageContaining("with 5.0% of sends late by over 1.0 ms");
  }
}
