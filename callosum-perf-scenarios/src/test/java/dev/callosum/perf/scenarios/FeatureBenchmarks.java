package dev.callosum.perf.scenarios;

import static dev.callosum.perf.Payload.Content.COMPRESSIBLE;
import static dev.callosum.perf.Payload.Content.RANDOM;
import static dev.callosum.perf.junit.BenchmarkAssertions.assertThat;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ErrorBudget;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.Payload;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.ThroughputBudget;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.BenchmarkMatrix;
import dev.callosum.perf.junit.RpcBenchmark;
import java.time.Duration;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * What features cost, as the old suite's feature scenario: snappy compression (throughput and CPU
 * per request, on compressible and on random payloads, which snappy cannot shrink), CURVE
 * (handshake latency and throughput), and the two together.
 */
@RpcBenchmark
@Tag("features")
@ErrorBudget(maxRatio = 0)
class FeatureBenchmarks {
  /** The old suite's requests per feature test. */
  static final int REQUESTS = 5_000;

  @ParameterizedTest(name = "{0} · {1} · {2}")
  @BenchmarkMatrix(
      payloads = {"1KiB", "10KiB", "100KiB", "1MiB"},
      contents = {COMPRESSIBLE, RANDOM},
      compression = {false, true})
  @ThroughputBudget(min = "40/s")
  @LatencyBudget(percentile = 99, max = "1s")
  void compression(Payload payload, Payload.Content content, boolean compress, Bench bench) {
    BenchmarkResult result =
        bench
            .closedLoop(bench.server(ServerSpec.echo().compress(compress)))
            .clients(4)
            .payload(payload)
            .content(content)
            .requests(REQUESTS)
            .run();
    assertThat(result).hasNoErrors();
  }

  /** 1 KiB, 10 clients; each iteration's clients connect anew, so handshakes are measured. */
  @ParameterizedTest(name = "{0}")
  @BenchmarkMatrix(curve = {false, true})
  @ThroughputBudget(min = "200/s")
  @LatencyBudget(percentile = 99, max = "1s")
  void authentication(boolean curve, Bench bench) {
    BenchmarkResult result =
        bench
            .closedLoop(bench.server(ServerSpec.echo().curve(curve)))
            .clients(10)
            .payload(Payload.parse("1KiB"))
            .requests(REQUESTS)
            .run();
    Assertions.assertThat(result.handshakeHistogram().getTotalCount()).isPositive();
    Assertions.assertThat(Duration.ofNanos(result.handshakeHistogram().getValueAtPercentile(50)))
        .isLessThan(Duration.ofSeconds(5));
  }

  @ParameterizedTest(name = "{0} · {1}")
  @BenchmarkMatrix(
      compression = {false, true},
      curve = {false, true})
  @ThroughputBudget(min = "200/s")
  @LatencyBudget(percentile = 99, max = "1s")
  void compressionAndAuthentication(boolean compress, boolean curve, Bench bench) {
    bench
        .closedLoop(bench.server(ServerSpec.echo().compress(compress).curve(curve)))
        .clients(10)
        .payload(Payload.parse("1KiB"))
        .content(COMPRESSIBLE)
        .requests(REQUESTS)
        .run();
  }
}
