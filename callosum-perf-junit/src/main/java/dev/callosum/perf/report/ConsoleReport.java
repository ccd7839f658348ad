package dev.callosum.perf.report;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.measurement.Environment;
import dev.callosum.perf.measurement.Quantities;
import dev.callosum.perf.measurement.ServerResources;
import dev.callosum.perf.measurement.TimeSeries;
import dev.callosum.perf.profile.ProfileSummary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * What the console says while a run goes: which benchmark, its phase, elapsed and remaining time
 * and the current rate; a line per result with its profile's top entries; a table per class; a
 * summary at the end. On a terminal, progress rewrites one line; in a log (Maven's), it prints a
 * plain line every few seconds and nothing else moves.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class ConsoleReport {
  private static final long LOG_EVERY_NANOS = Duration.ofSeconds(5).toNanos();

  private final PrintStream out;
  private final boolean terminal;

  /**
   * @param terminal whether {@code out} is a terminal that understands carriage returns
   */
  public ConsoleReport(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** To standard output; a terminal when the JVM has a console. */
  public static ConsoleReport standard() {
    return new ConsoleReport(System.out, System.console() != null);
  }

  public synchronized void runStarted(RunReport run) {
    out.println("callosum-perf: " + Environment.oneLine());
    out.println("callosum-perf: settings " + run.settings());
    if (run.quick()) {
      out.println("callosum-perf: " + RunReport.QUICK_BANNER);
    }
  }

  public synchronized void benchmarkStarted(String name) {
    out.println("▶ " + name);
  }

  /**
   * A listener for one phase's intervals that prints progress.
   *
   * @param phase such as {@code warm-up 1/1} or {@code iteration 2/3}
   * @param requests requests the phase runs, or 0 when it runs for a duration
   * @param duration how long it runs, or {@code null} when it runs a number of requests
   */
  public Consumer<TimeSeries.Point> phase(
      String name, String phase, long requests, Duration duration) {
    return phase(name, phase, requests, duration, quietNanos -> -1);
  }

  /**
   * As {@link #phase(String, String, long, Duration)}, saying how many calls wait while nothing
   * completes, by {@code waiting} (of the quiet time, in nanoseconds; negative: unknown).
   */
  public Consumer<TimeSeries.Point> phase(
      String name,
      String phase,
      long requests,
      Duration duration,
      java.util.function.LongUnaryOperator waiting) {
    long started = System.nanoTime();
    long[] calls = {0};
    long[] lastPrint = {started - LOG_EVERY_NANOS}; // the first interval prints at once
    double[] quiet = {0}; // seconds since a call last completed
    return point -> {
      calls[0] += point.calls();
      quiet[0] = point.calls() > 0 ? 0 : quiet[0] + point.seconds();
      long now = System.nanoTime();
      if (!terminal && now - lastPrint[0] < LOG_EVERY_NANOS) {
        return;
      }
      lastPrint[0] = now;
      double elapsed = (now - started) / 1e9;
      double rate = point.throughput();
      String remaining;
      if (duration != null) {
        remaining =
            String.format(
                Locale.ROOT, "~%.0f s left", Math.max(0, duration.toNanos() / 1e9 - elapsed));
      } else if (rate > 0) {
        remaining =
            String.format(
                Locale.ROOT,
                "%s/%s requests, ~%.0f s left",
                Svg.count(calls[0]),
                Svg.count(requests),
                Math.max(0, (requests - calls[0]) / rate));
      } else {
        remaining = Svg.count(calls[0]) + "/" + Svg.count(requests) + " requests";
      }
      String current =
          quiet[0] >= 2
              ? String.format(Locale.ROOT, "NO REPLY for %.0f s", quiet[0])
                  + waitingCalls(waiting.applyAsLong(Math.round(quiet[0] * 1e9)))
              : Svg.count(rate) + " req/s now, p99 " + Quantities.compact(point.p99Nanos());
      String line =
          String.format(
              Locale.ROOT,
              "  %s · %s: %.0f s elapsed, %s, %s",
              name,
              phase,
              elapsed,
              remaining,
              current);
      synchronized (this) {
        if (terminal) {
          out.print("\r" + line + "\u001b[K");
          out.flush();
        } else {
          out.println(line);
        }
      }
    };
  }

  /** What a benchmark noted, once per invocation, indented under its results. */
  public synchronized void notes(List<Note> notes) {
    for (Note note : notes) {
      out.println("    " + note.title() + ":");
      for (String line : note.text().split("\\R")) {
        out.println("      " + line);
      }
    }
  }

  /** The result line, its budgets and baseline, and the profile's top entries. */
  public synchronized void benchmarkFinished(BenchmarkRecord record) {
    if (terminal) {
      out.print("\r\u001b[K");
    }
    String mark =
        switch (record.outcome()) {
          case PASSED -> "✔";
          case FAILED -> "✘";
          case BROKEN -> "!";
        };
    BenchmarkResult r = record.result();
    if (r != null) {
      out.println(
          "  "
              + mark
              + " "
              + line(r)
              + (r.cutShort().isPresent()
                  ? " — PARTIAL: the iterations measured before it was cut short"
                  : ""));
    } else {
      out.println(
          "  "
              + mark
              + " "
              + record.id()
              + (record.notes().isEmpty()
                  ? ": measured nothing"
                  : ": measured by itself; its notes say what"));
    }
    if (record.failure() != null) {
      out.println(
          "    " + record.outcome().name().toLowerCase(Locale.ROOT) + ": " + record.failure());
    }
    if (r != null) {
      r.serverResources()
          .flatMap(ServerResources::possibleLeak)
          .ifPresent(leak -> out.println("    warning: " + leak));
      r.serverProfile()
          .ifPresent(
              p -> {
                out.println(
                    "    server profile: "
                        + p.how()
                        + (p.files().isEmpty()
                            ? ""
                            : " → "
                                + p.files().stream()
                                    .map(Path::toString)
                                    .collect(Collectors.joining(", "))));
                p.problems().forEach(problem -> out.println("    warning: " + problem));
              });
    }
    if (record.baseline() != null) {
      for (var change : record.baseline().changes()) {
        out.println(
            "    baseline "
                + change.verdict().name().toLowerCase(Locale.ROOT)
                + ": "
                + change.sentence());
      }
    }
    ProfileSummary p = record.profile();
    if (p != null) {
      out.printf(
          Locale.ROOT,
          "    profile (%d profiled iteration(s), not in the numbers): %d CPU samples + %d JFR"
              + " native-method samples, %.2f s CPU, %s allocated (%s per request), heap peak %s,"
              + " %d GCs → %s%n",
          p.iterations(),
          p.cpuSamples(),
          p.nativeSamples(),
          p.processCpuNanos() / 1e9,
          mib(p.allocation().totalBytes()),
          Double.isFinite(p.allocation().bytesPerRequest())
              ? Svg.count(p.allocation().bytesPerRequest()) + " B"
              : "n/a",
          mib(p.heap().peakUsedBytes()),
          p.heap().collections(),
          p.jfr());
      out.println("    CPU samples: " + p.cpuSampling());
      for (ProfileSummary.CpuProfile part : p.parts()) {
        out.printf(
            Locale.ROOT,
            "    %s: %,d samples (%s)%s%n",
            part.whose(),
            part.samples(),
            part.threads(),
            part.flameGraph() == null ? "" : " → " + part.flameGraph());
        print(part.whose() + ", Callosum frames", part.ownFrames(), 5);
        print(part.whose() + ", top frames", part.topFrames(), 5);
      }
      if (p.parts().isEmpty()) {
        print("top Java methods", p.topMethods(), 5);
      }
      ProfileSummary.WallClock wall = p.wallClock();
      if (wall != null) {
        out.printf(
            Locale.ROOT,
            "    wall clock: %,d samples (%s)%s%n",
            wall.samples(),
            wall.sampling(),
            wall.flameGraph() == null ? "" : " → " + wall.flameGraph());
        for (ProfileSummary.Threads t : wall.threads()) {
          print(t.label() + ", where", t.where(), 3);
        }
      } else {
        print("waiting in native methods", p.topNativeMethods(), 3);
      }
    }
  }

  private void print(String title, List<ProfileSummary.Entry> entries, int limit) {
    if (entries.isEmpty()) {
      return;
    }
    StringBuilder s = new StringBuilder("    " + title + ":");
    for (int i = 0; i < Math.min(limit, entries.size()); i++) {
      ProfileSummary.Entry e = entries.get(i);
      String share =
          e.share() < 0.01 ? "<1%" : String.format(Locale.ROOT, "%.0f%%", 100 * e.share());
      s.append(" ")
          .append(SummaryPage.shortName(e.name()))
          .append(' ')
          .append(share)
          .append(i + 1 < Math.min(limit, entries.size()) ? "," : "");
    }
    out.println(s);
  }

  /** A table of a class's results. */
  public synchronized void classFinished(String className, List<BenchmarkRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    out.println();
    out.println(
        className + ": " + records.size() + " benchmark" + (records.size() == 1 ? "" : "s"));
    String header =
        String.format(
            Locale.ROOT,
            "  %-54s %-7s %12s %10s %10s %10s %7s",
            "benchmark",
            "outcome",
            "req/s",
            "p50",
            "p99",
            "p99.9",
            "errors");
    out.println(header);
    out.println("  " + "-".repeat(header.length() - 2));
    for (BenchmarkRecord record : records) {
      BenchmarkResult r = record.result();
      String name =
          record.displayName().length() > 54
              ? record.displayName().substring(0, 53) + "…"
              : record.displayName();
      if (r == null) {
        out.printf(Locale.ROOT, "  %-54s %-7s %s%n", name, outcome(record), "measured nothing");
      } else {
        out.printf(
            Locale.ROOT,
            "  %-54s %-7s %12s %10s %10s %10s %7d%n",
            name,
            outcome(record),
            Svg.count(r.throughput()),
            Quantities.compact(r.percentile(50).toNanos()),
            Quantities.compact(r.percentile(99).toNanos()),
            Quantities.compact(r.percentile(99.9).toNanos()),
            r.errorCount());
      }
    }
    out.println();
  }

  /** The run's summary and where its files are. */
  public synchronized void runFinished(RunReport run, List<Path> written) {
    List<BenchmarkRecord> records = run.records();
    long passed =
        records.stream().filter(r -> r.outcome() == BenchmarkRecord.Outcome.PASSED).count();
    long warned =
        records.stream()
            .filter(
                r ->
                    r.baseline() != null
                        && r.baseline().verdict().warns()
                        && !r.baseline().verdict().fails())
            .count();
    out.println();
    out.printf(
        Locale.ROOT,
        "callosum-perf: %d benchmarks in %.0f s: %d passed, %d failed, %d" + " broken%s%n",
        records.size(),
        run.seconds(),
        passed,
        records.stream().filter(r -> r.outcome() == BenchmarkRecord.Outcome.FAILED).count(),
        records.stream().filter(r -> r.outcome() == BenchmarkRecord.Outcome.BROKEN).count(),
        warned > 0 ? ", " + warned + " with baseline warnings" : "");
    for (BenchmarkRecord r : records) {
      if (r.outcome() != BenchmarkRecord.Outcome.PASSED) {
        out.println("  ✘ " + r.id() + ": " + r.failure());
      }
    }
    List<SystemsUnderTest.Entry> suts = SystemsUnderTest.of(records);
    suts.forEach(e -> out.println("callosum-perf: system under test, " + SystemsUnderTest.line(e)));
    String shared = SystemsUnderTest.sharedCoresWarning(suts, run.environment().get("cores"));
    if (shared != null) {
      out.println("callosum-perf: warning: " + shared);
    }
    for (Path file : written) {
      out.println("callosum-perf: wrote " + file.toAbsolutePath().normalize());
    }
  }

  /**
   * {@code EchoBenchmarks.echo 1 KiB · 10 clients: closed loop, 6,200 ± 300 req/s, …}; an open
   * loop's req/s are the calls the server completed, its send rate beside them.
   */
  static String line(BenchmarkResult r) {
    double ci = r.throughputStatistics().ci95();
    return String.format(
        Locale.ROOT,
        "%s: %s, %s req/s%s (%d iteration%s), p50 %s, p99 %s,"
            + " p99.9 %s, max %s, %.2f MiB/s out, %s%d errors%s",
        r.name(),
        loop(r),
        Svg.count(r.throughput()),
        Double.isFinite(ci) ? " ± " + Svg.count(ci) : "",
        r.iterations().size(),
        r.iterations().size() == 1 ? "" : "s",
        Quantities.compact(r.percentile(50).toNanos()),
        Quantities.compact(r.percentile(99).toNanos()),
        Quantities.compact(r.percentile(99.9).toNanos()),
        Quantities.compact(r.maxLatency().toNanos()),
        r.mebibytesSentPerSecond(),
        cpuLine(r),
        r.errorCount(),
        r.hiccups()
            .map(
                h ->
                    "; machine stalled up to "
                        + Quantities.compact(h.worst().toNanos())
                        + " (p99 "
                        + Quantities.compact(h.stall(99).toNanos())
                        + ")")
            .orElse(""));
  }

  /**
   * {@code load generator 120 µs CPU/req, server 250 µs CPU/req, RSS 48.0 MiB (peak 52.1 MiB), 9
   * threads, }: each figure says whose it is; an in-JVM server has no memory of its own.
   */
  public static String cpuLine(BenchmarkResult r) {
    StringBuilder s = new StringBuilder();
    if (Double.isFinite(r.loadGeneratorCpuMicrosPerRequest())) {
      s.append(
          String.format(
              Locale.ROOT,
              "load generator %.0f µs CPU/req, ",
              r.loadGeneratorCpuMicrosPerRequest()));
    }
    r.serverResources()
        .ifPresent(
            server -> {
              s.append(server.inThisJvm() ? "server (its threads here) " : "server ");
              double cpu = r.serverCpuMicrosPerRequest();
              s.append(
                  Double.isFinite(cpu)
                      ? String.format(Locale.ROOT, "%.0f µs CPU/req", cpu)
                      : "CPU unknown");
              if (server.lastRssBytes() >= 0) {
                s.append(", RSS ")
                    .append(ServerResources.mib(server.lastRssBytes()))
                    .append(" MiB");
                if (server.peakRssBytes() >= 0) {
                  s.append(" (peak ")
                      .append(ServerResources.mib(server.peakRssBytes()))
                      .append(")");
                }
              }
              if (server.threads() >= 0) {
                s.append(", ")
                    .append(server.threads())
                    .append(server.threads() == 1 ? " thread" : " threads");
              }
              s.append(", ");
            });
    if (r.serverResources().isEmpty()
        && !r.parameters().getOrDefault("placement", "").isEmpty()
        && "remote".equals(r.parameters().get("placement"))) {
      s.append("server CPU and memory unknown (remote), ");
    }
    return s.toString();
  }

  /**
   * {@code closed loop}, or {@code open loop at 5000 req/s (sent 4,980 req/s, 0.2% late)} with
   * {@code , SATURATED} or {@code , GENERATOR-LIMITED} when it did not measure its target rate.
   */
  static String loop(BenchmarkResult r) {
    if (r.closedLoop()) {
      return "closed loop";
    }
    String limit = r.limit().label();
    return String.format(
        Locale.ROOT,
        "open loop at %.0f req/s (sent %s req/s, %.1f%% late%s)",
        r.targetRate(),
        Svg.count(r.sendRate()),
        100 * r.lateShare(),
        limit.isEmpty() ? "" : ", " + limit.toUpperCase(Locale.ROOT));
  }

  private static String waitingCalls(long n) {
    return n < 0
        ? ""
        : String.format(Locale.ROOT, "; %,d %s waiting", n, n == 1 ? "call" : "calls");
  }

  private static String outcome(BenchmarkRecord r) {
    return r.outcome().name().toLowerCase(Locale.ROOT);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
  }
}
