package example;

import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.Payload;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.ThroughputBudget;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import org.junit.jupiter.api.Test;

@RpcBenchmark
class EchoBenchmarks {
  @Test
  @LatencyBudget(percentile = 99, max = "250ms")
  @ThroughputBudget(min = "100/s")
  void echo(Bench bench) {
    bench
        .closedLoop(bench.server(ServerSpec.echo()))
        .clients(4)
        .payload(Payload.parse("1KiB"))
        .requests(5_000)
        .run();
  }
}
