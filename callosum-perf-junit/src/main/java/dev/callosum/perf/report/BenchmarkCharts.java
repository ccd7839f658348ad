package dev.callosum.perf.report;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.Quantities;
import dev.callosum.perf.measurement.ServerResources;
import dev.callosum.perf.measurement.TimeSeries;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.apiguardian.api.API;

/** One benchmark's pictures and its percentile distribution, for attachments and pages. */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class BenchmarkCharts {
  private BenchmarkCharts() {}

  /**
   * The latency percentile distribution as HdrHistogram prints it ({@code .hgrm}), in microseconds:
   * plotted by HdrHistogram's own plotter too.
   */
  public static String hgrm(BenchmarkResult result) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      result.latencyHistogram().outputPercentileDistribution(print, 5, 1000.0);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Latency by percentile on HdrHistogram's axis (90 %, 99 %, 99.9 % evenly apart). */
  public static String percentiles(BenchmarkResult result) {
    List<double[]> points = percentileCurve(result);
    String loop =
        result.closedLoop()
            ? "closed loop: service time"
            : String.format(
                Locale.ROOT, "open loop at %.0f req/s: from intended send", result.targetRate());
    return Svg.lines(
        "Latency by percentile (" + loop + ", " + Svg.count(result.samples()) + " samples)",
        new Svg.Axis("percentile", true, BenchmarkCharts::percentileLabel),
        new Svg.Axis("latency", false, Quantities::compact),
        List.of(new Svg.Series(result.name(), points)),
        null);
  }

  /** Calls per second over each iteration's seconds. */
  public static String throughputOverTime(BenchmarkResult result) {
    return overTime(result, "Throughput over time", "req/s", true);
  }

  /** p99 latency per interval over each iteration's seconds. */
  public static String p99OverTime(BenchmarkResult result) {
    return overTime(result, "p99 latency over time", "p99 latency", false);
  }

  /**
   * The server under test's CPU (cores busy) and resident memory per interval over each iteration's
   * seconds, as one chart each; empty where the server's figures were not read.
   */
  public static List<Map.Entry<String, String>> serverOverTime(BenchmarkResult result) {
    ServerResources used = result.serverResources().orElse(null);
    if (used == null || used.intervals().isEmpty()) {
      return List.of();
    }
    List<Map.Entry<String, String>> charts = new ArrayList<>();
    List<Svg.Series> cpu = new ArrayList<>();
    List<Svg.Series> rss = new ArrayList<>();
    for (int i = 1; i <= result.iterations().size(); i++) {
      List<double[]> c = new ArrayList<>();
      List<double[]> m = new ArrayList<>();
      for (ServerResources.Interval p : used.intervals()) {
        if (p.iteration() != i) {
          continue;
        }
        if (Double.isFinite(p.cpuCores())) {
          c.add(new double[] {p.endSeconds(), p.cpuCores()});
        }
        if (p.rssBytes() > 0) {
          m.add(new double[] {p.endSeconds(), p.rssBytes() / 1048576.0});
        }
      }
      if (!c.isEmpty()) {
        cpu.add(new Svg.Series("iteration " + i, c));
      }
      if (!m.isEmpty()) {
        rss.add(new Svg.Series("iteration " + i, m));
      }
    }
    if (!cpu.isEmpty()) {
      charts.add(
          Map.entry(
              "Server CPU over time",
              Svg.lines(
                  "The server under test's CPU (cores busy; " + used.source() + ")",
                  new Svg.Axis("seconds into the iteration", false, Svg::number),
                  new Svg.Axis("cores", false, Svg::number),
                  cpu,
                  null)));
    }
    if (!rss.isEmpty()) {
      charts.add(
          Map.entry(
              "Server memory over time",
              Svg.lines(
                  "The server under test's resident memory (" + used.source() + ")",
                  new Svg.Axis("seconds into the iteration", false, Svg::number),
                  new Svg.Axis("MiB resident", false, Svg::number),
                  rss,
                  null)));
    }
    return charts;
  }

  private static String overTime(
      BenchmarkResult result, String title, String yLabel, boolean throughput) {
    List<Svg.Series> series = new ArrayList<>();
    List<LoadResult> iterations = result.iterations();
    for (int i = 0; i < iterations.size(); i++) {
      List<double[]> points = new ArrayList<>();
      for (TimeSeries.Point p : iterations.get(i).timeSeries().points()) {
        points.add(new double[] {p.endSeconds(), throughput ? p.throughput() : p.p99Nanos()});
      }
      series.add(new Svg.Series("iteration " + (i + 1), points));
    }
    return Svg.lines(
        title,
        new Svg.Axis("seconds into the iteration", false, Svg::number),
        new Svg.Axis(yLabel, false, throughput ? Svg::count : Quantities::compact),
        series,
        null);
  }

  /**
   * The latency distributions of several results on one chart, HdrHistogram's percentile axis: a
   * method's variants compared at a glance.
   *
   * @param results each curve's label and result
   */
  public static String percentiles(String title, List<Map.Entry<String, BenchmarkResult>> results) {
    List<Svg.Series> series = new ArrayList<>();
    for (Map.Entry<String, BenchmarkResult> e : results) {
      series.add(new Svg.Series(e.getKey(), percentileCurve(e.getValue())));
    }
    return Svg.lines(
        title,
        new Svg.Axis("percentile", true, BenchmarkCharts::percentileLabel),
        new Svg.Axis("latency", false, Quantities::compact),
        series,
        null);
  }

  /** Points (1 / (1 - q), latency) up to the maximum, placed at the sample count's percentile. */
  private static List<double[]> percentileCurve(BenchmarkResult result) {
    Histogram h = result.latencyHistogram();
    List<double[]> points = new ArrayList<>();
    if (h.getTotalCount() > 0) {
      for (HistogramIterationValue v : h.percentiles(5)) {
        double q = v.getPercentileLevelIteratedTo() / 100;
        if (q >= 1) {
          break;
        }
        points.add(new double[] {1 / (1 - q), v.getValueIteratedTo()});
      }
      points.add(new double[] {Math.max(10, Math.min(1e6, h.getTotalCount())), h.getMaxValue()});
    }
    return points;
  }

  private static String percentileLabel(double x) {
    double q = 100 * (1 - 1 / x);
    if (q <= 0) {
      return "0%";
    }
    String s = String.format(Locale.ROOT, "%.4f", q).replaceAll("0+$", "").replaceAll("\\.$", "");
    return s + "%";
  }

  /** The summary as a small HTML table: the key numbers first, then the conditions. */
  public static String summaryTable(BenchmarkRecord record) {
    StringBuilder html = new StringBuilder("<table>");
    BenchmarkResult r = record.result();
    if (r != null) {
      double ci = r.throughputStatistics().ci95();
      int n = r.iterations().size();
      row(
          html,
          "throughput",
          String.format(
              Locale.ROOT,
              "%s req/s%s",
              Svg.count(r.throughput()),
              n == 1
                  ? " (1 iteration: no spread to show)"
                  : " ± " + Svg.count(ci) + " (95 % CI of " + n + " iterations)"));
      StringBuilder latency = new StringBuilder();
      for (double p : new double[] {50, 90, 95, 99, 99.9, 99.99}) {
        latency
            .append(Quantities.percentile(p))
            .append(' ')
            .append(Quantities.compact(r.percentile(p).toNanos()))
            .append(" · ");
      }
      latency
          .append("max ")
          .append(Quantities.compact(r.maxLatency().toNanos()))
          .append(" · mean ")
          .append(Quantities.compact(r.meanLatency().toNanos()));
      row(html, "latency", latency.toString());
      row(
          html,
          "requests / errors",
          Svg.count(r.requests())
              + " / "
              + r.errorCount()
              + (r.errorCount() > 0 ? " " + r.errors() : ""));
      row(
          html,
          "MiB/s sent / received",
          String.format(
              Locale.ROOT,
              "%.2f / %.2f",
              r.mebibytesSentPerSecond(),
              r.mebibytesReceivedPerSecond()));
      if (Double.isFinite(r.loadGeneratorCpuMicrosPerRequest())) {
        row(
            html,
            "load generator CPU per request",
            String.format(
                Locale.ROOT,
                "%.1f µs (its own threads: load threads, the clients' event loops and ZeroMQ"
                    + " I/O; not JUnit, the JIT, the GC or profilers)",
                r.loadGeneratorCpuMicrosPerRequest()));
      }
      Optional<ServerResources> used = r.serverResources();
      row(
          html,
          "server under test: CPU, memory, threads",
          used.isEmpty()
              ? "unknown (a remote server: only its replies are seen from here)"
              : serverUse(r, used.get()));
      r.hiccups()
          .ifPresent(h -> row(html, "this machine's own hiccups (not the server's)", h.toString()));
      row(
          html,
          "loop",
          r.closedLoop()
              ? "closed: latency is service time"
              : String.format(
                  Locale.ROOT,
                  "open at %.0f req/s: latency counts from the intended send time; throughput is"
                      + " what the server completed; sent at %s req/s, %d late sends (%.1f%%)%s",
                  r.targetRate(),
                  Svg.count(r.sendRate()),
                  r.lateSends(),
                  100 * r.lateShare(),
                  r.limit() == LoadResult.Limit.NONE
                      ? ""
                      : " — " + r.limit().label() + ": " + limitMeaning(r.limit())));
      r.parameters()
          .forEach(
              (k, v) -> {
                if (!k.equals("loop")) {
                  row(html, k, v);
                }
              });
      Histogram hs = r.handshakeHistogram();
      if (hs.getTotalCount() > 0) {
        row(
            html,
            "handshake",
            "p50 "
                + Quantities.compact(hs.getValueAtPercentile(50))
                + " · max "
                + Quantities.compact(hs.getMaxValue())
                + " ("
                + hs.getTotalCount()
                + " connections)");
      }
      row(html, "server", r.server());
    }
    record
        .budgets()
        .forEach(
            b ->
                row(
                    html,
                    "budget: " + b.metric(),
                    (b.kept() ? "kept: " : "BROKEN: ") + b.measured() + " against " + b.budget()));
    if (record.baseline() != null) {
      record
          .baseline()
          .changes()
          .forEach(
              c ->
                  row(
                      html,
                      "baseline: " + c.metric(),
                      c.verdict().name().toLowerCase(Locale.ROOT) + ": " + c.sentence()));
    }
    if (record.serverState() != null) {
      row(
          html,
          "server after",
          record.serverState().pending()
              + " pending, "
              + record.serverState().keyQueues()
              + " key queues, "
              + record.serverState().replies()
              + " replies");
    }
    if (record.failure() != null) {
      row(html, "failure", record.failure());
    }
    return html.append("</table>").toString();
  }

  private static String serverUse(BenchmarkResult r, ServerResources used) {
    double cpu = r.serverCpuMicrosPerRequest();
    return (Double.isFinite(cpu)
            ? String.format(Locale.ROOT, "%.1f µs CPU per request", cpu)
            : "CPU unknown")
        + (used.lastRssBytes() >= 0
            ? ", resident memory "
                + String.join(" → ", used.rssBytes().stream().map(ServerResources::mib).toList())
                + " MiB by iteration (peak "
                + ServerResources.mib(used.peakRssBytes())
                + ")"
            : ", memory unknown (this JVM's, shared with the load generator)")
        + (used.threads() >= 0 ? ", " + used.threads() + " threads" : "")
        + used.possibleLeak().map(l -> " — " + l).orElse("")
        + "; from "
        + used.source();
  }

  static String limitMeaning(LoadResult.Limit limit) {
    return limit == LoadResult.Limit.SATURATED
        ? "the server completed fewer calls per second than offered"
        : "the load generator could not send on schedule, so the target rate was not offered";
  }

  private static void row(StringBuilder html, String key, String value) {
    html.append("<tr><th style=\"text-align:left;padding-right:1em\">")
        .append(Html.escape(key))
        .append("</th><td>")
        .append(Html.escape(value))
        .append("</td></tr>");
  }
}
