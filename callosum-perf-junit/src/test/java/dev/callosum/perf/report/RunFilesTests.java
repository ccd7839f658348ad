package dev.callosum.perf.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.Payload;
import dev.callosum.perf.Scheduler;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.ThroughputBudget;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.BenchmarkMatrix;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.measurement.CpuSplit;
import dev.callosum.perf.testing.TestKit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * What a run leaves behind, through the engine: the JSON results (valid against their schema), the
 * summary page, profiles, baselines compared, the server's leftovers checked.
 */
public class RunFilesTests {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RpcBenchmark
  static class Matrix {
    @ParameterizedTest
    @BenchmarkMatrix(
        payloads = {"64B", "4KiB"},
        schedulers = {Scheduler.EXIT_ORDERED, Scheduler.KEY_SERIALIZED})
    @Tag("throughput")
    @ThroughputBudget(min = "1/s")
    void echo(Payload payload, Scheduler scheduler, Bench bench) {
      bench
          .closedLoop(bench.server(ServerSpec.echo().scheduler(scheduler)))
          .payload(payload)
          .requests(200)
          .run();
    }

    @Test
    @Tag("latency")
    void openLoop(Bench bench) {
      var result =
          bench
              .openLoop(bench.server(ServerSpec.echo()))
              .rate(200)
              .duration(Duration.ofSeconds(1))
              .sampleEvery(Duration.ofMillis(100))
              .run();
      bench.note("Tail analysis", dev.callosum.perf.TailAnalysis.of(result, 10).describe());
    }
  }

  private static EngineExecutionResults run(Class<?> type, Path output, String... settings) {
    return TestKit.runTwice(type, output, 0, settings);
  }

