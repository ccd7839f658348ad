package dev.callosum.perf.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callosum.perf.junit.BenchmarkSettings;
import dev.callosum.perf.measurement.CpuSplit;
import dev.callosum.perf.measurement.TimeSeries;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The report settings' errors, and what the console prints in a log and on a terminal. */
class SettingsAndConsoleTests {

  private static BenchmarkSettings read(Map<String, String> values) {
    return BenchmarkSettings.read(key -> Optional.ofNullable(values.get(key)));
  }

  @Test
  void reportSettingsHaveDefaultsAndReadTheirValues() {
    ReportSettings d = read(Map.of()).reports();
    assertThat(d).isEqualTo(ReportSettings.defaults());
    assertThat(d.outputDirectory()).isEqualTo(Path.of("benchmark-results"));
    ReportSettings r =
        read(Map.of(
                "callosum.perf.format",
                "JSON",
                "callosum.perf.profiling",
                "true",
                "callosum.perf.baseline.warn",
                "5%",
                "callosum.perf.baseline.fail",
                "50",
                "callosum.perf.outputDir",
                "out"))
            .reports();
    assertThat(r.json()).isTrue();
    assertThat(r.html()).isFalse();
    assertThat(r.profiling()).isTrue();
    assertThat(r.warnRatio()).isEqualTo(0.05);
    assertThat(r.failRatio()).isEqualTo(0.5);
    assertThat(r.outputDirectory()).isEqualTo(Path.of("out"));
  }

  @Test
  void theCpusAreSplitUnlessSaidOtherwise() {
    assertThat(read(Map.of()).cpus()).isEqualTo(CpuSplit.Mode.SPLIT);
    assertThat(read(Map.of("callosum.perf.cpus", "shared")).cpus()).isEqualTo(CpuSplit.Mode.SHARED);
    assertThatThrownBy(() -> read(Map.of("callosum.perf.cpus", "half")))
        .hasMessage("setting callosum.perf.cpus is 'half'; it takes split or shared");
  }

  @Test
  void wrongReportSettingsNameTheSettingAndWhatItTakes() {
    assertThatThrownBy(() -> read(Map.of("callosum.perf.format", "xml")))
        .hasMessage("setting callosum.perf.format is 'xml'; it takes html, json or both");
    assertThatThrownBy(() -> read(Map.of("callosum.perf.profiling", "yes")))
        .hasMessage("setting callosum.perf.profiling is 'yes'; it takes true or false");
    assertThatThrownBy(() -> read(Map.of("callosum.perf.baseline", "/no/such/results.json")))
        .hasMessage(
            "setting callosum.perf.baseline is '/no/such/results.json'; it takes the path"
                + " of a benchmark-results JSON file");
    assertThatThrownBy(() -> read(Map.of("callosum.perf.baseline.fail", "5")))
        .hasMessage(
            "setting callosum.perf.baseline.fail is '5'; it takes a percentage > 0 and"
                + " at least the warning's (10)");
    assertThatThrownBy(() -> read(Map.of("callosum.perf.baseline.warn", "-1")))
        .hasMessage(
            "setting callosum.perf.baseline.warn is '-1'; it takes a percentage > 0,"
                + " such as 10");
    assertThatThrownBy(() -> read(Map.of("callosum.perf.server.profiler", "py-spy record")))
        .hasMessage(
            "setting callosum.perf.server.profiler is 'py-spy record'; it takes 'async-profiler'"
                + " or a command with {pid}, such as 'py-spy record -p {pid} -o {out}.svg -d"
                + " {seconds}'");
    assertThatThrownBy(() -> read(Map.of("callosum.perf.server.profiler.required", "always")))
        .hasMessage(
            "setting callosum.perf.server.profiler.required is 'always'; it takes true or false");
    assertThatThrownBy(() -> read(Map.of("callosum.perf.outputDir", " ")))
        .hasMessage("setting callosum.perf.outputDir is ' '; it takes a directory path");
  }

  private static TimeSeries.Point second(double end, long calls) {
    return new TimeSeries.Point(end, 1, calls, 2_000_000, 3_000_000);
  }

  @Test
  void inALogProgressIsAPlainLineAtTheStartAndEveryFewSecondsAfter() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleReport console =
        new ConsoleReport(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
    Consumer<TimeSeries.Point> phase = console.phase("Echo.m", "iteration 1/3", 10_000, null);
    phase.accept(second(1, 2000));
    phase.accept(second(2, 2000));
    String log = bytes.toString(StandardCharsets.UTF_8);
    assertThat(log)
        .isEqualTo(
            "  Echo.m · iteration 1/3: 0 s elapsed, 2,000/10,000 requests,"
                + " ~4 s left, 2,000 req/s now, p99 2.0 ms"
                + System.lineSeparator());
    assertThat(log).doesNotContain("\r", "\u001b");
  }

  @Test
  void aPhaseWithNoReplyForSecondsSaysSoInItsProgressLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleReport console =
        new ConsoleReport(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
    Consumer<TimeSeries.Point> phase =
        console.phase("Echo.m", "iteration 1/1", 10_000, null, quietNanos -> 10);
    phase.accept(second(1, 2000));
    phase.accept(second(2, 0));
    phase.accept(second(3, 0));
    phase.accept(second(4, 0));

    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("2,000 req/s now")
        .endsWith("2,000/10,000 requests, NO REPLY for 3 s; 10 calls waiting\u001b[K");
  }

  @Test
  void onATerminalProgressRewritesItsLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleReport console =
        new ConsoleReport(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
    Consumer<TimeSeries.Point> phase =
        console.phase("Echo.m", "warm-up 1/1", 0, Duration.ofSeconds(30));
    phase.accept(second(1, 500));
    phase.accept(second(2, 500));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .startsWith(
            "\r  Echo.m · warm-up 1/1: 0 s elapsed, ~30 s left, 500 req/s"
                + " now, p99 2.0 ms\u001b[K\r")
        .doesNotContain(System.lineSeparator());
  }

  @Test
  void aQuickRunSaysAtItsStartThatItsNumbersAreIndicative() {
    ByteArrayOutputStream quick = new ByteArrayOutputStream();
    ByteArrayOutputStream full = new ByteArrayOutputStream();

    new ConsoleReport(new PrintStream(quick, true, StandardCharsets.UTF_8), false)
        .runStarted(new RunReport(Map.of("quick", true), ReportSettings.defaults()));
    new ConsoleReport(new PrintStream(full, true, StandardCharsets.UTF_8), false)
        .runStarted(new RunReport(Map.of("quick", false), ReportSettings.defaults()));

    assertThat(quick.toString(StandardCharsets.UTF_8))
        .contains("QUICK MODE: one iteration")
        .contains("indicative, not results");
    assertThat(full.toString(StandardCharsets.UTF_8)).doesNotContain("QUICK MODE");
  }
}
