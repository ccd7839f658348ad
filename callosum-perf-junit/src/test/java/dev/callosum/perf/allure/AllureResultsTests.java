package dev.callosum.perf.allure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.Payload;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.BenchmarkMatrix;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.report.RunFilesTests;
import dev.callosum.perf.testing.TestKit;
import io.qameta.allure.Allure;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.FileSystemResultsWriter;
import io.qameta.allure.junitplatform.AllureJunitPlatform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Allure results of a small run, as allure-junit5 writes them with the extension's additions:
 * parameters, labels, description, attachments; and the run's environment, categories and summary
 * entry. Runs through a real launcher with Allure's listener, into a fresh directory.
 */
class AllureResultsTests {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RpcBenchmark
  static class Small {
    @ParameterizedTest
    @BenchmarkMatrix(
        payloads = {"64B", "1KiB"},
        clients = {2})
    @Tag("throughput")
    void echo(Payload payload, int clients, Bench bench) {
      bench
          .closedLoop(bench.server(ServerSpec.echo()))
          .payload(payload)
          .clients(clients)
          .requests(200)
          .run();
    }

    @Test
    @Tag("throughput")
    void measuresByItself() {
      // like PeerOverheadBenchmarks: an @RpcBenchmark that needs no Bench
    }

    @Test
    @Tag("latency")
    @LatencyBudget(percentile = 50, max = "1ns")
    void impossible(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(100).run();
    }
  }

