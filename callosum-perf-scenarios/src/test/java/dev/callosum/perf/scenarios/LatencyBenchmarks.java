package dev.callosum.perf.scenarios;

import static dev.callosum.perf.junit.BenchmarkAssertions.assertThat;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ErrorBudget;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.Payload;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.TailAnalysis;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.BenchmarkMatrix;
import dev.callosum.perf.junit.RpcBenchmark;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Latency, as the old suite's latency scenario: under fixed loads (open loop, latency from each
 * request's intended send time, so queueing shows), by payload size (closed loop, 10 clients), and
 * the tail of a long run with its outliers named.
 */
@RpcBenchmark
@Tag("latency")
@ErrorBudget(maxRatio = 0)
class LatencyBenchmarks {

  /**
   * 100 to 5000 req/s for 30 s each (quick mode: 3 s). An open loop does not slow down when the
   * server does: if the machine cannot keep up, the late sends and the high percentiles say so.
   */
  @ParameterizedTest(name = "{0}")
  @BenchmarkMatrix(rates = {100, 500, 1000, 2000, 5000})
  @LatencyBudget(percentile = 50, max = "50ms")
  @LatencyBudget(percentile = 99, max = "1s")
  void underLoad(double rate, Bench bench) {
    BenchmarkResult result =
        bench
            .openLoop(bench.server(ServerSpec.echo()))
            .rate(rate)
            .clients(2)
            .payload(Payload.parse("1KiB"))
            .duration(Duration.ofSeconds(30))
            .run();
    assertThat(result).hasNoErrors();
  }

  @ParameterizedTest(name = "{0} · {1}")
  @BenchmarkMatrix(
      payloads = {"64B", "256B", "1KiB", "4KiB", "16KiB", "64KiB"},
      clients = 10)
  @LatencyBudget(percentile = 50, max = "50ms")
  @LatencyBudget(percentile = 99, max = "500ms")
  void byPayload(Payload payload, int clients, Bench bench) {
    bench
        .closedLoop(bench.server(ServerSpec.echo()))
        .clients(clients)
        .payload(payload)
        .requests(ThroughputBenchmarks.REQUESTS)
        .run();
  }

  /**
   * 10,000 requests from one client with the time series at 100 ms, and the outliers (calls over
   * ten times the median) named: how often, how large, and when they came.
   */
  @Test
  @LatencyBudget(percentile = 50, max = "20ms")
  @LatencyBudget(percentile = 99.9, max = "1s")
  void tailAnalysis(Bench bench) {
    BenchmarkResult result =
        bench
            .closedLoop(bench.server(ServerSpec.echo()))
            .clients(1)
            .payload(Payload.parse("1KiB"))
            .requests(ThroughputBenchmarks.REQUESTS)
            .sampleEvery(Duration.ofMillis(100))
            .run();
    bench.note("Tail analysis", TailAnalysis.of(result, 10).describe());
  }
}
