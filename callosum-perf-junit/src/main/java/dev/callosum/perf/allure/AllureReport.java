package dev.callosum.perf.allure;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.measurement.ServerProfile;
import dev.callosum.perf.profile.ProfileSummary;
import dev.callosum.perf.report.BenchmarkCharts;
import dev.callosum.perf.report.BenchmarkRecord;
import dev.callosum.perf.report.Html;
import dev.callosum.perf.report.ResultsJson;
import dev.callosum.perf.report.RunReport;
import dev.callosum.perf.report.SummaryPage;
import dev.callosum.perf.report.SystemsUnderTest;
import io.qameta.allure.Allure;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.model.Label;
import io.qameta.allure.model.Parameter;
import io.qameta.allure.model.Status;
import io.qameta.allure.model.StatusDetails;
import io.qameta.allure.model.TestResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apiguardian.api.API;

/**
 * Benchmarks in the Allure report: each invocation's parameters, labels, a description with its key
 * numbers and its attachments (summary, percentile distribution as {@code .hgrm} and chart,
 * throughput and p99 over time, raw JSON, profile); and, per run, {@code environment.properties},
 * {@code categories.json} and a "Run summary" entry carrying the summary page.
 *
 * <p>Everything goes through Allure's current lifecycle, so it lands where allure-junit5 writes
 * ({@code allure.results.directory}). Outside an Allure-listened run it does nothing.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class AllureReport {
  /** The summary page's name in the Allure results, where the Benchmarks tab takes it from. */
  public static final String SUMMARY_FILE = "callosum-perf-summary.html";

  /** The epic every benchmark is filed under. */
  public static final String EPIC = "Callosum RPC performance";

  private AllureReport() {}

  /** Whether an Allure test case is running on this thread (allure-junit5 is listening). */
  public static boolean active() {
    return Allure.getLifecycle().getCurrentTestCase().isPresent();
  }

  /**
   * Describes the running test case with the benchmark's records (one per result it measured). Call
   * from the test's thread while it runs.
   */
  public static void describe(List<BenchmarkRecord> records, Path outputDirectory, boolean quick) {
    AllureLifecycle lifecycle = Allure.getLifecycle();
    if (lifecycle.getCurrentTestCase().isEmpty() || records.isEmpty()) {
      return;
    }
    BenchmarkRecord first = records.get(0);
    List<Parameter> parameters = new ArrayList<>();
    if (first.result() != null) {
      first
          .result()
          .parameters()
          .forEach((k, v) -> parameters.add(new Parameter().setName(k).setValue(v)));
    }
    StringBuilder description = new StringBuilder();
    if (quick) {
      description
          .append("<p style=\"background:#fff8c5;border:1px solid #d4a72c;padding:6px\">")
          .append(Html.escape(RunReport.QUICK_BANNER))
          .append("</p>");
    }
    for (BenchmarkRecord record : records) {
      description
          .append("<h3>")
          .append(Html.escape(record.id()))
          .append("</h3>")
          .append(BenchmarkCharts.summaryTable(record));
    }
    file(first.family(), first.className() + "." + first.method());
    lifecycle.updateTestCase(
        test -> {
          List<Parameter> all = new ArrayList<>(test.getParameters());
          all.addAll(parameters);
          test.setParameters(all);
          test.setDescriptionHtml(description.toString());
          // "echo 64 B, 2 clients" rather than JUnit's "echo(Payload, int, Bench) [1] 64 B, 2
          // clients".
          String id = records.size() > 1 ? first.id().replaceFirst(" #\\d+$", "") : first.id();
          test.setName(
              id.startsWith(first.className() + ".")
                  ? id.substring(first.className().length() + 1)
                  : id);
        });
    for (BenchmarkRecord record : records) {
      attach(
          lifecycle, record, records.size() > 1 ? " (" + record.id() + ")" : "", outputDirectory);
    }
    for (var note : first.notes()) { // notes belong to the invocation, like its profile
      text(lifecycle, note.title(), "text/plain", "txt", note.text());
    }
    if (first.profile() != null) { // one recording per invocation, whatever it measured
      attachProfile(lifecycle, first.profile(), "");
    }
  }

  /**
   * Files the running test case under the epic, its family as feature and its method as story, as
   * every benchmark is, including ones that measure without a Bench.
   */
  public static void file(String family, String story) {
    Allure.getLifecycle()
        .updateTestCase(
            test -> {
              List<Label> labels = new ArrayList<>(test.getLabels());
              labels.removeIf(
                  l ->
                      l.getName().equals("epic")
                          || l.getName().equals("feature")
                          || l.getName().equals("story"));
              labels.add(new Label().setName("epic").setValue(EPIC));
              labels.add(new Label().setName("feature").setValue(family));
              labels.add(new Label().setName("story").setValue(story));
              test.setLabels(labels);
            });
  }

  private static void attach(
      AllureLifecycle lifecycle, BenchmarkRecord record, String suffix, Path outputDirectory) {
    BenchmarkResult result = record.result();
    text(
        lifecycle,
        "Summary" + suffix,
        "text/html",
        "html",
        "<html><body style=\"font-family:sans-serif\">"
            + BenchmarkCharts.summaryTable(record)
            + "</body></html>");
    if (result != null) {
      text(
          lifecycle,
          "Latency by percentile" + suffix,
          "image/svg+xml",
          "svg",
          BenchmarkCharts.percentiles(result));
      text(
          lifecycle,
          "Latency percentile distribution (.hgrm, µs)" + suffix,
          "text/plain",
          "hgrm",
          BenchmarkCharts.hgrm(result));
      text(
          lifecycle,
          "Throughput over time" + suffix,
          "image/svg+xml",
          "svg",
          BenchmarkCharts.throughputOverTime(result));
      text(
          lifecycle,
          "p99 latency over time" + suffix,
          "image/svg+xml",
          "svg",
          BenchmarkCharts.p99OverTime(result));
      for (var chart : BenchmarkCharts.serverOverTime(result)) {
        text(lifecycle, chart.getKey() + suffix, "image/svg+xml", "svg", chart.getValue());
      }
      result.serverProfile().ifPresent(p -> attachServerProfile(lifecycle, p, suffix));
    }
    text(
        lifecycle,
        "Result (JSON)" + suffix,
        "application/json",
        "json",
        ResultsJson.pretty(ResultsJson.benchmark(record, outputDirectory)));
  }

  /** What the server profiler wrote, each file as it is, and what went wrong with it. */
  private static void attachServerProfile(
      AllureLifecycle lifecycle, ServerProfile p, String suffix) {
    for (Path f : p.files()) {
      String name = f.getFileName().toString();
      String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "txt";
      String type =
          switch (ext) {
            case "svg" -> "image/svg+xml";
            case "html", "htm" -> "text/html";
            case "json" -> "application/json";
            case "txt", "log", "collapsed", "folded" -> "text/plain";
            default -> "application/octet-stream";
          };
      file(lifecycle, "Server profile: " + name + suffix, type, ext, f);
    }
    if (!p.problems().isEmpty()) {
      text(
          lifecycle,
          "Server profiler problems" + suffix,
          "text/plain",
          "txt",
          p.how() + System.lineSeparator() + String.join(System.lineSeparator(), p.problems()));
    }
  }

  private static void attachProfile(AllureLifecycle lifecycle, ProfileSummary p, String suffix) {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "%d CPU samples of every thread and %d JFR samples of threads in native code"
                + " (I/O system calls, polls, waits) over %.1f s: %d profiled iteration(s), run"
                + " after the measured ones and not counted in the numbers; %.2f s process CPU,"
                + " kernel time included%n",
            p.cpuSamples(),
            p.nativeSamples(),
            p.seconds(),
            p.iterations(),
            p.processCpuNanos() / 1e9));
    text.append("CPU samples: ").append(p.cpuSampling()).append(System.lineSeparator());
    for (ProfileSummary.CpuProfile part : p.parts()) {
      text.append(
          String.format(
              Locale.ROOT,
              "%n%s: %,d samples, %s%n",
              part.whose().toUpperCase(Locale.ROOT),
              part.samples(),
              part.threads()));
      table(
          text,
          "Callosum frames of the " + part.whose() + " (nearest the top of each sample)",
          part.ownFrames(),
          "samples");
      table(text, "Top frames of the " + part.whose() + " (self)", part.topFrames(), "samples");
    }
    if (p.parts().isEmpty()) {
      table(text, "Top Java methods (self, running)", p.topMethods(), "samples");
    }
    ProfileSummary.WallClock wall = p.wallClock();
    if (wall != null) {
      text.append(
          String.format(
              Locale.ROOT, "%nWALL CLOCK: %,d samples, %s%n", wall.samples(), wall.sampling()));
      for (ProfileSummary.Threads t : wall.threads()) {
        table(text, t.label() + ", where (share of its samples)", t.where(), "samples");
      }
    }
    table(
        text,
        "Where threads waited in native code (JFR's native method samples)",
        p.topNativeMethods(),
        "samples");
    text.append(
        String.format(
            Locale.ROOT,
            "%nAllocated: %,d bytes (%s per request)%n",
            p.allocation().totalBytes(),
            Double.isFinite(p.allocation().bytesPerRequest())
                ? String.format(Locale.ROOT, "%,.0f B", p.allocation().bytesPerRequest())
                : "n/a"));
    table(text, "Allocation by site", p.allocation().topSites(), "bytes");
    text.append(
        String.format(
            Locale.ROOT,
            "%nHeap: start %,d B, peak %,d B, end %,d B, growth"
                + " %,d B; %d collections, %.3f s paused%n",
            p.heap().startUsedBytes(),
            p.heap().peakUsedBytes(),
            p.heap().endUsedBytes(),
            p.heap().growthBytes(),
            p.heap().collections(),
            p.heap().gcPauseNanos() / 1e9));
    text(lifecycle, "Profile summary" + suffix, "text/plain", "txt", text.toString());
    for (ProfileSummary.CpuProfile part : p.parts()) {
      file(
          lifecycle,
          "Flame graph (CPU, " + part.whose() + ")" + suffix,
          "text/html",
          "html",
          part.flameGraph());
    }
    file(
        lifecycle, "Flame graph (CPU, every thread)" + suffix, "text/html", "html", p.flameGraph());
    if (p.wallClock() != null) {
      file(
          lifecycle,
          "Flame graph (wall clock, every thread, running or waiting)" + suffix,
          "text/html",
          "html",
          p.wallClock().flameGraph());
    }
    file(
        lifecycle,
        "JFR recording (open in JDK Mission Control)" + suffix,
        "application/octet-stream",
        "jfr",
        p.jfr());
  }

  private static void table(
      StringBuilder text, String title, List<ProfileSummary.Entry> entries, String unit) {
    text.append(System.lineSeparator()).append(title).append(':').append(System.lineSeparator());
    for (ProfileSummary.Entry e : entries) {
      text.append(
          String.format(
              Locale.ROOT,
              "  %6.2f %%  %,14d %s  %s%n",
              100 * e.share(),
              e.weight(),
              unit,
              e.name()));
    }
  }

  /**
   * Writes the run's files into Allure's results: {@code environment.properties}, {@code
   * categories.json}, and a "Run summary" test carrying the summary page and the JSON results.
   */
  public static void writeRun(RunReport run) {
    AllureLifecycle lifecycle = Allure.getLifecycle();
    StringBuilder env = new StringBuilder();
    List<SystemsUnderTest.Entry> suts = SystemsUnderTest.of(run.records());
    // Properties keys end at a space; values are ASCII with \\u escapes for the rest.
    for (int i = 0; i < suts.size(); i++) {
      env.append("systemUnderTest")
          .append(suts.size() > 1 ? "." + (i + 1) : "")
          .append(" = ")
          .append(SystemsUnderTest.line(suts.get(i)))
          .append('\n');
    }
    suts.stream()
        .filter(e -> e.cpus() != null)
        .findFirst()
        .ifPresent(e -> env.append("systemUnderTest.cpus = ").append(e.cpus()).append('\n'));
    if (SystemsUnderTest.sharedCoresWarning(suts, null) != null) {
      env.append("systemUnderTest.sharesCores = yes, this machine's ")
          .append(run.environment().get("cores"))
          .append(" cores with the load generator\n");
    }
    run.environment()
        .forEach(
            (k, v) -> env.append("loadGenerator.").append(k).append(" = ").append(v).append('\n'));
    run.settings().forEach((k, v) -> env.append(k).append(" = ").append(v).append('\n'));
    lifecycle.writeAttachment("environment.properties", stream(ascii(env.toString())));
    lifecycle.writeAttachment("categories.json", stream(CATEGORIES));
    // For the report's Benchmarks tab (an Allure plugin of the scenarios' build).
    String page = SummaryPage.html(run, null);
    lifecycle.writeAttachment(SUMMARY_FILE, stream(page));
    String uuid = UUID.randomUUID().toString();
    List<BenchmarkRecord> records = run.records();
    long failed =
        records.stream().filter(r -> r.outcome() != BenchmarkRecord.Outcome.PASSED).count();
    TestResult summary =
        new TestResult()
            .setUuid(uuid)
            .setName("Run summary")
            .setFullName("callosum-perf.RunSummary." + run.stamp())
            .setHistoryId("callosum-perf-run-summary")
            // The run's own status, never a green entry over a red run.
            .setStatus(runStatus(records))
            .setStatusDetails(
                new StatusDetails()
                    .setMessage(records.size() + " benchmarks, " + failed + " failed or broken"))
            .setDescriptionHtml(
                "<p>The run's executive summary is attached as <b>Benchmark"
                    + " summary</b>: charts across benchmarks (throughput against payload and clients,"
                    + " scheduler comparison, latency against load, feature matrices). "
                    + records.size()
                    + " benchmarks, "
                    + failed
                    + " failed or broken.</p>")
            .setLabels(
                List.of(
                    new Label().setName("epic").setValue(EPIC),
                    new Label().setName("feature").setValue("run summary"),
                    new Label().setName("suite").setValue("Run summary")));
    lifecycle.scheduleTestCase(summary);
    lifecycle.startTestCase(uuid);
    text(lifecycle, "Benchmark summary", "text/html", "html", page);
    text(
        lifecycle,
        "Benchmark results (JSON)",
        "application/json",
        "json",
        ResultsJson.pretty(ResultsJson.toJson(run)));
    lifecycle.stopTestCase(uuid);
    lifecycle.writeTestCase(uuid);
  }

  /** Failed if a benchmark failed, else broken if one was broken, else passed. */
  static Status runStatus(List<BenchmarkRecord> records) {
    if (records.stream().anyMatch(r -> r.outcome() == BenchmarkRecord.Outcome.FAILED)) {
      return Status.FAILED;
    }
    if (records.stream().anyMatch(r -> r.outcome() == BenchmarkRecord.Outcome.BROKEN)) {
      return Status.BROKEN;
    }
    return Status.PASSED;
  }

  /** Allure's failure categories for benchmarks. */
  static final String CATEGORIES =
      """
      [
        {"name": "Budget broken", "matchedStatuses": ["failed"],
         "messageRegex": "(?s).*budget broken.*"},
        {"name": "Regression against the baseline", "matchedStatuses": ["failed"],
         "messageRegex": "(?s).*against the baseline.*"},
        {"name": "Requests left on the server (leak)", "matchedStatuses": ["failed"],
         "messageRegex": "(?s).*left on the server.*"},
        {"name": "Server died", "matchedStatuses": ["failed", "broken"],
         "messageRegex": "(?s).*(died|killed by SIG).*"},
        {"name": "Server hung (alive, not answering)", "matchedStatuses": ["failed", "broken"],
         "messageRegex": "(?s).*is alive but answered nothing.*"},
        {"name": "Server could not start (infrastructure)",
         "matchedStatuses": ["failed", "broken"],
         "messageRegex": "(?s).*(exited|did not start|did not become ready|handshake|could not connect).*"},
        {"name": "RPC errors", "matchedStatuses": ["failed", "broken"],
         "messageRegex": "(?s).*(calls failed|RpcException|RemoteException|TIMEOUT|TRANSPORT).*"},
        {"name": "The run (its summary entry)", "matchedStatuses": ["failed", "broken"],
         "messageRegex": "[0-9]+ benchmarks, [0-9]+ failed or broken"},
        {"name": "Infrastructure failure", "matchedStatuses": ["broken"]}
      ]
      """;

  private static void text(
      AllureLifecycle lifecycle, String name, String type, String ext, String content) {
    lifecycle.addAttachment(name, type, ext, content.getBytes(StandardCharsets.UTF_8));
  }

  private static void file(
      AllureLifecycle lifecycle, String name, String type, String ext, Path path) {
    if (path == null || !Files.isRegularFile(path)) {
      return;
    }
    try (InputStream in = Files.newInputStream(path)) {
      lifecycle.addAttachment(name, type, ext, in);
    } catch (IOException e) {
      text(lifecycle, name + " (unreadable)", "text/plain", "txt", path + ": " + e);
    }
  }

  /** Text as a properties file holds it: characters beyond ASCII as {@code \\uXXXX}. */
  private static String ascii(String text) {
    StringBuilder s = new StringBuilder(text.length());
    text.chars()
        .forEach(
            c -> {
              if (c > 0x7f) {
                s.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
              } else {
                s.append((char) c);
              }
            });
    return s.toString();
  }

  private static InputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