  private record Run(Path results, List<JsonNode> tests) {
    JsonNode named(String prefix) {
      return tests.stream()
          .filter(t -> t.path("name").asText().startsWith(prefix))
          .findFirst()
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no Allure result named "
                          + prefix
                          + "* in "
                          + tests.stream().map(t -> t.path("name").asText()).toList()));
    }

    Map<String, String> parameters(JsonNode test) {
      Map<String, String> map = new HashMap<>();
      test.path("parameters")
          .forEach(p -> map.put(p.path("name").asText(), p.path("value").asText()));
      return map;
    }

    Map<String, String> labels(JsonNode test) {
      Map<String, String> map = new HashMap<>();
      test.path("labels").forEach(l -> map.put(l.path("name").asText(), l.path("value").asText()));
      return map;
    }

    Map<String, JsonNode> attachments(JsonNode test) {
      Map<String, JsonNode> map = new HashMap<>();
      test.path("attachments").forEach(a -> map.put(a.path("name").asText(), a));
      return map;
    }
  }

  private static Run run(String profiling) throws IOException {
    return run(Small.class, Map.of("callosum.perf.profiling", profiling));
  }

  private static Run run(Class<?> benchmarks, Map<String, String> settings) throws IOException {
    Path results = TestKit.freshOutputDirectory().resolve("allure-results");
    Files.createDirectories(results);
    AllureLifecycle previous = Allure.getLifecycle();
    AllureLifecycle lifecycle = new AllureLifecycle(new FileSystemResultsWriter(results));
    Allure.setLifecycle(lifecycle);
    try {
      Launcher launcher =
          LauncherFactory.create(
              LauncherConfig.builder()
                  .enableTestExecutionListenerAutoRegistration(false)
                  .addTestExecutionListeners(new AllureJunitPlatform(lifecycle))
                  .build());
      LauncherDiscoveryRequest request =
          LauncherDiscoveryRequestBuilder.request()
              .selectors(selectClass(benchmarks))
              .enableImplicitConfigurationParameters(false)
              .configurationParameter("callosum.perf.iterations", "2")
              .configurationParameter("callosum.perf.warmups", "0")
              .configurationParameters(settings)
              .configurationParameter("callosum.perf.outputDir", results.getParent().toString())
              .build();
      launcher.execute(request);
    } finally {
      Allure.setLifecycle(previous);
    }
    List<JsonNode> tests = new ArrayList<>();
    try (Stream<Path> files = Files.list(results)) {
      for (Path f : files.filter(f -> f.toString().endsWith("-result.json")).toList()) {
        tests.add(JSON.readTree(f.toFile()));
      }
    }
    return new Run(results, tests);
  }

  @RpcBenchmark(placement = dev.callosum.perf.Placement.FORKED)
  static class Forked {
    @Test
    @Tag("throughput")
    void echo(Bench bench) {
      bench
          .closedLoop(bench.server(ServerSpec.echo()))
          .duration(java.time.Duration.ofMillis(1500))
          .run();
    }
  }

  @Test
  void aServerProfilersFilesAndTheServersCpuAndMemoryChartsAreAttached() throws IOException {
    Run run =
        run(
            Forked.class,
            Map.of(
                "callosum.perf.server.profiler",
                "sh -c 'echo profiled {pid} for {seconds} s > {out}.txt; sleep 60'"));
    JsonNode echo = run.named("echo");
    Map<String, JsonNode> attachments = run.attachments(echo);
    List<String> profiles =
        attachments.keySet().stream().filter(n -> n.startsWith("Server profile: ")).toList();
    // One: beside the profiled iteration after the measured ones.
    assertThat(profiles).hasSize(1).allSatisfy(n -> assertThat(n).endsWith(".txt"));
    for (String name : profiles) {
      JsonNode a = attachments.get(name);
      assertThat(a.path("type").asText()).isEqualTo("text/plain");
      assertThat(Files.readString(run.results().resolve(a.path("source").asText())))
          .startsWith("profiled ")
          .contains(" for 2 s");
    }
    assertThat(attachments).containsKeys("Server CPU over time", "Server memory over time");
    assertThat(attachments.get("Server memory over time").path("type").asText())
        .isEqualTo("image/svg+xml");
  }

  @Test
  void eachInvocationCarriesItsParametersLabelsDescriptionAndAttachments() throws IOException {
    Run run = run("true");
    JsonNode echo = run.named("echo 64 B, 2 clients");
    assertThat(echo.path("status").asText()).isEqualTo("passed");
    assertThat(run.parameters(echo))
        .containsEntry("payload", "64 B")
        .containsEntry("clients", "2")
        .containsEntry("scheduler", "ExitOrdered")
        .containsEntry("compression", "off")
        .containsEntry("auth", "none")
        .containsEntry("placement", "in-jvm")
        .containsEntry("loop", "closed");
    assertThat(run.labels(echo))
        .containsEntry("epic", AllureReport.EPIC)
        .containsEntry("feature", "throughput")
        .containsEntry("story", "Small.echo");
    assertThat(run.labels(run.named("measuresByItself")))
        .containsEntry("epic", AllureReport.EPIC)
        .containsEntry("feature", "throughput")
        .containsEntry("story", "Small.measuresByItself");
    assertThat(echo.path("descriptionHtml").asText())
        .contains("throughput", "req/s", "p99", "ExitOrdered");
    Map<String, JsonNode> attachments = run.attachments(echo);
    assertThat(attachments)
        .containsKeys(
            "Summary",
            "Latency by percentile",
            "Latency percentile distribution (.hgrm, µs)",
            "Throughput over time",
            "p99 latency over time",
            "Result (JSON)",
            "Profile summary",
            "Flame graph (CPU, server under test)",
            "Flame graph (CPU, load generator)",
            "Flame graph (CPU, every thread)",
            "Flame graph (wall clock, every thread, running or waiting)",
            "JFR recording (open in JDK Mission Control)");
    assertThat(attachments.get("Latency by percentile").path("type").asText())
        .isEqualTo("image/svg+xml");
    for (JsonNode a : attachments.values()) {
      assertThat(run.results().resolve(a.path("source").asText())).isRegularFile();
    }
    String svg =
        Files.readString(
            run.results()
                .resolve(attachments.get("Latency by percentile").path("source").asText()));
    assertThat(svg).startsWith("<svg").contains("99%").doesNotContain("<script");
    assertThat(
            Files.readString(
                run.results().resolve(attachments.get("Profile summary").path("source").asText())))
        .contains("WALL CLOCK", "server under test, callosum-server-N (1 thread), where");
    String hgrm =
        Files.readString(
            run.results()
                .resolve(
                    attachments
                        .get("Latency percentile distribution (.hgrm, µs)")
                        .path("source")
                        .asText()));
    assertThat(hgrm)
        .contains(
            "Value     Percentile TotalCount 1/(1-Percentile)", "Total count    =          400]");
    JsonNode result =
        JSON.readTree(
            run.results()
                .resolve(attachments.get("Result (JSON)").path("source").asText())
                .toFile());
    assertThat(result.path("metrics").path("requests").asLong()).isEqualTo(400);
  }

  @Test
  void aBrokenBudgetIsAFailedTestWithItsProfileEvenWithProfilingOff() throws IOException {
    Run run = run("false");
    JsonNode impossible = run.named("impossible");
    assertThat(impossible.path("status").asText()).isEqualTo("failed");
    assertThat(impossible.path("statusDetails").path("message").asText())
        .startsWith("budget broken: p50 latency was");
    assertThat(run.labels(impossible)).containsEntry("feature", "latency");
    assertThat(run.attachments(impossible))
        .containsKeys("Profile summary", "JFR recording (open in JDK Mission Control)");
    // Passed benchmarks have no profile when profiling is off.
    assertThat(run.attachments(run.named("echo 1 KiB, 2 clients")))
        .doesNotContainKey("Profile summary");
  }

  @Test
  void theRunWritesItsEnvironmentCategoriesAndASummaryEntry() throws IOException {
    Run run = run("false");
    String environment = Files.readString(run.results().resolve("environment.properties"));
    assertThat(environment)
        .contains(
            "loadGenerator.cores = ",
            "loadGenerator.jvm = ",
            "loadGenerator.commit = ",
            "quick = false",
            "iterations = 2")
        .containsPattern("systemUnderTest = in-jvm: callosum-perf .* java .*results; e.g. ")
        .contains(
            "systemUnderTest.cpus = server "
                + RunFilesTests.halves().get(1)
                + ", load generator "
                + RunFilesTests.halves().get(0))
        .doesNotContain("systemUnderTest.sharesCores");
    java.util.Properties parsed = new java.util.Properties();
    parsed.load(new java.io.StringReader(environment));
    assertThat(parsed.getProperty("systemUnderTest")).startsWith("in-jvm: ");
    JsonNode categories = JSON.readTree(run.results().resolve("categories.json").toFile());
    assertThat(categories.findValuesAsText("name"))
        .contains(
            "Budget broken",
            "Regression against the baseline",
            "Requests left on the server (leak)",
            "RPC errors",
            "Infrastructure failure");
    // The category's pattern matches the failure the extension writes.
    String budget = categories.get(0).path("messageRegex").asText();
    assertThat(run.named("impossible").path("statusDetails").path("message").asText())
        .matches(budget);
    JsonNode summary = run.named("Run summary");
    assertThat(run.labels(summary)).containsEntry("feature", "run summary");
    // Small.impossible broke its budget: the run's entry is red too, not a false green
    assertThat(summary.path("status").asText()).isEqualTo("failed");
    assertThat(summary.path("statusDetails").path("message").asText())
        .isEqualTo("3 benchmarks, 1 failed or broken");
    Map<String, JsonNode> attachments = run.attachments(summary);
    assertThat(attachments).containsKeys("Benchmark summary", "Benchmark results (JSON)");
    String page =
        Files.readString(
            run.results().resolve(attachments.get("Benchmark summary").path("source").asText()));
    assertThat(page).contains("Executive summary", "Small.echo", "Small.impossible");
    // Each row names its test as Allure's results do, for the page's script to link it once the
    // report gives the tests their ids; the page on disk, beside its profiles, needs no script.
    for (String test : List.of("echo", "impossible")) {
      String uniqueId = run.labels(run.named(test)).get("junit.platform.uniqueid");
      assertThat(uniqueId).contains(test);
      assertThat(page).contains("data-test=\"" + uniqueId + "\"");
    }
    assertThat(page).contains("junit.platform.uniqueid", "#testresult/");
  }

  /** Allure files a failure under the first category whose pattern matches its message. */
  private static String categoryOf(JsonNode categories, String message) {
    for (JsonNode c : categories) {
      String regex = c.path("messageRegex").asText("");
      if (!regex.isEmpty() && message.matches(regex)) {
        return c.path("name").asText();
      }
    }
    return "none";
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "the server command (pid 7) at tcp://127.0.0.1:5 died 4.1 s after it was ready, killed by"
            + " SIGKILL (status 137); its last output: x, during iteration 1/3 of A.b | Server died",
        "echo (server command, pid 7) is alive but answered nothing for 10.0 s while calls"
            + " waited, the stall limit | Server hung (alive, not answering)",
        "the server command `x` exited with status 1 before it was ready; it printed nothing"
            + " | Server could not start (infrastructure)",
        "budget broken: p99 latency was 9 ms | Budget broken"
      })
  void failuresAreFiledUnderTheCategoryThatNamesThem(String message, String category)
      throws IOException {
    JsonNode categories = JSON.readTree(AllureReport.CATEGORIES);

    assertThat(categoryOf(categories, message.strip())).isEqualTo(category.strip());
  }
}
