package dev.callosum.perf.scenarios;

import static dev.callosum.perf.junit.BenchmarkAssertions.assertThat;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ErrorBudget;
import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.Payload;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.load.ClosedLoad;
import dev.callosum.perf.load.ClosedLoop;
import dev.callosum.perf.measurement.LoadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Is the driver the bottleneck? The same echo load, 1 KiB from one client, alternately through the
 * peer's own driver ({@code ClosedLoop}) and through the extension ({@code bench.closedLoop}, with
 * its iterations, progress, CPU accounting and recording), against one server, round after round;
 * the note gives the medians and their ratio.
 */
@RpcBenchmark
@Tag("throughput")
@ErrorBudget(maxRatio = 0)
class ExtensionOverheadBenchmarks {

  @Test
  void throughTheExtensionAgainstThePeersOwnDriver(Bench bench) {
    boolean quick = bench.settings().quick();
    int rounds = quick ? 2 : 5;
    long requests = 10_000;
    ManagedServer server = bench.server(ServerSpec.echo());
    Payload payload = Payload.parse("1KiB");
    List<Double> direct = new ArrayList<>();
    List<Double> extension = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      LoadResult own =
          ClosedLoop.against(
                  server.clientConfig().build(),
                  bench
                      .settings()
                      .applyTo(
                          ClosedLoad.DEFAULT
                              .method(server.method())
                              .payload(payload)
                              .requests(requests)))
              .run();
      direct.add(own.throughput());
      BenchmarkResult through =
          bench
              .closedLoop(server)
              .label("through the extension, round " + (round + 1) + " of " + rounds)
              .clients(1)
              .payload(payload)
              .requests(requests)
              .run();
      assertThat(through).hasNoErrors();
      through.iterations().forEach(i -> extension.add(i.throughput()));
    }
    double a = median(direct);
    double b = median(extension);
    bench.note(
        "Extension against the peer's own driver",
        String.format(
            Locale.ROOT,
            "median of %d direct runs: %.0f req/s; median of %d iterations through the extension:"
                + " %.0f req/s; ratio %.1f %% (goal: at least 95 %%). 1 KiB, 1 client, closed loop,"
                + " %d requests each, alternating, same server.",
            direct.size(),
            a,
            extension.size(),
            b,
            100 * b / a,
            bench.settings().applyTo(ClosedLoad.DEFAULT.requests(requests)).requests()));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
