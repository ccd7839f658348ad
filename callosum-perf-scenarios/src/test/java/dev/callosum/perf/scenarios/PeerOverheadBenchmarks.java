package dev.callosum.perf.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.load.EchoComparison;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the Java Callosum peer costs on top of bare jeromq: echo through both, side by side in one
 * run, with their ratio. A benchmark, not a test: it reports, and fails only if a call fails. Quick
 * mode ({@code callosum.perf.quick}) shrinks it to a quick look; it takes the Bench only for the
 * run's settings.
 */
@RpcBenchmark // the perf tag, and listed rather than run with callosum.perf.list=true
@Tag("throughput")
class PeerOverheadBenchmarks {

  @Test
  void rawJeromqEchoAgainstCallosumEcho(Bench bench) {
    boolean quick = bench.settings().quick();
    int rounds = quick ? 1 : 3;
    System.out.println(EchoComparison.header(rounds));
    List<EchoComparison.Row> rows =
        EchoComparison.run(
            EchoComparison.standardCases(quick ? 2_000 : 20_000),
            rounds,
            row -> System.out.println(EchoComparison.line(row)));

    assertThat(rows).hasSize(4).allSatisfy(row -> assertThat(row.callosum().errorCount()).isZero());
  }
}
