package dev.callosum.perf.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.Payload;
import dev.callosum.perf.Placement;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.testing.PeerThreads;
import dev.callosum.perf.testing.TestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The same benchmark method against a server in this JVM, a forked JVM and a command. */
class PlacementTests {
  static final List<BenchmarkResult> SEEN = new CopyOnWriteArrayList<>();

  /** The server command, run with this JVM and class path: a stand-in for Python's server. */
  static final String SERVER =
      Path.of(System.getProperty("java.home"), "bin", "java")
          + " -cp "
          + System.getProperty("java.class.path")
          + " dev.callosum.perf.cli.Main server --port {port}";

  @BeforeEach
  void clear() {
    SEEN.clear();
  }

  @RpcBenchmark
  static class Echo {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) {
      SEEN.add(
          bench
              .closedLoop(bench.server(ServerSpec.delayed(Duration.ofMillis(1))))
              .clients(2)
              .payload(Payload.parse("512B"))
              .requests(100)
              .run());
    }
  }

  @RpcBenchmark
  static class CurveEcho {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) {
      SEEN.add(
          bench
              .closedLoop(bench.server(ServerSpec.echo().curve(true).compress(true)))
              .requests(50)
              .run());
    }
  }

  @RpcBenchmark
  static class SlowEchoUntilTheServerDies {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) {
      SEEN.add(
          bench
              .closedLoop(bench.server(ServerSpec.delayed(Duration.ofMillis(10))))
              .requests(100_000)
              .timeout(Duration.ofSeconds(1))
              .run());
    }
  }

  private static EngineExecutionResults run(Class<?> benchmarks, Map<String, String> settings) {
    return TestKit.jupiter()
        .selectors(selectClass(benchmarks))
        .configurationParameter("callosum.perf.iterations", "1")
        .configurationParameter("callosum.perf.warmups", "0")
        .configurationParameters(settings)
        .execute();
  }

  @Test
  void againstARemoteTargetCurveBenchmarksAreSkippedSayingWhyAndOthersRun() {
    try (var external = dev.callosum.perf.fixtures.ManagedServers.inJvm(ServerSpec.echo())) {
      var results = run(CurveEcho.class, Map.of("callosum.perf.target", external.endpoint()));
      results.testEvents().assertStatistics(stats -> stats.aborted(1).failed(0));
      assertThat(
              results.testEvents().aborted().stream()
                  .map(
                      e ->
                          e.getPayload(TestExecutionResult.class)
                              .flatMap(TestExecutionResult::getThrowable)
                              .orElseThrow()
                              .getMessage()))
          .singleElement()
          .asString()
          .isEqualTo(
              "skipped: CurveEcho.echo needs"
                  + " CURVE, and the keys of the server at callosum.perf.target="
                  + external.endpoint()
                  + " are not known here");
      run(Echo.class, Map.of("callosum.perf.target", external.endpoint()))
          .testEvents()
          .assertStatistics(stats -> stats.succeeded(1));
      assertThat(SEEN)
          .singleElement()
          .satisfies(
              r ->
                  assertThat(r.parameters())
                      .containsEntry("placement", "remote")
                      .containsEntry("scheduler", "the target's"));
    }
  }

  @RpcBenchmark(placement = Placement.FORKED)
  static class ForkedByAnnotation {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) {
      SEEN.add(bench.closedLoop(bench.server(ServerSpec.echo())).requests(50).run());
    }
  }

  @Test
  void theAnnotationChoosesThePlacementAndTheSettingOverridesIt() {
    run(ForkedByAnnotation.class, Map.of())
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));
    run(ForkedByAnnotation.class, Map.of("callosum.perf.placement", "in-jvm"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));
    assertThat(SEEN)
        .extracting(r -> r.parameters().get("placement"))
        .containsExactly("forked", "in-jvm");
    assertThat(SEEN.get(0).server()).contains("forked JVM server");
  }

  @RpcBenchmark
  static class ExternalWithoutCommand {
    @org.junit.jupiter.api.Test
    @RpcBenchmark(placement = Placement.EXTERNAL)
    void echo(Bench bench) {
      bench.server(ServerSpec.echo());
    }
  }

  @Test
  void anExternalPlacementByAnnotationWithoutACommandSaysWhereToGiveOne() {
    assertThat(TestKit.failures(run(ExternalWithoutCommand.class, Map.of())))
        .singleElement()
        .asString()
        .isEqualTo(
            "ExternalWithoutCommand.echo: @RpcBenchmark(placement = EXTERNAL) needs a"
                + " server command with {port}, in @RpcBenchmark(serverCommand) or the setting"
                + " callosum.perf.server.command, such as 'python3 server.py --port {port}'; it is"
                + " ''");
  }

  @Test
  void inAForkedJvm() {
    run(Echo.class, Map.of("callosum.perf.placement", "forked"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));

    assertThat(SEEN)
        .singleElement()
        .satisfies(
            result -> {
              assertThat(result.server())
                  .startsWith("echo after 1 ms · ExitOrdered (forked JVM server,");
              assertThat(result.requests()).isEqualTo(100);
            });
    PeerThreads.awaitNoPeerThreads();
  }

  @Test
  void inAForkedJvmWithCurveAndCompression() {
    run(CurveEcho.class, Map.of("callosum.perf.placement", "forked"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));

    assertThat(SEEN)
        .singleElement()
        .satisfies(
            result -> {
              assertThat(result.server())
                  .startsWith("echo · ExitOrdered · snappy · CURVE (forked JVM");
              assertThat(result.requests()).isEqualTo(50);
              assertThat(result.errorCount()).isZero();
            });
  }

  @Test
  void anExternalCommandGetsTheSpecAndCurveKeysThroughItsEnvironment() {
    // This project's server honours the spec through $CALLOSUM_PERF_SERVER_OPTIONS, CURVE included.
    run(
            CurveEcho.class,
            Map.of(
                "callosum.perf.placement",
                "external",
                "callosum.perf.server.command",
                SERVER + " $CALLOSUM_PERF_SERVER_OPTIONS",
                "callosum.perf.server.ready",
                "CALLOSUM-PERF READY"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));
    assertThat(SEEN)
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.parameters())
                    .containsEntry("auth", "CURVE")
                    .containsEntry("compression", "snappy")
                    .containsEntry("placement", "external"));
  }

  @Test
  void anExternalCommandThatIgnoresCurveFailsItsCurveBenchmarksSayingSo() {
    assertThat(
            TestKit.failures(
                run(
                    CurveEcho.class,
                    Map.of(
                        "callosum.perf.placement",
                        "external",
                        "callosum.perf.server.command",
                        SERVER,
                        "callosum.perf.server.ready",
                        "CALLOSUM-PERF READY"))))
        .singleElement()
        .asString()
        .contains("does not use CURVE, but this client does");
  }

  @Test
  void asAnExternalCommandReadyWhenItSaysSo() {
    run(
            Echo.class,
            Map.of(
                "callosum.perf.placement",
                "external",
                "callosum.perf.server.command",
                SERVER,
                "callosum.perf.server.ready",
                "CALLOSUM-PERF READY"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));

    assertThat(SEEN)
        .singleElement()
        .satisfies(result -> assertThat(result.server()).contains("(server command, pid "));
  }

  @Test
  void asAnExternalCommandReadyWhenItsPortAccepts() {
    run(
            Echo.class,
            Map.of("callosum.perf.placement", "external", "callosum.perf.server.command", SERVER))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));
  }

  @Test
  void aCommandThatExitsBeforeItIsReadySaysWhatItPrinted() {
    assertThat(
            TestKit.failures(
                run(
                    Echo.class,
                    Map.of(
                        "callosum.perf.placement",
                        "external",
                        "callosum.perf.server.command",
                        "sh -c 'echo no such server on {port}; exit 3'"))))
        .singleElement()
        .asString()
        .contains("exited with 3 before it was ready; its last output:")
        .contains("no such server on ");
  }

  @Test
  void externalPlacementWithoutACommandIsASettingError() {
    assertThat(TestKit.failures(run(Echo.class, Map.of("callosum.perf.placement", "external"))))
        .singleElement()
        .asString()
        .contains("callosum.perf.server.command must be a command" + " with {port}");
  }

  @Test
  void aServerThatDiesMidRunFailsTheBenchmarkNamingItAndKeepsTheResults() {
    List<String> failures =
        TestKit.failures(
            run(
                SlowEchoUntilTheServerDies.class,
                Map.of(
                    "callosum.perf.placement", "external",
                    "callosum.perf.server.command",
                        "timeout 3 " + SERVER.replace("{port}", "{port} --echo-delay 10ms"),
                    "callosum.perf.server.ready", "CALLOSUM-PERF READY")));

    assertThat(failures)
        .singleElement()
        .asString()
        .contains("the server command (pid ")
        .contains("died with exit status 124")
        .contains("the 1 iteration(s) measured so far are kept");
    PeerThreads.awaitNoPeerThreads();
  }
}
