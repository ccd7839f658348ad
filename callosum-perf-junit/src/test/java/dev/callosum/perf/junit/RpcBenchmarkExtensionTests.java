package dev.callosum.perf.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ErrorBudget;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.Payload;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.ThroughputBudget;
import dev.callosum.perf.testing.PeerThreads;
import dev.callosum.perf.testing.TestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The extension, driven through the JUnit engine as a user's build would drive it. */
class RpcBenchmarkExtensionTests {
  /** Results the fixture benchmarks saw; the fixtures run one at a time. */
  static final List<BenchmarkResult> SEEN = new CopyOnWriteArrayList<>();

  @BeforeEach
  void clear() {
    SEEN.clear();
  }

  private static EngineExecutionResults run(Class<?> benchmarks, Map<String, String> settings) {
    return TestKit.jupiter()
        .selectors(selectClass(benchmarks))
        .configurationParameter("callosum.perf.iterations", "2")
        .configurationParameter("callosum.perf.warmups", "0")
        .configurationParameters(settings)
        .execute();
  }

  // ------------------------------------------------------------------ injection and closing

  @RpcBenchmark
  static class EchoBenchmark {
    @Test
    void echo(Bench bench) {
      ManagedServer server = bench.server(ServerSpec.echo());
      SEEN.add(
          bench.closedLoop(server).clients(2).payload(Payload.parse("256B")).requests(200).run());
    }
  }

  @Test
  void injectsABenchThatMeasuresAndClosesItsServer() {
    EngineExecutionResults results = run(EchoBenchmark.class, Map.of());

    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    assertThat(SEEN)
        .singleElement()
        .satisfies(
            result -> {
              assertThat(result.iterations()).hasSize(2);
              assertThat(result.requests()).isEqualTo(400);
              assertThat(result.closedLoop()).isTrue();
              assertThat(result.errorCount()).isZero();
              assertThat(result.name()).isEqualTo("EchoBenchmark.echo");
              assertThat(result.server())
                  .startsWith("echo · ExitOrdered (in this JVM, tcp://127.0.0.1:");
            });
    PeerThreads.awaitNoPeerThreads();
  }

  @RpcBenchmark
  static class ClientsBenchmark {
    @Test
    void drivesItsOwnCalls(Bench bench) {
      ManagedServer server = bench.server(ServerSpec.echo().compress(true).curve(true));
      for (dev.callosum.perf.peer.RpcClient client : bench.clients(server, 5)) {
        assertThat(client.call("echo", new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
      }
      assertThat(server.stats())
          .hasValueSatisfying(stats -> assertThat(stats.replies()).isEqualTo(5));
      throw new IllegalStateException("failing with five clients open");
    }
  }

  @Test
  void clientsAndPoolsAreFixturesClosedWithTheTest() {
    assertThat(TestKit.failures(run(ClientsBenchmark.class, Map.of())))
        .containsExactly("failing with five clients open");
    PeerThreads.awaitNoPeerThreads();
  }

  @RpcBenchmark
  static class FailingBenchmark {
    @Test
    void failsAfterStartingServers(Bench bench) {
      bench.server(ServerSpec.echo());
      bench.server(ServerSpec.delayed(Duration.ofMillis(5)).curve(true));
      throw new IllegalStateException("the benchmark itself failed");
    }
  }

  @Test
  void closesEveryFixtureWhenTheMethodFails() {
    EngineExecutionResults results = run(FailingBenchmark.class, Map.of());

    assertThat(TestKit.failures(results)).containsExactly("the benchmark itself failed");
    PeerThreads.awaitNoPeerThreads();
  }

  // ------------------------------------------------------------------ budgets

  @RpcBenchmark
  static class GenerousBudgets {
    @Test
    @ThroughputBudget(min = "1/s")
    @LatencyBudget(percentile = 99.9, max = "10s")
    @ErrorBudget(maxRatio = 0)
    void keepsThem(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(100).run();
    }
  }

  @Test
  void budgetsThatHoldPass() {
    run(GenerousBudgets.class, Map.of())
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1).failed(0));
  }

  @RpcBenchmark
  @LatencyBudget(percentile = 50, max = "1ns")
  static class ImpossibleBudget {
    @Test
    void breaksIt(Bench bench) {
      bench
          .closedLoop(bench.server(ServerSpec.echo()))
          .payload(Payload.parse("64B"))
          .requests(100)
          .run();
    }
  }

  @Test
  void aBrokenBudgetFailsNamingTheMetricValueBudgetAndSamples() {
    EngineExecutionResults results = run(ImpossibleBudget.class, Map.of());

    assertThat(TestKit.failures(results))
        .singleElement()
        .asString()
        .startsWith("budget broken: p50 latency was ")
        .contains("over the budget of 1 ns")
        .contains(
            "in ImpossibleBudget.breaksIt (closed loop, 1 client, 64 B payload," + " 200 samples");
    PeerThreads.awaitNoPeerThreads();
  }

