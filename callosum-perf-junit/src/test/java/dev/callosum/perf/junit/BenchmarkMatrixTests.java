package dev.callosum.perf.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.callosum.perf.Payload;
import dev.callosum.perf.Scheduler;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.testing.TestKit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.platform.testkit.engine.EngineExecutionResults;

class BenchmarkMatrixTests {

  @RpcBenchmark
  static class Matrix {
    @ParameterizedTest(name = "{0} · {1} · {2}")
    @BenchmarkMatrix(
        payloads = {"64B", "1KiB", "64KiB"},
        clients = {1, 2},
        schedulers = {Scheduler.EXIT_ORDERED, Scheduler.KEY_SERIALIZED})
    void echo(Payload payload, int clients, Scheduler scheduler, Bench bench) {
      bench
          .closedLoop(bench.server(ServerSpec.echo().scheduler(scheduler)))
          .payload(payload)
          .clients(clients)
          .requests(10)
          .run();
    }
  }

  @RpcBenchmark
  static class BadMatrix {
    @ParameterizedTest
    @BenchmarkMatrix(payloads = {"big"})
    void echo(Payload payload) {}
  }

  private static EngineExecutionResults run(Class<?> type, Map<String, String> settings) {
    return TestKit.jupiter()
        .selectors(selectClass(type))
        .configurationParameter("callosum.perf.iterations", "1")
        .configurationParameter("callosum.perf.warmups", "0")
        .configurationParameters(settings)
        .execute();
  }

  private static List<String> names(EngineExecutionResults results) {
    return results.testEvents().succeeded().stream()
        .map(e -> e.getTestDescriptor().getDisplayName())
        .collect(Collectors.toList());
  }

  @Test
  void theProductOfTheDimensionsWithReadableNames() {
    EngineExecutionResults results = run(Matrix.class, Map.of());

    results.testEvents().assertStatistics(stats -> stats.succeeded(12).failed(0));
    assertThat(names(results))
        .startsWith(
            "64 B · 1 client · ExitOrdered",
            "64 B · 1 client · KeySerialized",
            "64 B · 2 clients · ExitOrdered")
        .contains("64 KiB · 2 clients · KeySerialized");
  }

  @Test
  void quickModeKeepsTheFirstAndLastValueOfEachDimension() {
    EngineExecutionResults results = run(Matrix.class, Map.of("callosum.perf.quick", "true"));

    results.testEvents().assertStatistics(stats -> stats.succeeded(8));
    assertThat(names(results)).noneMatch(name -> name.startsWith("1 KiB"));
  }

  @Test
  void aWrongValueIsNamed() {
    EngineExecutionResults results = run(BadMatrix.class, Map.of());

    assertThat(TestKit.containerFailures(results))
        .singleElement()
        .asString()
        .startsWith("@BenchmarkMatrix(payloads): 'big' is not a size");
  }

  @Test
  void aWrongQuickSettingFailsTheMatrixWithTheMessageTheBenchGives() {
    EngineExecutionResults results = run(Matrix.class, Map.of("callosum.perf.quick", "yes"));

    assertThat(TestKit.containerFailures(results))
        .singleElement()
        .asString()
        .isEqualTo("setting callosum.perf.quick is 'yes'; it takes true or false");
  }
}
