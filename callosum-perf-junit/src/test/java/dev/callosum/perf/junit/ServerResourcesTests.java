package dev.callosum.perf.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.Payload;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.measurement.ServerResources;
import dev.callosum.perf.testing.TestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The server under test's CPU, memory and threads, for each placement, beside the generator's. */
class ServerResourcesTests {
  static final List<BenchmarkResult> SEEN = new CopyOnWriteArrayList<>();

  private static String standIn(String mode) {
    return Path.of(System.getProperty("java.home"), "bin", "java")
        + " -Xmx1g -cp "
        + System.getProperty("java.class.path")
        + " dev.callosum.perf.testing.StandInServer "
        + mode
        + " {port}";
  }

  @BeforeEach
  void clear() {
    SEEN.clear();
  }

  @RpcBenchmark
  static class TwoSeconds {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) {
      SEEN.add(
          bench
              .closedLoop(bench.server(ServerSpec.echo()))
              .payload(Payload.parse("1KiB"))
              .duration(Duration.ofSeconds(2))
              .run());
    }
  }

  @RpcBenchmark
  static class ManySmall {
    @org.junit.jupiter.api.Test
    void echo(Bench bench) {
      SEEN.add(
          bench
              .closedLoop(bench.server(ServerSpec.echo()))
              .clients(2)
              .payload(Payload.parse("64B"))
              .requests(3_000)
              .run());
    }
  }

  private static EngineExecutionResults run(
      Class<?> benchmarks, Path output, Map<String, String> settings) {
    return TestKit.jupiter(output)
        .selectors(selectClass(benchmarks))
        .configurationParameter("callosum.perf.warmups", "0")
        .configurationParameters(settings)
        .execute();
  }

  private static Map<String, String> external(String command) {
    return Map.of(
        "callosum.perf.placement", "external",
        "callosum.perf.server.command", command,
        "callosum.perf.server.ready", "READY");
  }

  @Test
  void aServerThatBurnsOneCoreShowsAboutOneCoreOfCpuAndItsMemoryAndThreads() throws Exception {
    Path output = TestKit.freshOutputDirectory();
    Map<String, String> settings = new java.util.HashMap<>(external(standIn("burn")));
    settings.put("callosum.perf.iterations", "1");
    run(TwoSeconds.class, output, settings)
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));

    ServerResources server = SEEN.get(0).serverResources().orElseThrow();
    assertThat(server.source()).startsWith("/proc/").endsWith("(the server's process)");
    assertThat(server.inThisJvm()).isFalse();
    // a spinning thread for the ~2 s iteration: about one core, whatever else the machine did
    assertThat(server.cpuNanos() / 1e9).isBetween(1.0, 4.5);
    assertThat(server.lastRssBytes()).isGreaterThan(10L << 20);
    assertThat(server.peakRssBytes()).isGreaterThanOrEqualTo(server.lastRssBytes());
    assertThat(server.threads()).isGreaterThan(2);
    // The load generator's own threads: part of this process's CPU, never all of it (JUnit, JIT).
    assertThat(SEEN.get(0).loadGeneratorCpuMicrosPerRequest())
        .isPositive()
        .isLessThan(SEEN.get(0).cpuMicrosPerRequest());
    // Each interval of the time series has the server's CPU and memory: about a core busy.
    assertThat(server.intervals()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(server.intervals())
        .allSatisfy(
            i -> {
              assertThat(i.iteration()).isEqualTo(1);
              assertThat(i.rssBytes()).isGreaterThan(10L << 20);
            });
    double busiest =
        server.intervals().stream()
            .mapToDouble(i -> i.cpuCores())
            .filter(Double::isFinite)
            .max()
            .orElse(0);
    assertThat(busiest).isBetween(0.5, 2.5);
    assertThat(dev.callosum.perf.report.BenchmarkCharts.serverOverTime(SEEN.get(0)))
        .extracting(java.util.Map.Entry::getKey)
        .containsExactly("Server CPU over time", "Server memory over time");

    JsonNode metrics =
        new ObjectMapper()
            .readTree(TestKit.resultsJson(output))
            .path("benchmarks")
            .get(0)
            .path("metrics");
    assertThat(metrics.path("serverResources").path("cpuSeconds").asDouble()).isGreaterThan(1.0);
    assertThat(metrics.path("serverResources").path("rssBytesByIteration").get(0).asLong())
        .isPositive();
    assertThat(metrics.path("loadGeneratorCpuMicrosPerRequest").asDouble()).isPositive();
  }

  @Test
  void aServerThatKeepsMemoryPerRequestIsFlaggedAsGrowing() throws Exception {
    Path output = TestKit.freshOutputDirectory();
    Map<String, String> settings = new java.util.HashMap<>(external(standIn("hoard")));
    settings.put("callosum.perf.iterations", "3");
    run(ManySmall.class, output, settings)
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));

    ServerResources server = SEEN.get(0).serverResources().orElseThrow();
    // 3,000 requests of 32 KiB kept per iteration: ~94 MiB more each time
    assertThat(server.rssBytes()).hasSize(3).isSorted();
    assertThat(server.possibleLeak())
        .hasValueSatisfying(
            leak ->
                assertThat(leak).startsWith("the server's resident memory grew every iteration"));
    assertThat(TestKit.resultsJson(output)).contains("\"possibleLeak\"");
  }

  @Test
  void aServerInThisJvmCountsItsOwnThreadsAndTheGeneratorTheRest() {
    run(ManySmall.class, TestKit.freshOutputDirectory(), Map.of("callosum.perf.iterations", "1"))
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(1));

    BenchmarkResult result = SEEN.get(0);
    ServerResources server = result.serverResources().orElseThrow();
    assertThat(server.inThisJvm()).isTrue();
    assertThat(server.source()).startsWith("the server's threads in this JVM (callosum-server-");
    assertThat(server.cpuNanos()).isPositive();
    assertThat(server.lastRssBytes()).as("its memory is this JVM's: unknown").isEqualTo(-1);
    assertThat(result.loadGeneratorCpuMicrosPerRequest())
        .isLessThan(result.cpuMicrosPerRequest())
        .isPositive();
  }

  @Test
  void aRemoteServersFiguresAreUnknownAndSaidToBe() {
    try (var remote = dev.callosum.perf.fixtures.ManagedServers.inJvm(ServerSpec.echo())) {
      run(
              ManySmall.class,
              TestKit.freshOutputDirectory(),
              Map.of("callosum.perf.iterations", "1", "callosum.perf.target", remote.endpoint()))
          .testEvents()
          .assertStatistics(stats -> stats.succeeded(1));
    }
    assertThat(SEEN.get(0).serverResources()).isEmpty();
    assertThat(dev.callosum.perf.report.ConsoleReport.cpuLine(SEEN.get(0)))
        .contains("server CPU and memory unknown (remote)");
  }
}
