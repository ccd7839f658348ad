package dev.callosum.perf.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.fixtures.PythonCallosum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The scenario suite in quick mode against real Python Callosum ({@code placement=python}), with
 * the budgets of the scenarios' {@code junit-platform.properties}: what {@code mvn -B verify -Pperf
 * -Dcallosum.perf.quick=true -Dcallosum.perf.placement=python} runs, without the reports' Allure
 * step. Skipped, saying why, where no Python here imports callosum, unless {@code
 * callosum.perf.python.required=true} (as {@code .ci/run} sets it where it installs it).
 */
@Tag("python")
class PythonSuiteTests {

  @Test
  void theQuickSuitePassesAgainstPythonCallosum() throws Exception {
    String named = System.getProperty("callosum.perf.python");
    named = named == null || named.isBlank() ? null : named.trim();
    if (!Boolean.getBoolean("callosum.perf.python.required")) {
      try {
        PythonCallosum.find(named);
      } catch (IllegalStateException e) {
        Assumptions.abort("skipped: no Python Callosum here: " + e.getMessage());
      }
    }
    Path output =
        Files.createTempDirectory(Files.createDirectories(Path.of("target")), "python-suite-");
    EngineTestKit.Builder kit =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("callosum.perf.quick", "true")
            .configurationParameter("callosum.perf.placement", "python")
            .configurationParameter("callosum.perf.outputDir", output.toString())
            .selectors(
                selectClass(EchoBenchmarks.class),
                selectClass(ThroughputBenchmarks.class),
                selectClass(LatencyBenchmarks.class),
                selectClass(FeatureBenchmarks.class),
                selectClass(CalibrationBenchmarks.class));
    if (named != null) {
      kit.configurationParameter("callosum.perf.python", named);
    }
    // The test kit reads no junit-platform.properties by itself; the suite's budgets live there.
    java.util.Properties suite = new java.util.Properties();
    try (var in = PythonSuiteTests.class.getResourceAsStream("/junit-platform.properties")) {
      suite.load(in);
    }
    suite.stringPropertyNames().forEach(k -> kit.configurationParameter(k, suite.getProperty(k)));
    EngineExecutionResults results = kit.execute();

    List<String> failures = new ArrayList<>();
    for (Event event : results.testEvents().failed().list()) {
      failures.add(
          event.getTestDescriptor().getDisplayName()
              + ": "
              + event
                  .getPayload(TestExecutionResult.class)
                  .flatMap(TestExecutionResult::getThrowable)
                  .map(Throwable::getMessage)
                  .orElse("?"));
    }
    assertThat(failures).as("benchmarks that failed against Python Callosum").isEmpty();
    // Only the benchmark whose server is a custom Java handler is skipped, saying so.
    assertThat(results.testEvents().aborted().list())
        .extracting(
            e ->
                e.getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable)
                    .map(Throwable::getMessage)
                    .orElse(""))
        .singleElement()
        .asString()
        .contains("freezesOpenLoop needs a server with a custom handler")
        .contains("callosum.perf.placement is python");

    Path json;
    try (Stream<Path> files = Files.list(output)) {
      json =
          files
              .filter(f -> f.getFileName().toString().matches("benchmark-results-.*\\.json"))
              .findFirst()
              .orElseThrow();
    }
    JsonNode benchmarks = new ObjectMapper().readTree(json.toFile()).path("benchmarks");
    List<String> servers = new ArrayList<>();
    benchmarks.forEach(b -> servers.add(b.path("server").asText()));
    assertThat(servers).hasSizeGreaterThan(40);
    assertThat(servers.stream().filter(s -> s.contains("(Python server, pid ")))
        .as("benchmarks measured against the Python server")
        .hasSizeGreaterThan(40)
        .allSatisfy(s -> assertThat(s).containsPattern(", callosum \\S+ python 3\\."));
    assertThat(json).content().contains("Budgets not judged");
  }
}
