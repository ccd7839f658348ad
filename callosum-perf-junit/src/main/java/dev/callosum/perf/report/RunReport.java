package dev.callosum.perf.report;

import dev.callosum.perf.measurement.Environment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * One run of benchmarks: its settings, its environment and a record per benchmark, collected as
 * they finish (from any thread) and written when the run ends.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class RunReport {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final Map<String, Object> settings;
  private final ReportSettings reports;
  private final Map<String, Object> environment;
  private final Instant started;
  private final List<BenchmarkRecord> records = new ArrayList<>();
  private Instant finished;
  private Path jsonFile;

  /**
   * A run starting now.
   *
   * @param settings the run's settings as they should appear in reports
   */
  public RunReport(Map<String, Object> settings, ReportSettings reports) {
    this.settings = new LinkedHashMap<>(settings);
    this.reports = reports;
    this.environment = Environment.describe();
    this.started = Instant.now();
  }

  public synchronized void add(BenchmarkRecord record) {
    records.add(record);
  }

  public synchronized List<BenchmarkRecord> records() {
    return List.copyOf(records);
  }

  /** The run's settings, in their reading order. */
  /** Whether the run was in quick mode, whose numbers are indicative only. */
  public boolean quick() {
    return Boolean.TRUE.equals(settings().get("quick"));
  }

  /** What quick mode means for the numbers, where they are shown. */
  public static final String QUICK_BANNER =
      "QUICK MODE: one iteration of a tenth of the requests, measured before the JIT has"
          + " settled and with no spread to judge noise by. These numbers are indicative, not"
          + " results: run without callosum.perf.quick for numbers to compare.";

  public Map<String, Object> settings() {
    return new LinkedHashMap<>(settings);
  }

  public Map<String, Object> environment() {
    return new LinkedHashMap<>(environment);
  }

  public Instant started() {
    return started;
  }

  /** When it ended; now, while it runs. */
  public synchronized Instant finished() {
    return finished == null ? Instant.now() : finished;
  }

  public double seconds() {
    return Duration.between(started, finished()).toMillis() / 1000.0;
  }

  public Path outputDirectory() {
    return reports.outputDirectory();
  }

  /** The run's files are stamped with its start: {@code 20261127-101500}. */
  public String stamp() {
    return LocalDateTime.ofInstant(started, ZoneId.systemDefault()).format(STAMP);
  }

  /** The JSON results written by {@link #finish}, or null (not written, or not yet). */
  public synchronized Path jsonFile() {
    return jsonFile;
  }

  /** Marks the end and writes the JSON results and summary page the settings ask for. */
  public synchronized List<Path> finish() {
    if (finished == null) {
      finished = Instant.now();
    }
    List<Path> written = new ArrayList<>();
    if (reports.json()) {
      Path json = unused("benchmark-results-" + stamp(), ".json");
      ResultsJson.write(this, json);
      written.add(json);
      jsonFile = json;
    }
    if (reports.html()) {
      Path html = unused("benchmark-summary-" + stamp(), ".html");
      SummaryPage.write(this, html);
      written.add(html);
    }
    return written;
  }

  /**
   * {@code name.ext} in the output directory, or {@code name-2.ext} and on if a run of the same
   * second wrote it already: nothing is overwritten.
   */
  private Path unused(String name, String extension) {
    Path file = reports.outputDirectory().resolve(name + extension);
    for (int n = 2; java.nio.file.Files.exists(file); n++) {
      file = reports.outputDirectory().resolve(name + "-" + n + extension);
    }
    return file;
  }
}
