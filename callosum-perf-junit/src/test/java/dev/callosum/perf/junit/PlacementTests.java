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

  /** The CPUs each server process may use, read once its benchmark has run. */
  static final List<String> SERVER_CPUS = new CopyOnWriteArrayList<>();

  /** The server command, run with this JVM and class path, ignoring the spec it is given. */
  static final String SERVER =
      Path.of(System.getProperty("java.home"), "bin", "java")
          + " -cp "
          + System.getProperty("java.class.path")
          + " dev.callosum.perf.cli.Main server --port {port}";

  /** The same, honouring the spec as the README says: a server of the user's that follows it. */
  static final String HONOURING_SERVER = SERVER + " $CALLOSUM_PERF_SERVER_OPTIONS";

  @BeforeEach
  void clear() {
    SEEN.clear();
    SERVER_CPUS.clear();
  }

  @RpcBenchmark
  static class Echo {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) throws java.io.IOException {
      dev.callosum.perf.ManagedServer server =
          bench.server(ServerSpec.delayed(Duration.ofMillis(1)));
      SEEN.add(
          bench.closedLoop(server).clients(2).payload(Payload.parse("512B")).requests(100).run());
      if (server.pid().isPresent()) {
        SERVER_CPUS.add(
            dev.callosum.perf.peer.UtilLinux.cpusAllowed(
                java.nio.file.Path.of("/proc", "" + server.pid().getAsLong(), "status")));
      }
    }
  }

  /** A server in its own process kept the CPUs its benchmark gave it, and its result says so. */
  private static void onCpusOfItsOwn(BenchmarkResult result) {
    List<String> halves = dev.callosum.perf.report.RunFilesTests.halves();
    assertThat(SERVER_CPUS).containsExactly(halves.get(1));
    assertThat(result.parameters())
        .containsEntry("cpus", "server " + halves.get(1) + " · load " + halves.get(0));
    assertThat(result.systemUnderTest())
        .hasValueSatisfying(
            sut -> {
              assertThat(sut.serverCpus()).isEqualTo(halves.get(1));
              assertThat(sut.loadGeneratorCpus()).isEqualTo(halves.get(0));
            });
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
              .run());
    }
  }

  /** Ten clients in an open loop against a slow server: calls are always in flight. */
  @RpcBenchmark
  static class OpenLoopUntilTheServerDies {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) {
      SEEN.add(
          bench
              .openLoop(bench.server(ServerSpec.delayed(Duration.ofMillis(10))))
              .rate(500)
              .clients(10)
              .duration(Duration.ofSeconds(60))
              .run());
    }
  }

  /** Kills this JVM's forked server with SIGKILL after two seconds of load. */
  @RpcBenchmark(placement = dev.callosum.perf.Placement.FORKED)
  static class ForkedServerKilled {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) {
      var server = bench.server(ServerSpec.delayed(Duration.ofMillis(10)));
      Thread killer =
          new Thread(
              () -> {
                try {
                  Thread.sleep(2000);
                } catch (InterruptedException e) {
                  return;
                }
                ProcessHandle.current()
                    .descendants()
                    .filter(
                        p ->
                            p.info().commandLine().orElse("").contains("--stop-on-eof")
                                && p.info().commandLine().orElse("").contains("cli.Main"))
                    .forEach(ProcessHandle::destroyForcibly);
              });
      killer.start();
      SEEN.add(bench.closedLoop(server).clients(4).requests(100_000).run());
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
              onCpusOfItsOwn(result);
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
  void anExternalCommandThatServesNoCurveFailsItsCurveBenchmarksSayingSo() {
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
        .contains("compress=false,curve=false', but the benchmark asked for")
        .contains("compress=true,curve=true'");
  }

  @Test
  void asAnExternalCommandReadyWhenItSaysSo() {
    run(
            Echo.class,
            Map.of(
                "callosum.perf.placement",
                "external",
                "callosum.perf.server.command",
                HONOURING_SERVER,
                "callosum.perf.server.ready",
                "CALLOSUM-PERF READY"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));

    assertThat(SEEN)
        .singleElement()
        .satisfies(
            result -> {
              assertThat(result.server()).contains("(server command, pid ");
              onCpusOfItsOwn(result); // the shell and the server it started
            });
  }

  @Test
  void asAnExternalCommandReadyWhenItsPortAccepts() {
    run(
            Echo.class,
            Map.of(
                "callosum.perf.placement",
                "external",
                "callosum.perf.server.command",
                HONOURING_SERVER))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));
  }

  @Test
  void anExternalCommandThatIgnoresTheSpecFailsInsteadOfServingPlainEcho() {
    assertThat(
            TestKit.failures(
                run(
                    Echo.class,
                    Map.of(
                        "callosum.perf.placement",
                        "external",
                        "callosum.perf.server.command",
                        SERVER,
                        "callosum.perf.server.ready",
                        "CALLOSUM-PERF READY"))))
        .singleElement()
        .asString()
        .contains("says it serves 'spec=handler=echo,scheduler=exit-ordered,compress=false")
        .contains(
            "but the benchmark asked for"
                + " 'spec=handler=delay,delay-ms=1,scheduler=exit-ordered,compress=false,curve=false'");
  }

  @Test
  void anExternalCommandThatSaysNothingOfTheSpecIsTrustedOnlyWithPlainEcho() {
    String silent = "sh -c 'echo listening on {port}; exec sleep 30'";
    Map<String, String> settings =
        Map.of(
            "callosum.perf.placement",
            "external",
            "callosum.perf.server.command",
            silent,
            "callosum.perf.server.ready",
            "listening");
    assertThat(TestKit.failures(run(Echo.class, settings)))
        .singleElement()
        .asString()
        .contains("did not say that it serves the spec the benchmark asked for (echo after 1 ms")
        .contains("prints 'spec=handler=delay,delay-ms=1,")
        .contains("callosum.perf.placement=python")
        .contains("its last output:\n  listening on ");
  }

  @RpcBenchmark
  static class CustomHandler {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) {
      SEEN.add(
          bench
              .closedLoop(
                  bench.server(
                      ServerSpec.handler("my echo", dev.callosum.perf.peer.Handlers.echo())))
              .requests(50)
              .run());
    }
  }

  @RpcBenchmark(placement = Placement.FORKED)
  static class CustomHandlerForked {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) {
      bench.server(ServerSpec.handler("my echo", dev.callosum.perf.peer.Handlers.echo()));
    }
  }

  @Test
  void aCustomHandlerIsSkippedWhenTheRunMovesServersOutOfThisJvmAndFailsWhenItsAnnotationDoes() {
    var moved = run(CustomHandler.class, Map.of("callosum.perf.placement", "python"));
    moved.testEvents().assertStatistics(stats -> stats.aborted(1));
    assertThat(
            moved.testEvents().aborted().stream()
                .map(
                    e ->
                        e.getPayload(TestExecutionResult.class)
                            .flatMap(TestExecutionResult::getThrowable)
                            .orElseThrow()
                            .getMessage()))
        .singleElement()
        .asString()
        .isEqualTo(
            "skipped: CustomHandler.echo needs a server with a custom handler (my echo), which"
                + " runs only in this JVM, and callosum.perf.placement is python");
    assertThat(TestKit.failures(run(CustomHandlerForked.class, Map.of())))
        .singleElement()
        .asString()
        .contains("custom handler, which runs only in this JVM");
  }

  @Test
  void aNamedPythonWithoutCallosumFailsAtOnceSayingWhatWasTriedAndTheFix() {
    long start = System.nanoTime();
    assertThat(
            TestKit.failures(
                run(
                    Echo.class,
                    Map.of(
                        "callosum.perf.placement",
                        "python",
                        "callosum.perf.python",
                        "/nonexistent/python3"))))
        .singleElement()
        .asString()
        .contains("placement python needs a Python that imports callosum")
        .contains("`/nonexistent/python3 -c \"import importlib.metadata, callosum")
        .contains("pip install callosum pyzmq");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  @dev.callosum.perf.testing.PythonCallosumAvailable
  void againstTheBundledPythonServer() {
    Map<String, String> settings =
        new java.util.HashMap<>(Map.of("callosum.perf.placement", "python"));
    String python = dev.callosum.perf.testing.PythonCallosumAvailable.Condition.interpreter();
    if (python != null) {
      settings.put("callosum.perf.python", python);
    }
    run(Echo.class, settings).testEvents().assertStatistics(stats -> stats.succeeded(1));
    run(CurveEcho.class, settings).testEvents().assertStatistics(stats -> stats.succeeded(1));

    assertThat(SEEN)
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.parameters()).containsEntry("placement", "python"))
        .allSatisfy(r -> assertThat(r.server()).contains("(Python server, pid ", ", callosum "));
    assertThat(SEEN.get(0).server()).startsWith("echo after 1 ms · ExitOrdered (Python server");
    assertThat(SEEN.get(0).requests()).isEqualTo(100);
    assertThat(SEEN.get(0).percentile(50)).isGreaterThanOrEqualTo(Duration.ofMillis(1));
    onCpusOfItsOwn(SEEN.get(0));
    assertThat(SEEN.get(1).errorCount()).isZero();
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
        .contains("exited with status 3 before it was ready; its last output:")
        .contains("no such server on ");
  }

  @Test
  void externalPlacementWithoutACommandIsASettingError() {
    assertThat(TestKit.failures(run(Echo.class, Map.of("callosum.perf.placement", "external"))))
        .singleElement()
        .asString()
        .contains("callosum.perf.server.command must be a command" + " with {port}");
  }

  /**
   * The user's defaults (a 30 s call timeout): the death is noticed within a second or so, not
   * after the timeout, and named with its status and when it came.
   */
  @Test
  void aServerThatDiesMidRunFailsTheBenchmarkAtOnceNamingItAndKeepsTheResults() {
    long start = System.nanoTime();
    List<String> failures =
        TestKit.failures(
            run(
                SlowEchoUntilTheServerDies.class,
                Map.of(
                    "callosum.perf.iterations", "3",
                    "callosum.perf.placement", "external",
                    "callosum.perf.server.command",
                        SERVER.replace("{port}", "{port} --echo-delay 10ms --crash-after 200"),
                    "callosum.perf.server.ready", "CALLOSUM-PERF READY")));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(failures)
        .singleElement()
        .asString()
        .contains("the server command (pid ")
        .contains("with status 3")
        .contains("crashing at call 200 as asked")
        .contains("s after it was ready")
        .contains("during iteration 1/3 of SlowEchoUntilTheServerDies.echo, after ")
        .contains("no iteration was measured before it");
    assertThat(took).as("far below the 30 s call timeout").isLessThan(Duration.ofSeconds(25));
    PeerThreads.awaitNoPeerThreads();
  }

  /** A death in the warm-up is reported as the death, not as the next iteration's handshake. */
  @Test
  void aServerThatDiesInTheWarmUpIsNamedAsDeadThere() {
    List<String> failures =
        TestKit.failures(
            run(
                SlowEchoUntilTheServerDies.class,
                Map.of(
                    "callosum.perf.warmups", "1",
                    "callosum.perf.placement", "external",
                    "callosum.perf.server.command",
                        SERVER.replace("{port}", "{port} --echo-delay 10ms --crash-after 200"),
                    "callosum.perf.server.ready", "CALLOSUM-PERF READY")));

    assertThat(failures)
        .singleElement()
        .asString()
        .contains("with status 3")
        .contains("during warm-up 1/1 of SlowEchoUntilTheServerDies.echo, after ")
        .contains("no iteration was measured before it")
        .doesNotContain("HandshakeException");
    PeerThreads.awaitNoPeerThreads();
  }

  /** This JVM's open TCP sockets, from /proc: what a run must give back. */
  private static long openTcpSockets() {
    try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
      java.util.Set<String> inodes = new java.util.HashSet<>();
      fds.forEach(
          fd -> {
            try {
              String link = java.nio.file.Files.readSymbolicLink(fd).toString();
              if (link.startsWith("socket:[")) {
                inodes.add(link.substring(8, link.length() - 1));
              }
            } catch (java.io.IOException e) {
              // closed meanwhile
            }
          });
      long tcp = 0;
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        for (String line : java.nio.file.Files.readAllLines(Path.of(table))) {
          String[] fields = line.trim().split("\\s+");
          if (fields.length > 9 && inodes.contains(fields[9])) {
            tcp++;
          }
        }
      }
      return tcp;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void anExternalServerKilledBySigkillDuringAnOpenLoopIsNamedAtOnceWithItsSignal() {
    long sockets = openTcpSockets();
    long start = System.nanoTime();
    List<String> failures =
        TestKit.failures(
            run(
                OpenLoopUntilTheServerDies.class,
                Map.of(
                    "callosum.perf.placement",
                    "external",
                    "callosum.perf.server.command",
                    SERVER.replace(
                        "{port}",
                        "{port} --echo-delay 10ms --crash-after 500 --crash-with sigkill"),
                    "callosum.perf.server.ready",
                    "CALLOSUM-PERF READY")));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(failures)
        .singleElement()
        .asString()
        .contains("killed by SIGKILL (status 137)")
        .contains("during iteration 1/1 of OpenLoopUntilTheServerDies.echo");
    assertThat(took).as("the open loop had 60 s to go").isLessThan(Duration.ofSeconds(30));
    PeerThreads.awaitNoPeerThreads();
    assertThat(openTcpSockets()).as("TCP sockets left open").isLessThanOrEqualTo(sockets);
  }

  /**
   * A server stopped with SIGSTOP is alive but answers nothing: with the default stall limit (10 s)
   * the benchmark fails saying so, far sooner than the 30 s call timeout, and the stopped process
   * is still cleaned up.
   */
  @Test
  void aServerThatStopsAnsweringIsNamedAsHungAfterTheStallLimit() {
    long start = System.nanoTime();
    List<String> failures =
        TestKit.failures(
            run(
                SlowEchoUntilTheServerDies.class,
                Map.of(
                    "callosum.perf.placement",
                    "external",
                    "callosum.perf.server.command",
                    SERVER.replace(
                        "{port}",
                        "{port} --echo-delay 10ms --crash-after 200 --crash-with sigstop"),
                    "callosum.perf.server.ready",
                    "CALLOSUM-PERF READY")));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(failures)
        .singleElement()
        .asString()
        .contains("is alive but answered nothing for 1")
        .contains(" s while 1 call waited, the stall limit")
        .contains("the stall limit (callosum.perf.stallLimit=10.00 s")
        .contains("during iteration 1/1 of SlowEchoUntilTheServerDies.echo");
    assertThat(took).as("the stall limit, not the call timeout").isLessThan(Duration.ofSeconds(28));
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    PeerThreads.awaitNoPeerThreads();
  }

  @Test
  void aForkedServerKilledMidRunIsNamedAtOnce() {
    long start = System.nanoTime();
    List<String> failures = TestKit.failures(run(ForkedServerKilled.class, Map.of()));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(failures)
        .singleElement()
        .asString()
        .contains("the forked JVM server (pid ")
        .contains("killed by SIGKILL (status 137)")
        .contains("during iteration 1/1 of ForkedServerKilled.echo");
    assertThat(took)
        .as("100,000 calls at 10 ms would take minutes")
        .isLessThan(Duration.ofSeconds(30));
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    PeerThreads.awaitNoPeerThreads();
  }
}
