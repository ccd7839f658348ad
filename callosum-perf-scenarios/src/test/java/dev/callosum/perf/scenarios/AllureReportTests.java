package dev.callosum.perf.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import io.qameta.allure.Allure;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.FileSystemResultsWriter;
import io.qameta.allure.junitplatform.AllureJunitPlatform;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The Allure report made offline from a small run's results, by allure-commandline 2.34.0 (from
 * Maven Central, unpacked by the build) with the Benchmarks tab plugin, as {@code -Pperf} does.
 */
class AllureReportTests {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RpcBenchmark
  static class Small {
    @Test
    @Tag("throughput")
    void echo(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(200).run();
    }

    @Test
    @Tag("latency")
    @LatencyBudget(percentile = 50, max = "1ns")
    void impossible(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(100).run();
    }
  }

  @Test
  void theReportGeneratesOfflineWithTheBenchmarksTabAndTheBenchmarks() throws Exception {
    Path work =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target")), "allure-report-test-");
    Path results = Files.createDirectories(work.resolve("allure-results"));
    AllureLifecycle previous = Allure.getLifecycle();
    AllureLifecycle lifecycle = new AllureLifecycle(new FileSystemResultsWriter(results));
    Allure.setLifecycle(lifecycle);
    try {
      LauncherFactory.create(
              LauncherConfig.builder()
                  .enableTestExecutionListenerAutoRegistration(false)
                  .addTestExecutionListeners(new AllureJunitPlatform(lifecycle))
                  .build())
          .execute(
              LauncherDiscoveryRequestBuilder.request()
                  .selectors(selectClass(Small.class))
                  .enableImplicitConfigurationParameters(false)
                  .configurationParameter("callosum.perf.iterations", "1")
                  .configurationParameter("callosum.perf.warmups", "0")
                  .configurationParameter("callosum.perf.outputDir", work.resolve("out").toString())
                  .build());
    } finally {
      Allure.setLifecycle(previous);
    }

    // What the build does between the benchmarks and the report: the summary to the tab.
    Path home = Path.of(System.getProperty("allure.home"));
    Path tab = home.resolve("plugins/callosum-benchmarks-plugin/static");
    Files.copy(
        results.resolve("callosum-perf-summary.html"),
        tab.resolve("callosum-perf-summary.html"),
        StandardCopyOption.REPLACE_EXISTING);
    Path report = work.resolve("allure-report");
    Process allure =
        new ProcessBuilder(
                home.resolve("bin/allure").toString(),
                "generate",
                results.toString(),
                "-o",
                report.toString(),
                "--clean")
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("allure.log").toFile())
            .start();
    assertThat(allure.waitFor(120, TimeUnit.SECONDS)).as("allure generate finished").isTrue();
    assertThat(allure.exitValue()).as(Files.readString(work.resolve("allure.log"))).isZero();

    assertThat(report.resolve("index.html")).isRegularFile();
    assertThat(Files.readString(report.resolve("index.html")))
        .contains("plugin/callosum-benchmarks/index.js");
    assertThat(
            Files.readString(
                report.resolve("plugin/callosum-benchmarks/callosum-perf-summary.html")))
        .contains("Executive summary", "Small.echo", "Small.impossible");
    List<JsonNode> tests = new ArrayList<>();
    try (Stream<Path> files = Files.list(report.resolve("data/test-cases"))) {
      for (File f : files.map(Path::toFile).toList()) {
        tests.add(JSON.readTree(f));
      }
    }
    assertThat(tests)
        .extracting(t -> t.path("name").asText() + ": " + t.path("status").asText())
        // the run's entry carries the run's status: one benchmark failed, so it is red too
        .containsExactlyInAnyOrder("echo: passed", "impossible: failed", "Run summary: failed");
    JsonNode categories = JSON.readTree(report.resolve("data/categories.json").toFile());
    assertThat(categories.path("children"))
        .extracting(c -> c.path("name").asText())
        .containsExactly("Budget broken", "The run (its summary entry)");
    assertThat(Files.readString(report.resolve("widgets/environment.json")))
        .contains("\"loadGenerator.cores\"", "\"loadGenerator.commit\"", "\"systemUnderTest\"")
        .contains("(2 results; e.g. echo \u00b7 ExitOrdered");
  }
}
