package dev.callosum.perf.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.callosum.perf.Payload;
import dev.callosum.perf.load.EchoComparison.Variant;
import dev.callosum.perf.measurement.CpuSplit;
import dev.callosum.perf.measurement.LoadResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class EchoComparisonTests {

  /** A closed-loop result of this many requests in one second. */
  private static LoadResult perSecond(long requests) {
    Histogram latency = new Histogram(3_600_000_000_000L, 3);
    latency.recordValueWithCount(100_000, requests);
    return new LoadResult(
        true,
        1,
        1024,
        requests,
        Map.of(),
        Duration.ofSeconds(1),
        0,
        0,
        latency,
        new Histogram(3_600_000_000_000L, 3));
  }

  @Test
  void roundsAlternateTheirOrderAndKeepCallosumBesideItsRawFrames() {
    assertThat(EchoComparison.order(0))
        .containsExactly(Variant.RAW_ONE_FRAME, Variant.RAW_THREE_FRAMES, Variant.CALLOSUM);
    assertThat(EchoComparison.order(1))
        .containsExactly(Variant.CALLOSUM, Variant.RAW_THREE_FRAMES, Variant.RAW_ONE_FRAME);
    assertThat(EchoComparison.order(4)).isEqualTo(EchoComparison.order(0));
    assertThat(EchoComparison.order(3)).isEqualTo(EchoComparison.order(1));
  }

  @Test
  void theRatioIsTheMedianOfTheRoundsRatiosNotAQuotientOfMedianThroughputs() {
    // Three rounds in which the machine slowed down and recovered: raw 10,000 / 6,000 / 9,000,
    // Callosum beside each 9,800 / 5,700 / 9,100. The median runs by throughput are raw 9,000
    // and Callosum 9,100 (101 %), which pairs runs of different rounds; the rounds say 98, 95 and
    // 101 %.
    var row =
        new EchoComparison.Row(
            new EchoComparison.Case(Payload.parse("1KiB"), 1, 100),
            perSecond(10_500),
            perSecond(9_000),
            perSecond(9_100),
            List.of(0.98, 0.95, 9_100 / 9_000.0),
            List.of(0.93, 0.90, 0.97),
            40,
            38);

    assertThat(row.ratio()).isEqualTo(0.98);
    assertThat(row.oneFrameRatio()).isEqualTo(0.93);
    assertThat(row.minRatio()).isEqualTo(0.95);
    assertThat(row.maxRatio()).isCloseTo(1.011, within(0.001));
  }

  @Test
  void eachCaseWarmsUpInItsOwnShapeWithEnoughCallsForTheJitButNoMoreThanItsRound() {
    List<EchoComparison.Case> standard =
        EchoComparison.standardCases(EchoComparison.STANDARD_REQUESTS);

    List<EchoComparison.Case> warmUps = EchoComparison.warmUps(standard);

    assertThat(warmUps)
        .extracting(c -> c.payload().bytes(), EchoComparison.Case::clients)
        .containsExactlyElementsOf(
            standard.stream()
                .map(c -> org.assertj.core.groups.Tuple.tuple(c.payload().bytes(), c.clients()))
                .toList());
    // 1 KiB: 20,000 of a round's 50,000; 64 KiB: 12,500 of 12,500; 1 MiB: 5,000 of 5,000.
    assertThat(warmUps)
        .extracting(EchoComparison.Case::requests)
        .containsExactly(20_000, 20_000, 12_500, 5_000);
    assertThat(EchoComparison.warmUps(EchoComparison.standardCases(2_000)))
        .extracting(EchoComparison.Case::requests)
        .as("quick mode's cases warm up no longer than they run")
        .containsExactly(2_000, 2_000, 500, 200);
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(EchoComparison.medianOf(List.of(0.9, 1.1, 0.8, 1.0))).isCloseTo(0.95, within(1e-12));
    assertThat(EchoComparison.medianOf(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(EchoComparison.medianOf(List.of())).isNaN();
  }

  @Test
  void aRealComparisonKeepsEveryRoundsRatiosAndReportsTheirMedian() {
    // Three rounds of four slices of 75 calls per variant, each round a fresh pair of servers.
    var conditions = new EchoComparison.Conditions(CpuSplit.Mode.SHARED, false, false);
    List<EchoComparison.Row> rows =
        EchoComparison.run(
            List.of(new EchoComparison.Case(Payload.parse("1KiB"), 2, 300)),
            3,
            conditions,
            row -> {});

    assertThat(rows).hasSize(1);
    EchoComparison.Row row = rows.get(0);
    assertThat(row.ratios()).hasSize(3).allSatisfy(r -> assertThat(r).isPositive().isFinite());
    assertThat(row.oneFrameRatios()).hasSize(3).allSatisfy(r -> assertThat(r).isPositive());
    assertThat(row.ratio())
        .isEqualTo(row.ratios().stream().sorted().toList().get(1))
        .isBetween(row.minRatio(), row.maxRatio());
    assertThat(row.callosum().requests()).isEqualTo(300);
    assertThat(EchoComparison.line(row)).startsWith("1 KiB x 2 clients").contains("%");
    // The report's copy: the column heads on a line of their own, then the row.
    List<String> table = EchoComparison.table(3, conditions, rows).lines().toList();
    assertThat(table.get(table.size() - 2)).startsWith("case ").endsWith("(raw)");
    assertThat(table.get(table.size() - 1)).isEqualTo(EchoComparison.line(row));
  }
}