  @Test
  void theBudgetScaleLoosensLatencyBudgetsForSlowMachines() {
    run(ImpossibleBudget.class, Map.of("callosum.perf.budgetScale", "1e12"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));
  }

  @Test
  void aPlacementsBudgetScaleAppliesOnlyToServersOfThatPlacement() {
    run(ImpossibleBudget.class, Map.of("callosum.perf.budgetScale.python", "1e12"))
        .testEvents()
        .assertStatistics(stats -> stats.failed(1));
    run(ImpossibleBudget.class, Map.of("callosum.perf.budgetScale.in-jvm", "1e12"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));
    // on top of the general scale: 1e6 x 1e6
    run(
            ImpossibleBudget.class,
            Map.of("callosum.perf.budgetScale", "1e6", "callosum.perf.budgetScale.in-jvm", "1e6"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));
    assertThat(
            TestKit.failures(
                run(ImpossibleBudget.class, Map.of("callosum.perf.budgetScale.python", "fast"))))
        .singleElement()
        .asString()
        .isEqualTo(
            "setting callosum.perf.budgetScale.python is 'fast'; it takes a number > 0, such as 4");
  }

  @Test
  void budgetsTurnedOffForAPlacementAreNotJudgedThereAndTheReportSaysSo() {
    Path output = TestKit.freshOutputDirectory();
    TestKit.jupiter(output)
        .selectors(selectClass(ImpossibleBudget.class))
        .configurationParameter("callosum.perf.iterations", "1")
        .configurationParameter("callosum.perf.warmups", "0")
        .configurationParameter(
            "callosum.perf.budgetsOff.in-jvm", "Other.bench, ImpossibleBudget.breaksIt")
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));
    assertThat(TestKit.resultsJson(output))
        .contains("Budgets not judged")
        .contains("callosum.perf.budgetsOff.in-jvm ('ImpossibleBudget.breaksIt')");
    run(
            ImpossibleBudget.class,
            Map.of("callosum.perf.budgetsOff.python", "ImpossibleBudget.breaksIt"))
        .testEvents()
        .assertStatistics(stats -> stats.failed(1));
    run(
            ImpossibleBudget.class,
            Map.of("callosum.perf.budgetsOff.in-jvm", "ImpossibleBudget.breaks"))
        .testEvents()
        .assertStatistics(stats -> stats.failed(1));
  }

  @RpcBenchmark
  static class TwoRuns {
    @Test
    void both(Bench bench) {
      ManagedServer server = bench.server(ServerSpec.echo());
      bench.closedLoop(server).label("small").payload(Payload.parse("64B")).requests(50).run();
      bench.closedLoop(server).payload(Payload.parse("1KiB")).requests(50).run();
    }
  }

  @Test
  void aBenchmarkThatMeasuresTwiceNamesEachRowApart() throws Exception {
    Path output = TestKit.freshOutputDirectory();
    TestKit.jupiter(output)
        .selectors(selectClass(TwoRuns.class))
        .configurationParameter("callosum.perf.iterations", "1")
        .configurationParameter("callosum.perf.warmups", "0")
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));
    var json =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(TestKit.resultsJson(output));
    List<String> names = new java.util.ArrayList<>();
    json.path("benchmarks").forEach(b -> names.add(b.path("displayName").asText()));
    assertThat(names).containsExactly("both(Bench) · small", "both(Bench) · run 2 of 2");
  }

  @RpcBenchmark
  static class FailingServerWithErrorBudget {
    @Test
    @ErrorBudget(maxRatio = 0.5)
    void everyCallFails(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.failing())).requests(50).run();
    }
  }

  @Test
  void anErrorBudgetCountsFailedCallsByKind() {
    assertThat(TestKit.failures(run(FailingServerWithErrorBudget.class, Map.of())))
        .singleElement()
        .asString()
        .contains("100 of 100 calls failed (100.000%, {FAILURE=100}), over the budget of 50.000%");
  }

  @RpcBenchmark
  static class BudgetWithoutMeasurement {
    @Test
    @ThroughputBudget(min = "10/s")
    void measuresNothing() {}
  }

  @Test
  void aBudgetOnABenchmarkThatMeasuresNothingIsAMistake() {
    assertThat(TestKit.failures(run(BudgetWithoutMeasurement.class, Map.of())))
        .singleElement()
        .asString()
        .isEqualTo(
            "BudgetWithoutMeasurement.measuresNothing declares budgets but"
                + " measured nothing: inject a Bench and run a load with it");
  }

  @RpcBenchmark
  static class BadBudget {
    @Test
    @LatencyBudget(percentile = 150, max = "5ms")
    void echo(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(20).run();
    }

    @Test
    @LatencyBudget(percentile = 99, max = "soon")
    void echoAgain(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(20).run();
    }
  }

  @Test
  void badBudgetAnnotationsAreNamed() {
    assertThat(TestKit.failures(run(BadBudget.class, Map.of())))
        .containsExactlyInAnyOrder(
            "BadBudget.echo: @LatencyBudget(percentile = 150.0): a percentile is between 0 and 100",
            "BadBudget.echoAgain: 'soon' is not a duration; write it like 250us, 20ms, 1.5s or 2m");
  }

  // ------------------------------------------------------------------ settings

  @Test
  void aWrongSettingFailsNamingItAndWhatItTakes() {
    assertThat(
            TestKit.failures(run(EchoBenchmark.class, Map.of("callosum.perf.iterations", "many"))))
        .singleElement()
        .asString()
        .isEqualTo("setting callosum.perf.iterations is 'many'; it takes a whole number >= 1");
    assertThat(
            TestKit.failures(run(EchoBenchmark.class, Map.of("callosum.perf.target", "localhost"))))
        .singleElement()
        .asString()
        .contains("setting callosum.perf.target is 'localhost'");
    assertThat(
            TestKit.failures(run(EchoBenchmark.class, Map.of("callosum.perf.placement", "cloud"))))
        .singleElement()
        .asString()
        .isEqualTo(
            "setting callosum.perf.placement is 'cloud'; it takes in-jvm, forked, external or"
                + " python");
  }

  @Test
  void quickModeRunsATenthOfTheRequests() {
    run(EchoBenchmark.class, Map.of("callosum.perf.quick", "true"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));

    assertThat(SEEN)
        .singleElement()
        .satisfies(result -> assertThat(result.requests()).isEqualTo(2 * 20));
  }

  @Test
  void aTargetRunsTheBenchmarkAgainstAServerThisRunDidNotStart() {
    try (dev.callosum.perf.peer.RpcServer external =
        dev.callosum.perf.peer.ServerConfig.builder().testHandlers().start()) {
      run(EchoBenchmark.class, Map.of("callosum.perf.target", external.endpoint()))
          .testEvents()
          .assertStatistics(stats -> stats.succeeded(1));

      assertThat(SEEN)
          .singleElement()
          .satisfies(
              result ->
                  assertThat(result.server()).isEqualTo("remote server at " + external.endpoint()));
      assertThat(external.stats().requests()).isEqualTo(400);
    }
  }

  @RpcBenchmark
  static class OpenLoopBenchmark {
    @Test
    void onSchedule(Bench bench) {
      SEEN.add(
          bench
              .openLoop(bench.server(ServerSpec.echo()))
              .rate(200)
              .duration(Duration.ofSeconds(1))
              .payload(Payload.parse("128B"))
              .run());
    }
  }

  @Test
  void anOpenLoopRunSaysItIsOpenLoopWithItsTargetRate() {
    run(OpenLoopBenchmark.class, Map.of())
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));

    assertThat(SEEN)
        .singleElement()
        .satisfies(
            result -> {
              assertThat(result.closedLoop()).isFalse();
              assertThat(result.targetRate()).isEqualTo(200);
              assertThat(result.requests()).isEqualTo(400);
              assertThat(result.toString()).contains("open loop at 200/s");
            });
  }

  // ------------------------------------------------------------------ parameters and measuring

  @RpcBenchmark
  static class PayloadMatrix {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"64B", "1KiB"})
    void echo(Payload payload, Bench bench) {
      SEEN.add(
          bench.closedLoop(bench.server(ServerSpec.echo())).payload(payload).requests(40).run());
    }
  }

  @Test
  void payloadsAreWrittenAsPeopleWriteThemInParameterSources() {
    run(PayloadMatrix.class, Map.of()).testEvents().assertStatistics(stats -> stats.succeeded(2));

    assertThat(SEEN).extracting(BenchmarkResult::payloadBytes).containsExactly(64, 1024);
    assertThat(SEEN)
        .extracting(BenchmarkResult::name)
        .containsExactly("PayloadMatrix.echo 64B", "PayloadMatrix.echo 1KiB");
  }

  @RpcBenchmark
  static class KnownDelay {
    @Test
    void measuresTheDelay(Bench bench) {
      SEEN.add(
          bench
              .closedLoop(bench.server(ServerSpec.delayed(Duration.ofMillis(30))))
              .requests(20)
              .run());
    }
  }

  @Test
  void aServerWithAKnownDelayIsMeasuredNearThatDelay() {
    run(KnownDelay.class, Map.of()).testEvents().assertStatistics(stats -> stats.succeeded(1));

    // Generous bounds: these machines are small and noisy; the delay itself is the floor.
    assertThat(SEEN.get(0).percentile(50)).isBetween(Duration.ofMillis(30), Duration.ofMillis(300));
    assertThat(SEEN.get(0).percentile(0)).isGreaterThanOrEqualTo(Duration.ofMillis(29));
  }
}
