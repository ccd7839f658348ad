package dev.callosum.perf.scenarios;

import static dev.callosum.perf.junit.BenchmarkAssertions.assertThat;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ErrorBudget;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.Payload;
import dev.callosum.perf.Scheduler;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.ThroughputBudget;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.BenchmarkMatrix;
import dev.callosum.perf.junit.RpcBenchmark;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Echo throughput and open-loop latency: the README's example of a benchmark written as test
 * methods. Budgets hold on a 2-core CI machine with a wide margin; scale them with {@code
 * -Dcallosum.perf.budgetScale=2} on slower machines.
 */
@RpcBenchmark
@ErrorBudget(maxRatio = 0)
class EchoBenchmarks {

  @ParameterizedTest(name = "{0} · {1} · {2}")
  @BenchmarkMatrix(
      payloads = {"64B", "1KiB", "64KiB"},
      clients = {1, 10},
      schedulers = {Scheduler.EXIT_ORDERED, Scheduler.KEY_SERIALIZED})
  @Tag("throughput")
  @ThroughputBudget(min = "200/s")
  @LatencyBudget(percentile = 99, max = "250ms")
  void echo(Payload payload, int clients, Scheduler scheduler, Bench bench) {
    ManagedServer server = bench.server(ServerSpec.echo().scheduler(scheduler));
    BenchmarkResult result =
        bench.closedLoop(server).clients(clients).payload(payload).requests(10_000).run();
    System.out.println(result);
    assertThat(result).hasNoErrors();
  }

  @Test
  @Tag("latency")
  @LatencyBudget(percentile = 50, max = "50ms")
  void latencyAtAFixedRate(Bench bench) {
    ManagedServer server = bench.server(ServerSpec.echo());
    BenchmarkResult result =
        bench
            .openLoop(server)
            .rate(500)
            .duration(Duration.ofSeconds(10))
            .payload(Payload.parse("1KiB"))
            .run();
    System.out.println(result);
    assertThat(result).percentile(99.9).isAtMost(Duration.ofSeconds(1));
  }
}
