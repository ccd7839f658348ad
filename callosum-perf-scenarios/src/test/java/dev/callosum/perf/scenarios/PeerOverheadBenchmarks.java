package dev.callosum.perf.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.Placement;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.load.EchoComparison;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the Java Callosum peer costs on top of bare jeromq: echo through both, side by side in one
 * run, with their ratio. A benchmark, not a test: it reports, and fails only if a call fails. Quick
 * mode ({@code callosum.perf.quick}) shrinks it to a quick look; it takes the Bench only for the
 * run's settings.
 */
// The perf tag, and listed rather than run with callosum.perf.list=true; never profiled: a
// profiler sampling every thread would bend a comparison of two implementations' costs.
@RpcBenchmark(profiled = false)
@Tag("throughput")
class PeerOverheadBenchmarks {

  @Test
  void rawJeromqEchoAgainstCallosumEcho(Bench bench) {
    Placement placement = bench.settings().placementOr(Placement.IN_JVM);
    Assumptions.assumeTrue(
        placement == Placement.IN_JVM && bench.settings().target() == null,
        () ->
            "skipped: this compares this project's Java peer with raw jeromq, both in this JVM;"
                + " it cannot measure the "
                + (bench.settings().target() != null
                    ? "server at " + bench.settings().target()
                    : placement.label() + " server")
                + " this run is about");
    bench.note(
        "What this measures",
        "This project's Java peer against raw jeromq, client and server both in this JVM: the"
            + " load generator's own cost, not the server under test.");
    boolean quick = bench.settings().quick();
    int rounds = quick ? 1 : 5;
    var conditions =
        new EchoComparison.Conditions(
            bench.settings().cpus(), bench.settings().batchIoThreads(), bench.settings().idleJit());
    String header = EchoComparison.header(rounds, conditions);
    System.out.println(header);
    List<EchoComparison.Row> rows =
        EchoComparison.run(
            EchoComparison.standardCases(quick ? 2_000 : EchoComparison.STANDARD_REQUESTS),
            rounds,
            conditions,
            row -> System.out.println(EchoComparison.line(row)));
    // The table goes in the report too (Allure, JSON, summary page), not only the console.
    bench.note(
        "Raw jeromq against the Callosum peer", EchoComparison.table(rounds, conditions, rows));
    EchoComparison.unmet(conditions).forEach(why -> bench.note("Not as asked", why));

    assertThat(rows).hasSize(4).allSatisfy(row -> assertThat(row.callosum().errorCount()).isZero());
  }
}
