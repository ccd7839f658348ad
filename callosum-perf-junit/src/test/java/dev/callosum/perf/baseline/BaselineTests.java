package dev.callosum.perf.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.measurement.LoadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verdicts on known numbers: thresholds, noise, and what cannot be told. */
class BaselineTests {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** A result whose iterations ran at these rates (1 s each) with this p99 (µs). */
  private static BenchmarkResult result(double p99Micros, double... rates) {
    List<LoadResult> iterations = new ArrayList<>();
    for (double rate : rates) {
      Histogram latency = new Histogram(3_600_000_000_000L, 3);
      latency.recordValueWithCount(Math.round(p99Micros * 1000), 100);
      iterations.add(
          new LoadResult(
              true,
              1,
              64,
              Math.round(rate),
              Map.of(),
              Duration.ofSeconds(1),
              0,
              0,
              latency,
              new Histogram(3_600_000_000_000L, 3)));
    }
    return new BenchmarkResult("B.m", "echo", iterations);
  }

  /** A baseline file holding benchmark "B.m" with these iteration rates and p99 (µs). */
  private Baseline baseline(double p99Micros, double... rates) throws IOException {
    ObjectNode root =
        JSON.createObjectNode()
            .put("schema", "callosum-perf/benchmark-results")
            .put("schemaVersion", 1);
    root.putObject("run").putObject("settings").put("quick", false);
    ArrayNode iterations =
        root.putArray("benchmarks").addObject().put("id", "B.m").putArray("iterations");
    for (double rate : rates) {
      iterations
          .addObject()
          .put("throughput", rate)
          .putObject("latencyNanos")
          .put("p99", Math.round(p99Micros * 1000));
    }
    Path file = dir.resolve("base.json");
    JSON.writeValue(file.toFile(), root);
    return Baseline.load(file, 0.10, 0.25);
  }

  private static Comparison.Change throughput(Comparison c) {
    return c.changes().get(0);
  }

  @Test
  void aRunAgainstItselfIsTheSame() throws IOException {
    Comparison c =
        baseline(100, 1000, 1010, 990).compare("B.m", result(100, 1000, 1010, 990)).orElseThrow();
    assertThat(c.verdict()).isEqualTo(Comparison.Verdict.SAME);
    assertThat(throughput(c).change()).isZero();
    assertThat(throughput(c).sentence())
        .isEqualTo("throughput up 0.0 % (1000 req/s → 1000 req/s), within the 10.0 % threshold");
  }

  @Test
  void aDropBeyondTheFailingThresholdAndTheNoiseFails() throws IOException {
    Comparison c =
        baseline(100, 1000, 1010, 990).compare("B.m", result(100, 600, 610, 590)).orElseThrow();
    assertThat(c.verdict()).isEqualTo(Comparison.Verdict.FAIL);
    assertThat(c.summary())
        .startsWith(
            "throughput down 40.0 % (1000 req/s → 600 req/s),"
                + " beyond the 25.0 % failing threshold and the runs' spread (");
  }

  @Test
  void aDropWithinTheNoiseCannotBeToldAndSaysSo() throws IOException {
    Comparison c =
        baseline(100, 500, 1500, 1000).compare("B.m", result(100, 300, 1100, 700)).orElseThrow();
    assertThat(c.verdict()).isEqualTo(Comparison.Verdict.INCONCLUSIVE);
    assertThat(c.verdict().fails()).isFalse();
    assertThat(c.summary()).contains("could not tell it from noise");
  }

  @Test
  void oneIterationHasNoSpreadToJudgeBy() throws IOException {
    Comparison c = baseline(100, 1000).compare("B.m", result(100, 500)).orElseThrow();
    assertThat(c.verdict()).isEqualTo(Comparison.Verdict.INCONCLUSIVE);
    assertThat(throughput(c).noise()).isNaN();
    assertThat(c.summary())
        .contains(
            "could not tell whether it is noise: a run with one" + " iteration has no spread");
  }

  @Test
  void betweenTheThresholdsWarnsAndLatencyCountsUpwards() throws IOException {
    Comparison c =
        baseline(100, 1000, 1001, 999).compare("B.m", result(115, 1000, 1001, 999)).orElseThrow();
    assertThat(c.verdict()).isEqualTo(Comparison.Verdict.WARN);
    assertThat(c.changes().get(1).sentence()).startsWith("p99 latency up 15.");
    Comparison faster =
        baseline(100, 1000, 1001, 999).compare("B.m", result(50, 1500, 1501, 1499)).orElseThrow();
    assertThat(faster.verdict()).isEqualTo(Comparison.Verdict.IMPROVED);
  }

  @Test
  void benchmarksMissingFromTheBaselineAreNotCompared() throws IOException {
    assertThat(baseline(100, 1000).compare("Other.m", result(100, 1000))).isEmpty();
  }

  @Test
  void filesThatAreNotResultsAreRefusedSayingWhy() throws IOException {
    Path notJson = Files.writeString(dir.resolve("x.json"), "not json");
    assertThatThrownBy(() -> Baseline.load(notJson, 0.1, 0.25))
        .hasMessageStartingWith("the baseline " + notJson + " is not readable JSON: ");
    Path future =
        Files.writeString(
            dir.resolve("y.json"),
            "{\"schema\": \"callosum-perf/benchmark-results\", \"schemaVersion\": 9}");
    assertThatThrownBy(() -> Baseline.load(future, 0.1, 0.25))
        .hasMessage(
            "the baseline "
                + future
                + " has schemaVersion 9; this version of callosum-perf reads schemaVersion 1 to 5");
  }
}