  private static Path only(Path dir, String glob) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found =
          files
              .filter(
                  f -> f.getFileSystem().getPathMatcher("glob:" + glob).matches(f.getFileName()))
              .toList();
      assertThat(found).as("files %s in %s", glob, dir).hasSize(1);
      return found.get(0);
    }
  }

  /** This JVM's CPUs as a split divides them: the load generator's, then the server's. */
  public static List<String> halves() {
    List<Integer> all = CpuSplit.allowedCpus();
    assumeTrue(all.size() >= 2, "a CPU split needs two CPUs");
    int half = all.size() / 2;
    return List.of(
        CpuSplit.ranges(all.subList(0, half)), CpuSplit.ranges(all.subList(half, all.size())));
  }

  static Set<ValidationMessage> validate(JsonNode results) throws IOException {
    try (InputStream schema =
        RunFilesTests.class.getResourceAsStream(
            "/dev/callosum/perf/report/benchmark-results.schema.json")) {
      JsonSchema validator =
          JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
      return validator.validate(results);
    }
  }

  @Test
  void theJsonResultsHoldEveryBenchmarkAndValidateAgainstTheirSchema() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(Matrix.class, output, "callosum.perf.profiling", "true")
        .testEvents()
        .assertStatistics(s -> s.succeeded(5).failed(0));
    JsonNode results = JSON.readTree(only(output, "benchmark-results-*.json").toFile());
    assertThat(validate(results)).isEmpty();
    assertThat(results.path("schemaVersion").asInt()).isEqualTo(5);
    assertThat(results.path("run").path("environment").path("cores").asInt()).isPositive();
    JsonNode sut = results.path("run").path("systemUnderTest");
    assertThat(sut).hasSize(1);
    assertThat(sut.get(0).path("placement").asText()).isEqualTo("in-jvm");
    assertThat(sut.get(0).path("identity").asText()).startsWith("callosum-perf ");
    assertThat(sut.get(0).path("benchmarks").asInt()).isEqualTo(5);
    assertThat(sut.get(0).path("sharesThisMachine").asBoolean()).isTrue();
    // By default the server and the load generator each had half of this machine's CPUs.
    List<String> cpus = halves();
    assertThat(sut.get(0).path("cpus").asText())
        .isEqualTo("server " + cpus.get(1) + ", load generator " + cpus.get(0));
    assertThat(results.path("run").path("sharedCoresWarning").isMissingNode()).isTrue();
    assertThat(results.path("run").path("settings").path("iterations").asInt()).isEqualTo(2);
    assertThat(results.path("run").path("outcomes").path("passed").asInt()).isEqualTo(5);
    JsonNode benchmarks = results.path("benchmarks");
    assertThat(benchmarks).hasSize(5);
    JsonNode first = byId(benchmarks, "Matrix.echo 64 B, ExitOrdered");
    assertThat(first.path("family").asText()).isEqualTo("throughput");
    assertThat(first.path("parameters").path("payload").asText()).isEqualTo("64 B");
    assertThat(first.path("parameters").path("scheduler").asText()).isEqualTo("ExitOrdered");
    assertThat(first.path("parameters").path("placement").asText()).isEqualTo("in-jvm");
    assertThat(first.path("parameters").path("cpus").asText())
        .isEqualTo("server " + cpus.get(1) + " · load " + cpus.get(0));
    assertThat(first.path("loop").asText()).isEqualTo("closed");
    assertThat(first.path("iterations")).hasSize(2);
    assertThat(first.path("metrics").path("requests").asLong()).isEqualTo(400);
    assertThat(first.path("metrics").path("latencyNanos").path("p99").asLong()).isPositive();
    assertThat(first.path("budgets").get(0).path("kept").asBoolean()).isTrue();
    assertThat(first.path("serverState").path("pending").asInt()).isZero();
    JsonNode profile = first.path("profile");
    assertThat(output.resolve(profile.path("jfr").asText())).isRegularFile();
    assertThat(output.resolve(profile.path("flameGraph").asText())).isRegularFile();
    assertThat(profile.path("cpuSamples").asLong()).isNotNegative();
    assertThat(profile.path("allocation").path("totalBytes").asLong()).isPositive();
    JsonNode open = byId(benchmarks, "Matrix.openLoop");
    assertThat(open.path("loop").asText()).isEqualTo("open");
    assertThat(open.path("family").asText()).isEqualTo("latency");
    assertThat(open.path("metrics").path("targetRate").asDouble()).isEqualTo(200);
    assertThat(open.path("metrics").path("sendRate").asDouble()).isPositive();
    assertThat(open.path("metrics").path("loadLimit").asText())
        .isIn("none", "saturated", "generator-limited");
    JsonNode hiccups = first.path("metrics").path("machineHiccups");
    assertThat(hiccups.path("stallNanos").path("count").asLong())
        .as("1 ms sleeps measured beside the iterations")
        .isPositive();
    assertThat(hiccups.path("wakeUpNanos").path("count").asLong()).isPositive();
    assertThat(open.path("iterations").get(0).path("timeSeries").size())
        .as("100 ms intervals over a 1 s run")
        .isGreaterThanOrEqualTo(8);
    // Among its notes (a "JIT still compiling" one may come first in a young JVM):
    JsonNode tail = null;
    for (JsonNode note : open.path("notes")) {
      if (note.path("title").asText().equals("Tail analysis")) {
        tail = note;
      }
    }
    assertThat(tail).as("the tail analysis note").isNotNull();
    assertThat(tail.path("text").asText()).contains("how often: ");
    assertThat(first.path("parameters").path("content").asText()).isEqualTo("random");
    assertThat(first.path("metrics").path("cpuMicrosPerRequest").asDouble()).isPositive();
  }

  @Test
  void theSummaryPageChartsWhatVariesAndLinksTheProfiles() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(Matrix.class, output, "callosum.perf.profiling", "true", "callosum.perf.format", "html");
    try (Stream<Path> files = Files.list(output)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".json"));
    }
    String page = Files.readString(only(output, "benchmark-summary-*.html"));
    assertThat(page)
        .contains(
            "<svg",
            "Throughput against payload",
            "Executive summary",
            "Matrix.echo",
            "Matrix.openLoop",
            "server flame graph",
            "generator flame graph",
            ">wall clock</a>",
            "System under test",
            "Latency distribution of every variant (closed loop: service time)",
            "yes, on CPUs of its own: server "
                + halves().get(1)
                + ", load generator "
                + halves().get(0))
        .doesNotContain("<script src", "src=\"http", "href=\"http", "url(http")
        .doesNotContain("data-test=", "#testresult/"); // links to Allure's tests: its copy only
    // The scheduler varies with the payload: one line per scheduler.
    assertThat(page).contains(">ExitOrdered</text>", ">KeySerialized</text>");
  }

  @Test
  void aServerThatSharedTheLoadGeneratorsCpusIsWarnedAbout() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(Matrix.class, output, "callosum.perf.cpus", "shared")
        .testEvents()
        .assertStatistics(s -> s.succeeded(5).failed(0));
    JsonNode results = JSON.readTree(only(output, "benchmark-results-*.json").toFile());
    assertThat(validate(results)).isEmpty();
    assertThat(results.path("run").path("systemUnderTest").get(0).path("cpus").isNull()).isTrue();
    assertThat(results.path("run").path("sharedCoresWarning").asText())
        .startsWith("The server under test and the load generator shared this machine's ")
        .contains(results.path("run").path("environment").path("cores").asText() + " cores");
    assertThat(
            byId(results.path("benchmarks"), "Matrix.echo 64 B, ExitOrdered")
                .path("parameters")
                .path("cpus")
                .asText())
        .isEqualTo("shared");
    assertThat(Files.readString(only(output, "benchmark-summary-*.html")))
        .contains("yes, and its CPUs", "shared this machine");
  }

  /** Short iterations (about 1 s each) against a server that fails after a few. */
  @RpcBenchmark
  static class ShortIterations {
    @Test
    void echo(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.delayed(Duration.ofMillis(10)))).requests(100).run();
    }
  }

  @Test
  void aServerThatDiesAfterSomeIterationsLeavesAPartialResultSayingWhy() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    // It dies at its 250th call: two iterations of 100 are answered (no warm-up here), the third's
    // 50th is not. Counted in calls, so a JVM slow to start changes nothing.
    String server =
        Path.of(System.getProperty("java.home"), "bin", "java")
            + " -cp "
            + System.getProperty("java.class.path")
            + " dev.callosum.perf.cli.Main server --port {port} --echo-delay 10ms --crash-after 250";
    run(
        ShortIterations.class,
        output,
        "callosum.perf.iterations",
        "20",
        "callosum.perf.placement",
        "external",
        "callosum.perf.server.command",
        server,
        "callosum.perf.server.ready",
        "CALLOSUM-PERF READY");

    JsonNode results = JSON.readTree(only(output, "benchmark-results-*.json").toFile());
    assertThat(validate(results)).isEmpty();
    JsonNode record = byId(results.path("benchmarks"), "ShortIterations.echo");
    assertThat(record.path("outcome").asText()).isEqualTo("failed");
    assertThat(record.path("partial").asText())
        .contains("died")
        .contains("with status 3")
        .contains("crashing at call 250 as asked");
    assertThat(record.path("iterations").size()).isEqualTo(2);
    assertThat(record.path("failure").asText())
        .contains("the 2 iteration(s) measured before it")
        .contains("during iteration 3/20 of ShortIterations.echo");
  }

  @RpcBenchmark
  static class MeasuresByItself {
    @Test
    void compares(Bench bench) {
      bench.note("Comparison", "A against B: 101 %");
    }
  }

  @Test
  void aBenchmarkThatMeasuresByItselfIsRecordedWithItsNotes() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(MeasuresByItself.class, output).testEvents().assertStatistics(s -> s.succeeded(1));

    JsonNode results = JSON.readTree(only(output, "benchmark-results-*.json").toFile());
    assertThat(validate(results)).isEmpty();
    JsonNode record = byId(results.path("benchmarks"), "MeasuresByItself.compares");
    assertThat(record.path("outcome").asText()).isEqualTo("passed");
    assertThat(record.path("notes").get(0).path("text").asText()).isEqualTo("A against B: 101 %");
  }

  @Test
  void quickModeSaysItsNumbersAreIndicativeAndShowsNoSpreadItDoesNotHave() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(Matrix.class, output, "callosum.perf.quick", "true", "callosum.perf.iterations", "1")
        .testEvents()
        .assertStatistics(s -> s.failed(0));
    String page = Files.readString(only(output, "benchmark-summary-*.html"));

    assertThat(page).contains("QUICK MODE: one iteration").doesNotContain("± 95 % CI");
    Path full = TestKit.freshOutputDirectory();
    run(Matrix.class, full);
    assertThat(Files.readString(only(full, "benchmark-summary-*.html")))
        .doesNotContain("QUICK MODE")
        .contains("± 95 % CI");
  }

  @Test
  void theJsonAloneWhenAskedAndTheRawSamplesWhenAsked() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(Matrix.class, output, "callosum.perf.format", "json", "callosum.perf.rawSamples", "true");
    JsonNode results = JSON.readTree(only(output, "benchmark-results-*.json").toFile());
    assertThat(validate(results)).isEmpty();
    JsonNode first = byId(results.path("benchmarks"), "Matrix.echo 64 B, ExitOrdered");
    long counted = 0;
    for (JsonNode iteration : first.path("iterations")) {
      JsonNode sent = iteration.path("rawSamples").path("sentAtNanos");
      JsonNode took = iteration.path("rawSamples").path("latencyNanos");
      assertThat(sent.size()).isEqualTo(took.size()).isEqualTo(iteration.path("requests").asInt());
      for (int k = 1; k < sent.size(); k++) {
        assertThat(sent.get(k).asLong())
            .as("send order")
            .isGreaterThanOrEqualTo(sent.get(k - 1).asLong());
      }
      assertThat(sent.get(0).asLong())
          .as("from the iteration's start")
          .isBetween(0L, 5_000_000_000L);
      counted += took.size();
    }
    assertThat(counted).isEqualTo(first.path("metrics").path("samples").asLong()).isEqualTo(400);
    JsonNode open = byId(results.path("benchmarks"), "Matrix.openLoop");
    assertThat(open.path("iterations").get(0).path("rawSamples").path("latencyNanos").size())
        .isEqualTo(open.path("iterations").get(0).path("requests").asInt())
        .isEqualTo(200);
    // Profiling is off and the budgets held: no profile.
    assertThat(first.has("profile")).isFalse();
    try (Stream<Path> files = Files.list(output)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".html"));
    }
  }

  @RpcBenchmark
  static class Impossible {
    @Test
    @LatencyBudget(percentile = 50, max = "1ns")
    void tooFast(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(100).run();
    }
  }

  @Test
  void aBrokenBudgetAlwaysBringsItsProfile() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    assertThat(TestKit.failures(run(Impossible.class, output)))
        .singleElement()
        .asString()
        .startsWith("budget broken: p50 latency was");
    JsonNode b =
        JSON.readTree(only(output, "benchmark-results-*.json").toFile()).path("benchmarks").get(0);
    assertThat(b.path("outcome").asText()).isEqualTo("failed");
    assertThat(b.path("failure").asText()).contains("over the budget of 1 ns");
    assertThat(b.path("budgets").get(0).path("kept").asBoolean()).isFalse();
    assertThat(output.resolve(b.path("profile").path("jfr").asText())).isRegularFile();
  }

  @RpcBenchmark
  static class Leaky {
    @Test
    void repliesToNothing(Bench bench) {
      // A handler that never answers: every call times out, and the server still holds them.
      var server =
          bench.server(ServerSpec.handler("never answers", request -> new CompletableFuture<>()));
      bench.closedLoop(server).clients(2).requests(4).timeout(Duration.ofMillis(200)).run();
    }
  }

  @Test
  void requestsLeftOnTheServerFailTheBenchmarkAsALeak() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    assertThat(TestKit.failures(run(Leaky.class, output, "callosum.perf.iterations", "1")))
        .singleElement()
        .asString()
        .startsWith("requests left on the server after Leaky.repliesToNothing:")
        .contains("pending", "(the scheduler leaks)");
    JsonNode b =
        JSON.readTree(only(output, "benchmark-results-*.json").toFile()).path("benchmarks").get(0);
    assertThat(b.path("serverState").path("pending").asInt()).isPositive();
    assertThat(b.path("metrics").path("errors").path("timeout").asLong()).isPositive();
  }

  @Test
  void aRunComparedWithADegradedCopyOfItselfFailsAndWithABetterOneWarnsNothing()
      throws IOException {
    Path first = TestKit.freshOutputDirectory();
    run(Matrix.class, first).testEvents().assertStatistics(s -> s.succeeded(5));
    Path json = only(first, "benchmark-results-*.json");

    // A baseline 100 times faster than anything this machine does: every benchmark regressed.
    ObjectNode faster = (ObjectNode) JSON.readTree(json.toFile());
    scale(faster, 100);
    Path fast = first.resolve("faster-baseline.json");
    JSON.writeValue(fast.toFile(), faster);
    Path second = TestKit.freshOutputDirectory();
    List<String> failed =
        TestKit.failures(run(Matrix.class, second, "callosum.perf.baseline", fast.toString()));
    assertThat(failed)
        .hasSize(5)
        .allSatisfy(
            m ->
                assertThat(m)
                    .contains(
                        "regressed against the baseline faster-baseline.json: throughput down")
                    .contains("beyond the 25.0 % failing threshold and the runs' spread"));
    assertThat(failed)
        .anySatisfy(
            m ->
                assertThat(m)
                    .startsWith(
                        "Matrix.echo 64 B, ExitOrdered" + " regressed against the baseline"));
    JsonNode compared = JSON.readTree(only(second, "benchmark-results-*.json").toFile());
    assertThat(validate(compared)).isEmpty();
    assertThat(compared.path("benchmarks").get(0).path("baseline").path("verdict").asText())
        .isEqualTo("fail");

    // A baseline 100 times slower: everything improved, nothing fails.
    ObjectNode slower = (ObjectNode) JSON.readTree(json.toFile());
    scale(slower, 0.01);
    Path slow = first.resolve("slower-baseline.json");
    JSON.writeValue(slow.toFile(), slower);
    Path third = TestKit.freshOutputDirectory();
    run(Matrix.class, third, "callosum.perf.baseline", slow.toString())
        .testEvents()
        .assertStatistics(s -> s.succeeded(5).failed(0));
    JsonNode better = JSON.readTree(only(third, "benchmark-results-*.json").toFile());
    for (JsonNode b : better.path("benchmarks")) {
      // Better by 99 %: improved, or, where two iterations spread too widely, "same" with a
      // sentence saying it could not tell.
      JsonNode throughput = b.path("baseline").path("changes").get(0);
      assertThat(throughput.path("verdict").asText()).isIn("improved", "same");
      assertThat(throughput.path("sentence").asText())
          .startsWith("throughput up ")
          .containsAnyOf("better beyond the 10.0 % threshold");
    }
  }

  /**
   * Makes every benchmark's iterations alike (no spread) at {@code factor} times its mean
   * throughput and its mean p99 divided by it.
   */
  private static void scale(ObjectNode results, double factor) {
    for (JsonNode b : results.path("benchmarks")) {
      double throughput = 0;
      double p99 = 0;
      for (JsonNode i : b.path("iterations")) {
        throughput += i.path("throughput").asDouble() / b.path("iterations").size();
        p99 += i.path("latencyNanos").path("p99").asDouble() / b.path("iterations").size();
      }
      for (JsonNode i : b.path("iterations")) {
        ((ObjectNode) i).put("throughput", throughput * factor);
        ((ObjectNode) i.path("latencyNanos")).put("p99", Math.max(1, Math.round(p99 / factor)));
      }
    }
  }

  private static JsonNode byId(JsonNode benchmarks, String id) {
    for (JsonNode b : benchmarks) {
      if (b.path("id").asText().equals(id)) {
        return b;
      }
    }
    throw new AssertionError("no benchmark " + id + " in " + benchmarks.findValuesAsText("id"));
  }

  @Test
  void filesOfTheSameSecondDoNotOverwriteEachOther() {
    Path output = TestKit.freshOutputDirectory();
    ReportSettings settings =
        new ReportSettings(output, true, true, false, null, 0.1, 0.25, false, null, false);
    RunReport run = new RunReport(java.util.Map.of("quick", false), settings);
    List<Path> first = run.finish();
    List<Path> second = run.finish();
    assertThat(first).hasSize(2).allSatisfy(p -> assertThat(p).isRegularFile());
    assertThat(second)
        .hasSize(2)
        .doesNotContainAnyElementsOf(first)
        .allSatisfy(p -> assertThat(p.getFileName().toString()).contains("-2."));
  }

  @Test
  void listingNamesEveryBenchmarkAndRunsNone() {
    java.io.PrintStream original = System.out;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    EngineExecutionResults results;
    try {
      results = run(Matrix.class, TestKit.freshOutputDirectory(), "callosum.perf.list", "true");
    } finally {
      System.setOut(original);
    }
    results.testEvents().assertStatistics(s -> s.skipped(5).started(0));
    assertThat(
            captured
                .toString(java.nio.charset.StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.startsWith("callosum-perf: benchmark ")))
        .containsExactlyInAnyOrder(
            "callosum-perf: benchmark Matrix.echo 64 B, ExitOrdered  [perf, throughput]",
            "callosum-perf: benchmark Matrix.echo 64 B, KeySerialized  [perf, throughput]",
            "callosum-perf: benchmark Matrix.echo 4 KiB, ExitOrdered  [perf, throughput]",
            "callosum-perf: benchmark Matrix.echo 4 KiB, KeySerialized  [perf, throughput]",
            "callosum-perf: benchmark Matrix.openLoop  [latency, perf]");
  }

  @Test
  void aBaselineThatIsNotOneIsRefusedNamingTheFile() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    Path bogus = output.resolve("bogus.json");
    Files.writeString(bogus, "{\"hello\": 1}");
    assertThat(
            TestKit.failures(
                run(Impossible.class, output, "callosum.perf.baseline", bogus.toString())))
        .singleElement()
        .asString()
        .isEqualTo(
            "the baseline "
                + bogus
                + " is not a callosum-perf benchmark-results file"
                + " (its \"schema\" field is not \"callosum-perf/benchmark-results\")");
  }
}
