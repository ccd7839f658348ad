package dev.callosum.perf.measurement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.callosum.perf.peer.RpcException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadResultTests {

  /** A closed-loop run of {@code requests} calls of {@code micros} each, over {@code millis}. */
  private static LoadResult run(
      int clients, long requests, long micros, long millis, Map<RpcException.Kind, Long> errors) {
    Histogram latency = new Histogram(3_600_000_000_000L, 3);
    latency.recordValueWithCount(micros * 1000, requests);
    Histogram handshake = new Histogram(3_600_000_000_000L, 3);
    handshake.recordValue(2_000_000);
    return new LoadResult(
        true,
        clients,
        1024,
        requests,
        errors,
        Duration.ofMillis(millis),
        requests * 1024,
        requests * 1024,
        latency,
        handshake);
  }

  @Test
  void successiveRunsAddUpTheirCallsTimesBytesAndErrorsAndMergeTheirLatencies() {
    LoadResult fast = run(2, 3_000, 100, 300, Map.of());
    LoadResult slow = run(2, 1_000, 900, 700, Map.of(RpcException.Kind.TIMEOUT, 2L));

    LoadResult both = LoadResult.ofSuccessive(List.of(fast, slow));

    assertThat(both.requests()).isEqualTo(4_000);
    assertThat(both.elapsed()).isEqualTo(Duration.ofSeconds(1));
    // 4,000 calls in 1 s, not the mean of 10,000/s and 1,428/s.
    assertThat(both.throughput()).isCloseTo(4_000, within(1e-6));
    assertThat(both.mebibytesSentPerSecond()).isCloseTo(4_000 / 1024.0, within(1e-9));
    assertThat(both.errors()).containsExactly(Map.entry(RpcException.Kind.TIMEOUT, 2L));
    assertThat(both.samples()).isEqualTo(4_000);
    assertThat(both.percentile(50).toNanos()).isBetween(99_000L, 101_000L);
    assertThat(both.percentile(90).toNanos()).isBetween(899_000L, 901_000L);
    assertThat(both.handshakeHistogram().getTotalCount()).isEqualTo(2);
    assertThat(both.closedLoop()).isTrue();
    assertThat(both.clients()).isEqualTo(2);
  }

  @Test
  void aKeptResultHoldsItsLatenciesInAFewKilobytesAndReadsThemAsRecorded() {
    // The histogram a load records into: 10 minutes at 3 digits, ~250 KB whatever it counts.
    Histogram recorded = new Histogram(java.util.concurrent.TimeUnit.MINUTES.toNanos(10), 3);
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 200_000; i++) {
      recorded.recordValue(50_000 + (long) (Math.abs(random.nextGaussian()) * 30_000));
    }
    recorded.recordValue(4_000_000_000L); // one 4 s outlier
    Histogram handshake = new Histogram(java.util.concurrent.TimeUnit.MINUTES.toNanos(10), 3);
    handshake.recordValue(2_000_000);
    LoadResult result =
        new LoadResult(
            true, 10, 1024, 200_001, Map.of(), Duration.ofSeconds(3), 0, 0, recorded, handshake);
    Hiccups hiccups = new Hiccups(recorded, handshake);

    assertThat(recorded.getEstimatedFootprintInBytes()).isGreaterThan(200_000);
    for (Histogram kept :
        List.of(result.latencyHistogram(), result.handshakeHistogram(), hiccups.stallHistogram())) {
      assertThat(kept.getEstimatedFootprintInBytes()).isLessThan(32 * 1024);
    }
    assertThat(result.latencyHistogram()).isEqualTo(recorded);
    for (double p : new double[] {0, 50, 90, 99, 99.9, 99.99, 100}) {
      assertThat(result.percentile(p).toNanos()).isEqualTo(recorded.getValueAtPercentile(p));
      assertThat(hiccups.stall(p).toNanos()).isEqualTo(recorded.getValueAtPercentile(p));
    }
    assertThat(result.maxLatency().toNanos())
        .isEqualTo(recorded.getMaxValue())
        .isGreaterThan(4_000_000_000L);
    assertThat(result.meanLatency().toNanos()).isEqualTo(Math.round(recorded.getMean()));
    // A result's histogram is its own copy: what the caller records afterwards is not in it.
    recorded.recordValue(1);
    assertThat(result.samples()).isEqualTo(200_001);
  }

  @Test
  void onlyClosedLoopRunsOfOneLoadAddUp() {
    assertThatThrownBy(() -> LoadResult.ofSuccessive(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no runs to add up");
    assertThatThrownBy(
            () ->
                LoadResult.ofSuccessive(
                    List.of(run(1, 10, 100, 10, Map.of()), run(10, 10, 100, 10, Map.of()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("only closed-loop runs of one load add up");
  }
}
