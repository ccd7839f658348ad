package dev.callosum.perf.measurement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.TailAnalysis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Outliers named on a known result: how often, how large, when. */
class TailAnalysisTests {

  /** 1000 calls at 100 µs, with 3 at 5 ms at 0.3 s and 1.3 s into the iteration. */
  private static BenchmarkResult spiky() {
    Histogram latency = new Histogram(3_600_000_000_000L, 3);
    latency.recordValueWithCount(100_000, 997);
    latency.recordValueWithCount(5_000_000, 3);
    TimeSeries series =
        new TimeSeries(
            List.of(
                new TimeSeries.Point(0.2, 0.2, 200, 100_000, 110_000),
                new TimeSeries.Point(0.4, 0.2, 199, 5_000_000, 5_000_000),
                new TimeSeries.Point(1.2, 0.8, 400, 100_000, 120_000),
                new TimeSeries.Point(1.4, 0.2, 201, 5_000_000, 5_000_000)));
    LoadResult iteration =
        new LoadResult(
            true,
            1,
            64,
            1000,
            Map.of(),
            Duration.ofMillis(1400),
            0,
            0,
            latency,
            new Histogram(3_600_000_000_000L, 3),
            Double.NaN,
            0,
            series,
            1000,
            Duration.ofMillis(1400));
    return new BenchmarkResult("Tail.m", "echo", List.of(iteration));
  }

  @Test
  void namesHowOftenHowLargeAndWhen() {
    TailAnalysis tail = TailAnalysis.of(spiky(), 10);
    assertThat(tail.median()).isEqualTo(Duration.ofNanos(100_031));
    assertThat(tail.outliers()).isEqualTo(3);
    assertThat(tail.outlierShare()).isEqualTo(0.003);
    assertThat(tail.beyond()).containsEntry(2, 3L).containsEntry(100, 0L);
    assertThat(tail.worst().toNanos()).isBetween(4_990_000L, 5_010_000L);
    assertThat(tail.spikes()).extracting(TailAnalysis.Spike::fromSeconds).containsExactly(0.2, 1.2);
    assertThat(tail.describe())
        .contains("outliers (slower than 1000.3 µs, 10× the median): 3 of 1000 calls (0.300 %)")
        .contains("how often: > 2× median: 3, > 5× median: 3, > 10× median: 3, > 100× median: 0")
        .contains("when: 2 interval(s) held outliers, about every 1.00 s:")
        .contains("iteration 1, 0.20–0.40 s: slowest 5000.0 µs among 199 calls");
  }

  @Test
  void aFactorOfOneOrLessIsRefused() {
    assertThatThrownBy(() -> TailAnalysis.of(spiky(), 1))
        .hasMessage(
            "an outlier is slower than" + " some multiple > 1 of the median; the factor was 1.0");
  }
}
