package dev.callosum.perf.junit;

import dev.callosum.perf.allure.AllureReport;
import dev.callosum.perf.baseline.Baseline;
import dev.callosum.perf.report.BenchmarkRecord;
import dev.callosum.perf.report.ConsoleReport;
import dev.callosum.perf.report.Note;
import dev.callosum.perf.report.ReportSettings;
import dev.callosum.perf.report.RunReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one run of benchmarks shares, kept in JUnit's root store: its report, its console, its
 * baseline. When the run ends the store closes it, which writes the run's files.
 */
final class RunState implements AutoCloseable {
  final BenchmarkSettings settings;
  final RunReport report;
  final ConsoleReport console;
  final Baseline baseline;
  private final AtomicBoolean allure = new AtomicBoolean();
  private final Map<String, Integer> profileNames = new LinkedHashMap<>();

  RunState(BenchmarkSettings settings, ConsoleReport console) {
    this.settings = settings;
    ReportSettings reports = settings.reports();
    this.baseline =
        reports.baseline() == null
            ? null
            : Baseline.load(reports.baseline(), reports.warnRatio(), reports.failRatio());
    this.report = new RunReport(describe(settings), reports);
    this.console = console;
    console.runStarted(report);
    if (baseline != null && baseline.quick() != settings.quick()) {
      System.out.println(
          "callosum-perf: the baseline ran "
              + (baseline.quick() ? "in" : "without")
              + " quick mode and this run "
              + (settings.quick() ? "in" : "without")
              + " it: its"
              + " numbers are not comparable, expect differences");
    }
  }

  /** Reports a benchmark's records: to the run's results, the console and Allure. */
  void publish(List<BenchmarkRecord> records, List<Note> notes) {
    for (BenchmarkRecord record : records) {
      report.add(record);
      console.benchmarkFinished(record);
    }
    console.notes(notes);
    if (AllureReport.active()) {
      allure.set(true); // so the run's Allure files are worth writing
      AllureReport.describe(records, settings.reports().outputDirectory(), settings.quick());
    }
  }

  /** Files a benchmark that measured by itself (no Bench result) in Allure like the rest. */
  void fileUnmeasured(String family, String story) {
    if (AllureReport.active()) {
      AllureReport.file(family, story);
    }
  }

  /** Prints a test class's table once its benchmarks are done. */
  void classFinished(String className) {
    console.classFinished(
        className, report.records().stream().filter(r -> r.className().equals(className)).toList());
  }

  /** A fresh {@code .jfr} path for a benchmark, under the output directory. */
  synchronized Path profilePath(String id) {
    String base = id.replaceAll("[^A-Za-z0-9._-]+", "_");
    if (base.length() > 120) {
      base = base.substring(0, 120);
    }
    int n = profileNames.merge(base, 1, Integer::sum);
    return settings
        .reports()
        .outputDirectory()
        .resolve("profiles")
        .resolve(report.stamp() + "-" + base + (n > 1 ? "-" + n : "") + ".jfr");
  }

  /** Writes the run's JSON results, summary page, Allure run files and console summary. */
  @Override
  public void close() {
    if (report.records().isEmpty()) {
      return;
    }
    List<Path> written = report.finish();
    if (allure.get()) {
      try {
        AllureReport.writeRun(report);
      } catch (RuntimeException e) {
        // The benchmarks' own Allure results are written; only the run's extras are missing.
        System.err.println(
            "callosum-perf: could not add the run summary, environment and"
                + " categories to the Allure results ("
                + e
                + (e.getCause() == null ? "" : ": " + e.getCause())
                + "); are the results of an earlier run still there?");
      }
    }
    console.runFinished(report, written);
  }

  private static Map<String, Object> describe(BenchmarkSettings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("quick", s.quick());
    m.put("iterations", s.iterations());
    m.put("warmups", s.warmups());
    m.put("budgetScale", s.budgetScale());
    s.placementScales()
        .forEach((placement, scale) -> m.put("budgetScale." + placement.label(), scale));
    if (s.python() != null) {
      m.put("python", s.python());
    }
    m.put(
        "placement",
        s.target() != null
            ? "remote " + s.target()
            : s.placement() == null
                ? "per @RpcBenchmark (in-jvm unless it says)"
                : s.placement().label());
    if (s.serverCommand() != null) {
      m.put("serverCommand", s.serverCommand());
    }
    m.put("stallLimit", s.stallLimit().toMillis() / 1000.0 + " s");
    m.put("cpus", s.cpus().label());
    m.put(
        "batchIoThreads",
        s.batchIoThreads()
            ? "true (measured iterations after a warm-up: this JVM, a forked server)"
            : "false");
    m.put(
        "idleJit",
        s.idleJit()
            ? "true (JIT compiler threads SCHED_IDLE in measured iterations after a warm-up: this"
                + " JVM, a forked server)"
            : "false");
    ReportSettings r = s.reports();
    m.put("outputDir", r.outputDirectory().toString());
    m.put("format", r.html() && r.json() ? "both" : r.html() ? "html" : "json");
    m.put("profiling", r.profiling());
    m.put("baseline", r.baseline() == null ? "none" : r.baseline().toString());
    m.put("baselineWarnPercent", Math.round(r.warnRatio() * 100));
    m.put("baselineFailPercent", Math.round(r.failRatio() * 100));
    return m;
  }
}
