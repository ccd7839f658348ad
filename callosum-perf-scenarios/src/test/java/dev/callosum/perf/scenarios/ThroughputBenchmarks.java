package dev.callosum.perf.scenarios;

import static dev.callosum.perf.OrderKeys.NONE;
import static dev.callosum.perf.OrderKeys.PER_CLIENT;
import static dev.callosum.perf.OrderKeys.SHARED;
import static dev.callosum.perf.Scheduler.EXIT_ORDERED;
import static dev.callosum.perf.Scheduler.KEY_SERIALIZED;
import static dev.callosum.perf.junit.BenchmarkAssertions.assertThat;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ErrorBudget;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.OrderKeys;
import dev.callosum.perf.Payload;
import dev.callosum.perf.Scheduler;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.ThroughputBudget;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.BenchmarkMatrix;
import dev.callosum.perf.junit.RpcBenchmark;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Throughput, as the old suite's throughput scenario: requests and megabytes per second by payload
 * size under both schedulers, by client count, and what ordering costs. Closed loop: each client
 * sends its next request when its reply arrives, so latencies here are service times.
 *
 * <p>Budgets hold on a 2-core CI machine with a wide margin (measured there at 10 to 40 times these
 * floors); {@code -Dcallosum.perf.budgetScale} widens them for slower machines.
 */
@RpcBenchmark
@Tag("throughput")
@ErrorBudget(maxRatio = 0)
class ThroughputBenchmarks {
  /** The old suite's requests per test. */
  static final int REQUESTS = 10_000;

  @ParameterizedTest(name = "{0} · {1}")
  @BenchmarkMatrix(
      payloads = {"64B", "256B", "1KiB", "4KiB", "16KiB", "64KiB", "256KiB", "1MiB"},
      schedulers = {EXIT_ORDERED, KEY_SERIALIZED})
  @ThroughputBudget(min = "40/s")
  @LatencyBudget(percentile = 99, max = "1s")
  void byPayload(Payload payload, Scheduler scheduler, Bench bench) {
    BenchmarkResult result =
        bench
            .closedLoop(bench.server(ServerSpec.echo().scheduler(scheduler)))
            .clients(10)
            .payload(payload)
            .requests(REQUESTS)
            .run();
    assertThat(result).hasNoErrors();
  }

  @ParameterizedTest(name = "{0}")
  @BenchmarkMatrix(clients = {1, 2, 5, 10, 20, 50, 100})
  @ThroughputBudget(min = "200/s")
  @LatencyBudget(percentile = 99, max = "1s")
  void byClients(int clients, Bench bench) {
    bench
        .closedLoop(bench.server(ServerSpec.echo()))
        .clients(clients)
        .payload(Payload.parse("1KiB"))
        .requests(REQUESTS)
        .run();
  }

  /**
   * What ordering costs: ExitOrdered ignores keys; KeySerialized runs requests of one key one at a
   * time, so one shared key serializes all ten clients while a key per client does not.
   */
  @ParameterizedTest(name = "{0} · {1}")
  @BenchmarkMatrix(
      schedulers = {EXIT_ORDERED, KEY_SERIALIZED},
      orderKeys = {NONE, SHARED, PER_CLIENT})
  @ThroughputBudget(min = "200/s")
  @LatencyBudget(percentile = 99, max = "1s")
  void schedulerComparison(Scheduler scheduler, OrderKeys keys, Bench bench) {
    bench
        .closedLoop(bench.server(ServerSpec.echo().scheduler(scheduler)))
        .clients(10)
        .payload(Payload.parse("1KiB"))
        .orderKeys(keys)
        .requests(REQUESTS)
        .run();
  }
}
