package dev.callosum.perf.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.ThroughputBudget;
import dev.callosum.perf.peer.Handler;
import dev.callosum.perf.testing.TestKit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import one.profiler.AsyncProfilerLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * No profiler runs while a benchmark measures: its profile comes from one more iteration after the
 * measured ones, whose numbers stand beside the result's and are never counted in them. Checked
 * through the engine, asking async-profiler itself at every call whether it is sampling.
 */
class ProfiledIterationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int REQUESTS = 100;

  /** Whether async-profiler was sampling, at each call the server answered, in order. */
  private static final List<Boolean> SAMPLING = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void clear() {
    SAMPLING.clear();
  }

  /** An echo that asks async-profiler, at each call, whether it is sampling this JVM. */
  private static ServerSpec echoAskingTheProfiler() {
    Handler echo =
        request -> {
          String status = AsyncProfilerLoader.load().execute("status");
          SAMPLING.add(!status.contains("not active"));
          return CompletableFuture.completedFuture(request.body());
        };
    return ServerSpec.handler("echo asking the profiler", echo);
  }

  @RpcBenchmark
  static class Asking {
    @Test
    void echo(Bench bench) {
      bench.closedLoop(bench.server(echoAskingTheProfiler())).requests(REQUESTS).run();
    }
  }

  @RpcBenchmark
  static class TwoRuns {
    @Test
    void echo(Bench bench) {
      var server = bench.server(ServerSpec.echo());
      bench.closedLoop(server).requests(REQUESTS).label("first").run();
      bench.closedLoop(server).requests(REQUESTS).label("second").run();
    }
  }

  @RpcBenchmark
  static class Budgeted {
    @Test
    @ThroughputBudget(min = "10000000/s") // no machine does ten million calls a second
    void broken(Bench bench) {
      bench.closedLoop(bench.server(echoAskingTheProfiler())).requests(REQUESTS).run();
    }

    @Test
    @LatencyBudget(percentile = 50, max = "10s")
    void kept(Bench bench) {
      bench.closedLoop(bench.server(echoAskingTheProfiler())).requests(REQUESTS).run();
    }
  }

  private static EngineExecutionResults run(Class<?> type, Path output, String... settings) {
    return TestKit.runTwice(type, output, 1, settings);
  }

  private static JsonNode benchmarks(Path output) throws IOException {
    return JSON.readTree(TestKit.resultsJson(output)).path("benchmarks");
  }

  private static JsonNode named(JsonNode benchmarks, String method) {
    for (JsonNode b : benchmarks) {
      if (b.path("method").asText().equals(method)) {
        return b;
      }
    }
    throw new AssertionError("no benchmark " + method + " in " + benchmarks);
  }

  @Test
  void withProfilingOnNothingSamplesWhileItMeasuresAndTheProfileComesFromAnIterationAfter()
      throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(Asking.class, output, "callosum.perf.profiling", "true")
        .testEvents()
        .assertStatistics(s -> s.succeeded(1).failed(0));

    // A warm-up and two measured iterations unprofiled, then the profiled one.
    assertThat(SAMPLING).hasSize(4 * REQUESTS);
    assertThat(SAMPLING.subList(0, 3 * REQUESTS)).as("warm-up and measured").containsOnly(false);
    assertThat(SAMPLING.subList(3 * REQUESTS, 4 * REQUESTS)).as("profiled").containsOnly(true);

    JsonNode benchmark = benchmarks(output).get(0);
    assertThat(benchmark.path("iterations")).hasSize(2);
    assertThat(benchmark.path("metrics").path("requests").asLong()).isEqualTo(2 * REQUESTS);
    JsonNode profiled = benchmark.path("profiledIteration");
    assertThat(profiled.path("requests").asLong()).isEqualTo(REQUESTS);
    assertThat(profiled.path("throughput").asDouble()).isPositive();
    assertThat(benchmark.path("profile").path("iterations").asInt()).isEqualTo(1);
    assertThat(benchmark.path("profile").path("cpuSamples").asLong()).isPositive();
    assertThat(benchmark.path("notes").toString())
        .contains("Profiled iteration")
        .contains("one more iteration after the 2 measured, not counted in the numbers")
        .contains("The difference is what the profilers cost.");
  }

  @Test
  void withProfilingOffNothingSamplesAtAllAndThereIsNoProfiledIteration() throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(Asking.class, output, "callosum.perf.profiling", "false")
        .testEvents()
        .assertStatistics(s -> s.succeeded(1).failed(0));

    assertThat(SAMPLING).hasSize(3 * REQUESTS).containsOnly(false);
    JsonNode benchmark = benchmarks(output).get(0);
    assertThat(benchmark.has("profiledIteration")).isFalse();
    assertThat(benchmark.has("profile")).isFalse();
  }

  /**
   * With profiling off, a run that breaks a budget gets its profiled iteration, so the failure
   * comes with a profile; one that keeps its budgets does not, and neither measured with a profiler
   * running.
   */
  @Test
  void withProfilingOffARunThatBreaksABudgetIsProfiledAfterItsMeasuredIterations()
      throws IOException {
    Path output = TestKit.freshOutputDirectory();
    EngineExecutionResults results =
        run(Budgeted.class, output, "callosum.perf.profiling", "false");
    results.testEvents().assertStatistics(s -> s.succeeded(1).failed(1));
    assertThat(TestKit.failures(results)).singleElement().asString().contains("throughput");

    // The methods ran one after the other, each with a warm-up and two measured iterations; only
    // the broken one's fourth iteration sampled.
    assertThat(SAMPLING).hasSize(7 * REQUESTS);
    assertThat(SAMPLING.stream().filter(s -> s).count()).isEqualTo(REQUESTS);
    JsonNode benchmarks = benchmarks(output);
    JsonNode broken = named(benchmarks, "broken");
    assertThat(broken.path("outcome").asText()).isEqualTo("failed");
    assertThat(broken.path("profiledIteration").path("requests").asLong()).isEqualTo(REQUESTS);
    assertThat(broken.path("profile").path("iterations").asInt()).isEqualTo(1);
    JsonNode kept = named(benchmarks, "kept");
    assertThat(kept.path("outcome").asText()).isEqualTo("passed");
    assertThat(kept.has("profiledIteration")).isFalse();
    assertThat(kept.has("profile")).isFalse();
  }

  @Test
  void eachRunOfABenchmarkGetsItsOwnProfiledIterationAndOneProfileHoldsThemAll()
      throws IOException {
    Path output = TestKit.freshOutputDirectory();
    run(TwoRuns.class, output, "callosum.perf.profiling", "true")
        .testEvents()
        .assertStatistics(s -> s.succeeded(1).failed(0));
    JsonNode benchmarks = benchmarks(output);
    assertThat(benchmarks).hasSize(2);
    for (JsonNode b : benchmarks) {
      assertThat(b.path("iterations")).hasSize(2);
      assertThat(b.path("profiledIteration").path("requests").asLong()).isEqualTo(REQUESTS);
      assertThat(b.path("profile").path("iterations").asInt()).isEqualTo(2);
    }
    assertThat(benchmarks.get(0).path("notes").toString())
        .contains("Run first: The profile comes from one more iteration")
        .contains("Run second: The profile comes from one more iteration");
  }
}
