package dev.callosum.perf.report;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.measurement.Quantities;
import dev.callosum.perf.profile.ProfileSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.apiguardian.api.API;

/**
 * The run's executive summary as one self-contained HTML page (inline SVG, one inline script that
 * sorts tables by a click on their header, nothing from the network): outcomes, the conditions,
 * then per benchmark method the chart its varying parameter calls for (throughput against payload
 * or clients, latency against load, grouped bars for schedulers or features, a matrix where two
 * features vary) and a table of every result.
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class SummaryPage {
  private static final Set<String> NOT_DIMENSIONS = Set.of("requests", "duration", "loop");

  /** Sorts a table by the clicked column: numbers (with their units) by value, text as text. */
  private static final String SORT_SCRIPT =
      """
      (function () {
        var scale = {ns: 1e-3, 'µs': 1, ms: 1e3, s: 1e6, B: 1, KiB: 1024, MiB: 1048576};
        function key(cell) {
          if (cell.dataset && cell.dataset.sort) { return parseFloat(cell.dataset.sort); }
          var t = cell.textContent.trim(), m = t.match(/^([-\\d.,]+)\\s*(\\S*)$/);
          if (!m) { return t.toLowerCase(); }
          return parseFloat(m[1].replace(/,/g, '')) * (scale[m[2]] || 1);
        }
        document.querySelectorAll('table').forEach(function (table) {
          table.querySelectorAll('tr:first-child th').forEach(function (th, col) {
            th.style.cursor = 'pointer';
            th.title = 'sort';
            th.addEventListener('click', function () {
              var rows = Array.prototype.slice.call(table.rows, 1);
              var up = th.dataset.order !== 'up';
              th.dataset.order = up ? 'up' : 'down';
              rows.sort(function (a, b) {
                var x = key(a.cells[col] || a), y = key(b.cells[col] || b);
                return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1);
              });
              rows.forEach(function (r) { r.parentNode.appendChild(r); });
            });
          });
        });
      })();
      """;

  /**
   * Filters the every-benchmark table by family and text, and writes any script error into the page
   * (for a reader, and for the browser test that opens the page).
   */
  private static final String FILTER_SCRIPT =
      """
      (function () {
        var table = document.getElementById('all');
        var family = document.getElementById('family-filter');
        var text = document.getElementById('text-filter');
        var count = document.getElementById('filter-count');
        if (!table || !family || !text) { return; }
        function apply() {
          var f = family.value, t = text.value.trim().toLowerCase(), shown = 0;
          var rows = Array.prototype.slice.call(table.rows, 1);
          rows.forEach(function (r) {
            var ok = (!f || r.dataset.family === f)
                && (!t || r.textContent.toLowerCase().indexOf(t) >= 0);
            r.style.display = ok ? '' : 'none';
            if (ok) { shown++; }
          });
          count.textContent = shown + ' of ' + rows.length + ' shown';
        }
        family.addEventListener('change', apply);
        text.addEventListener('input', apply);
        apply();
      })();
      """;

  /**
   * Inside Allure's report (this page at {@code plugin/callosum-benchmarks/}), turns each {@code
   * data-test} cell into a link to that benchmark's test: Allure gives tests their ids when it
   * makes the report, after this page was written, so the page reads them from the report's own
   * index ({@code data/suites.json}, then each test's labels for the JUnit unique id). Records how
   * it went in {@code body[data-test-links]}.
   */
  private static final String TEST_LINK_SCRIPT =
      """
      (function () {
        var cells = document.querySelectorAll('[data-test]');
        if (!cells.length || !window.fetch || location.protocol === 'file:') { return; }
        var data = new URL('../../data/', location.href).href;
        function json(path) {
          return fetch(data + path).then(function (r) {
            if (!r.ok) { throw new Error(path + ': HTTP ' + r.status); }
            return r.json();
          });
        }
        function leaves(node, out) {
          (node.children || []).forEach(function (c) {
            if (c.children) { leaves(c, out); } else { out.push(c.uid); }
          });
          return out;
        }
        json('suites.json').then(function (root) {
          return Promise.all(leaves(root, []).map(function (uid) {
            return json('test-cases/' + uid + '.json');
          }));
        }).then(function (tests) {
          var byTest = {}, linked = 0;
          tests.forEach(function (t) {
            (t.labels || []).forEach(function (l) {
              if (l.name === 'junit.platform.uniqueid') { byTest[l.value] = t.uid; }
            });
          });
          cells.forEach(function (cell) {
            var uid = byTest[cell.dataset.test];
            if (!uid) { return; }
            var a = document.createElement('a');
            a.className = cell.className;
            a.dataset.test = cell.dataset.test;
            a.textContent = cell.textContent;
            a.href = new URL('../../index.html#testresult/' + uid, location.href).href;
            a.target = '_top';
            a.addEventListener('click', function (e) {
              try {
                window.top.location.hash = 'testresult/' + uid;
                e.preventDefault();
              } catch (ignored) { /* another origin: the link itself */ }
            });
            cell.replaceWith(a);
            linked++;
          });
          document.body.dataset.testLinks = linked + ' of ' + cells.length;
        }).catch(function (e) {
          document.body.dataset.testLinks = 'failed: ' + e.message;
        });
      })();
      """;

  private SummaryPage() {}

  public static void write(RunReport run, Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, html(run, file.toAbsolutePath().getParent()), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the summary page " + file, e);
    }
  }

  /**
   * The page; links to profiles are relative to {@code directory}, or, with {@code null} (the copy
   * inside the Allure report), the profiles are said to be attached to each benchmark.
   */
  public static String html(RunReport run, Path directory) {
    List<BenchmarkRecord> records = run.records();
    StringBuilder h = new StringBuilder();
    h.append(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Callosum"
                + " benchmarks · ")
        .append(run.stamp())
        .append("</title><style>")
        .append(
            "body{font-family:sans-serif;margin:1em;max-width:1060px;color:#222}"
                + "pre{white-space:pre-wrap;overflow-wrap:anywhere}"
                + "td.l{white-space:normal;overflow-wrap:anywhere;min-width:4em}"
                + "td.params{min-width:13em;font-size:12px}#all td,#all th{padding:3px 5px}"
                + ".scroll{overflow-x:auto;max-width:100%}th{white-space:normal}"
                + "nav.toc{columns:2;font-size:13px}.filters{margin:.5em 0}"
                + "table{border-collapse:collapse;margin:.5em 0 1.5em}"
                + "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right;"
                + "white-space:nowrap}"
                + "th{background:#f4f4f4}td.l,th.l{text-align:left}"
                + ".passed{color:#1a7f37}.failed{color:#cf222e;font-weight:bold}"
                + ".broken{color:#9a6700;font-weight:bold}.warn{color:#9a6700}"
                + "h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:2em}"
                + "svg{max-width:100%;height:auto}.note{color:#555;font-size:13px}")
        .append("</style></head><body>");
    h.append("<h1>Callosum RPC benchmarks</h1>");
    if (run.quick()) {
      h.append(
              "<p class=\"quick\" style=\"background:#fff8c5;border:1px solid #d4a72c;"
                  + "padding:8px\">")
          .append(Html.escape(RunReport.QUICK_BANNER))
          .append("</p>");
    }
    long passed = count(records, BenchmarkRecord.Outcome.PASSED);
    long failed = count(records, BenchmarkRecord.Outcome.FAILED);
    long broken = count(records, BenchmarkRecord.Outcome.BROKEN);
    h.append(
        String.format(
            Locale.ROOT,
            "<p>Run of %s, %.0f s: <b>%d benchmarks</b> — <span"
                + " class=\"passed\">%d passed</span>, <span class=\"failed\">%d failed</span>,"
                + " <span class=\"broken\">%d broken</span>.</p>",
            run.started(),
            run.seconds(),
            records.size(),
            passed,
            failed,
            broken));
    if (directory != null && run.jsonFile() != null) {
      h.append("<p>Raw data: <a href=\"")
          .append(Html.escape(link(directory, run.jsonFile())))
          .append("\" download>")
          .append(Html.escape(run.jsonFile().getFileName().toString()))
          .append("</a> (every result, iteration, histogram; schema in the README)</p>");
    } else if (directory == null) {
      h.append(
          "<p>Raw data: the JSON results are attached to the report's <i>Run summary</i>"
              + " entry; each benchmark's own JSON, profile and flame graphs to its test, which"
              + " its row in the tables below links to.</p>");
    }
    Map<String, List<BenchmarkRecord>> byMethod = new LinkedHashMap<>();
    for (BenchmarkRecord r : records) {
      byMethod.computeIfAbsent(r.className() + "." + r.method(), k -> new ArrayList<>()).add(r);
    }
    toc(h, byMethod);
    systemUnderTest(h, run);
    executive(h, records);
    everyBenchmark(h, records, directory);
    h.append(
        "<h2 id=\"conditions\">Conditions of the load generator (this machine and JVM)</h2>"
            + "<table>");
    run.environment()
        .forEach(
            (k, v) ->
                h.append("<tr><th class=\"l\">")
                    .append(Html.escape(k))
                    .append("</th><td class=\"l\">")
                    .append(Html.escape(String.valueOf(v)))
                    .append("</td></tr>"));
    run.settings()
        .forEach(
            (k, v) ->
                h.append("<tr><th class=\"l\">")
                    .append(Html.escape(k))
                    .append("</th><td class=\"l\">")
                    .append(Html.escape(String.valueOf(v)))
                    .append("</td></tr>"));
    h.append(
        "</table><p class=\"note\">Closed-loop latencies are service times (each client"
            + " waits for its reply before the next request); open-loop latencies count from each"
            + " request's intended send time, so queueing shows. Throughput is the mean over the"
            + " measured iterations, ± the 95 % confidence interval of that mean.</p>");
    byMethod.forEach((method, group) -> section(h, method, group, directory));
    h.append("<script>")
        .append(SORT_SCRIPT)
        .append(FILTER_SCRIPT)
        .append(directory == null ? TEST_LINK_SCRIPT : "")
        .append("</script></body></html>");
    return h.toString();
  }

  /** What was measured: the servers by kind, and whether they shared the load generator's cores. */
  private static void systemUnderTest(StringBuilder h, RunReport run) {
    List<SystemsUnderTest.Entry> suts = SystemsUnderTest.of(run.records());
    if (suts.isEmpty()) {
      return;
    }
    h.append("<h2 id=\"system-under-test\">System under test</h2><table class=\"sut\">")
        .append("<tr><th class=\"l\">placement</th><th class=\"l\">identity</th>")
        .append("<th>results</th><th class=\"l\">for example</th>")
        .append("<th class=\"l\">shares this machine</th></tr>");
    for (SystemsUnderTest.Entry e : suts) {
      h.append("<tr><td class=\"l\">")
          .append(Html.escape(e.placement()))
          .append("</td><td class=\"l\">")
          .append(Html.escape(e.identity()))
          .append("</td><td>")
          .append(e.benchmarks())
          .append("</td><td class=\"l\">")
          .append(Html.escape(e.example()))
          .append("</td><td class=\"l\">")
          .append(
              Html.escape(
                  !e.sharesThisMachine()
                      ? "no"
                      : e.cpus() == null
                          ? "yes, and its CPUs"
                          : "yes, on CPUs of its own: " + e.cpus()))
          .append("</td></tr>");
    }
    h.append("</table>");
    String warning = SystemsUnderTest.sharedCoresWarning(suts, run.environment().get("cores"));
    if (warning != null) {
      h.append("<p class=\"warn\">").append(Html.escape(warning)).append("</p>");
    }
  }

  /** Links to every part of the page, the benchmark methods by family. */
  private static void toc(StringBuilder h, Map<String, List<BenchmarkRecord>> byMethod) {
    h.append("<nav class=\"toc\"><b>Contents</b><ul>")
        .append("<li><a href=\"#system-under-test\">System under test</a></li>")
        .append("<li><a href=\"#executive-summary\">Executive summary</a></li>")
        .append("<li><a href=\"#all-benchmarks\">Every benchmark, one table</a></li>")
        .append("<li><a href=\"#conditions\">Conditions</a></li>");
    byMethod.forEach(
        (method, group) ->
            h.append("<li><a href=\"#")
                .append(Html.escape(anchor(method)))
                .append("\">")
                .append(Html.escape(method))
                .append("</a> <span class=\"note\">")
                .append(Html.escape(group.get(0).family()))
                .append(", ")
                .append(group.size())
                .append("</span></li>"));
    h.append("</ul></nav>");
  }

  /**
   * One row per result of the run: family, parameters, throughput ± CI, percentiles, errors,
   * verdict, baseline delta and links; sortable by any column and filtered by family and by text.
   */
  private static void everyBenchmark(
      StringBuilder h, List<BenchmarkRecord> records, Path directory) {
    Set<String> families = new java.util.TreeSet<>();
    records.forEach(r -> families.add(r.family()));
    boolean spread = hasSpread(records);
    h.append("<h2 id=\"all-benchmarks\">Every benchmark, one table</h2>")
        .append("<div class=\"filters\">family <select id=\"family-filter\">")
        .append("<option value=\"\">all</option>");
    families.forEach(f -> h.append("<option>").append(Html.escape(f)).append("</option>"));
    h.append("</select> text <input id=\"text-filter\" type=\"search\" size=\"30\"")
        .append(" placeholder=\"benchmark, parameter, verdict…\">")
        .append(" <span id=\"filter-count\" class=\"note\"></span></div>")
        .append("<div class=\"scroll\"><table id=\"all\"><tr><th class=\"l\">family</th>")
        .append("<th class=\"l\">benchmark</th><th class=\"l\">parameters</th>")
        .append(spread ? "<th>req/s ± 95 % CI</th>" : "<th>req/s</th>")
        .append("<th>p50</th><th>p99</th><th>p99.9</th>")
        .append("<th>errors</th>")
        .append("<th title=\"the server under test's CPU per request (its process, or its")
        .append(" threads in this JVM)\">server CPU</th>")
        .append("<th title=\"the server's peak resident memory (its own process only)\">")
        .append("server RSS</th>")
        .append("<th title=\"the load generator's CPU per request\">generator CPU</th>")
        .append("<th class=\"l\">verdict</th><th class=\"l\">baseline</th>")
        .append("<th class=\"l\">links</th></tr>");
    for (BenchmarkRecord r : records) {
      String method = r.className() + "." + r.method();
      BenchmarkResult x = r.result();
      h.append("<tr data-family=\"")
          .append(Html.escape(r.family()))
          .append("\"><td class=\"l\">")
          .append(Html.escape(r.family()))
          .append("</td><td class=\"l\"><a href=\"#")
          .append(Html.escape(anchor(method)))
          .append("\">")
          .append(Html.escape(method))
          .append("</a><br><span class=\"note\">")
          .append(Html.escape(r.displayName()))
          .append("</span></td><td class=\"l params\">");
      if (x != null) {
        StringBuilder params = new StringBuilder();
        x.parameters()
            .forEach(
                (k, v) -> {
                  if (!NOT_DIMENSIONS.contains(k)) {
                    params.append(params.length() == 0 ? "" : ", ").append(k).append('=').append(v);
                  }
                });
        h.append(Html.escape(params.toString()));
        double ci = x.throughputStatistics().ci95();
        h.append("</td><td data-sort=\"")
            .append(x.throughput())
            .append("\">")
            .append(Html.escape(Svg.count(x.throughput())))
            .append(
                Double.isFinite(ci)
                    ? " <span class=\"note\">± " + Html.escape(Svg.count(ci)) + "</span>"
                    : "")
            .append("</td>")
            .append(td(Quantities.compact(x.percentile(50).toNanos())))
            .append(td(Quantities.compact(x.percentile(99).toNanos())))
            .append(td(Quantities.compact(x.percentile(99.9).toNanos())))
            .append(td(Long.toString(x.errorCount())))
            .append(td(micros(x.serverCpuMicrosPerRequest())))
            .append(
                td(
                    x.serverResources()
                        .filter(u -> u.peakRssBytes() > 0)
                        .map(
                            u ->
                                String.format(
                                    Locale.ROOT, "%.0f MiB", u.peakRssBytes() / 1048576.0))
                        .orElse("")))
            .append(td(micros(x.loadGeneratorCpuMicrosPerRequest())));
      } else {
        h.append("</td><td colspan=\"8\" class=\"l\">measured nothing</td>");
      }
      h.append("<td class=\"l ")
          .append(r.outcome().name().toLowerCase(Locale.ROOT))
          .append("\" title=\"")
          .append(Html.escape(r.failure() == null ? "" : r.failure()))
          .append("\">")
          .append(r.outcome().name().toLowerCase(Locale.ROOT))
          .append("</td><td class=\"l\" title=\"")
          .append(r.baseline() == null ? "" : Html.escape(r.baseline().summary()))
          .append("\">")
          .append(
              r.baseline() == null
                  ? ""
                  : Html.escape(r.baseline().verdict().name().toLowerCase(Locale.ROOT)))
          .append("</td><td class=\"l\">");
      ProfileSummary p = r.profile();
      if (p != null && directory != null) {
        flameGraphLinks(h, p, directory, "CPU");
      } else if (directory == null) {
        testLink(h, r, p != null ? "its test, profile attached" : "its test");
      }
      h.append("</td></tr>");
    }
    h.append("</table></div>");
  }

  /**
   * Whether any result has a spread; one iteration has none, and "n/a" columns only look precise.
   */
  private static boolean hasSpread(List<BenchmarkRecord> records) {
    return records.stream()
        .anyMatch(
            r -> r.result() != null && Double.isFinite(r.result().throughputStatistics().ci95()));
  }

  /** An id for a method's section. */
  private static String anchor(String method) {
    return method.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static void executive(StringBuilder h, List<BenchmarkRecord> records) {
    List<BenchmarkRecord> measured = records.stream().filter(r -> r.result() != null).toList();
    h.append("<h2 id=\"executive-summary\">Executive summary</h2><ul>");
    measured.stream()
        .filter(r -> r.result().closedLoop())
        .max(Comparator.comparingDouble(r -> r.result().throughput()))
        .ifPresent(
            r ->
                h.append("<li>Highest throughput: <b>")
                    .append(Svg.count(r.result().throughput()))
                    .append(" req/s</b> in ")
                    .append(Html.escape(r.id()))
                    .append("</li>"));
    measured.stream()
        .min(Comparator.comparingLong(r -> r.result().percentile(99).toNanos()))
        .ifPresent(
            r ->
                h.append("<li>Lowest p99 latency: <b>")
                    .append(Quantities.compact(r.result().percentile(99).toNanos()))
                    .append("</b> in ")
                    .append(Html.escape(r.id()))
                    .append("</li>"));
    long errors = measured.stream().mapToLong(r -> r.result().errorCount()).sum();
    h.append("<li>RPC errors over all benchmarks: <b>").append(errors).append("</b></li>");
    for (BenchmarkRecord r : records) {
      if (r.outcome() != BenchmarkRecord.Outcome.PASSED) {
        h.append("<li class=\"")
            .append(r.outcome() == BenchmarkRecord.Outcome.FAILED ? "failed" : "broken")
            .append("\">")
            .append(Html.escape(r.id()))
            .append(": ")
            .append(Html.escape(String.valueOf(r.failure())))
            .append("</li>");
      } else if (r.baseline() != null && r.baseline().verdict().warns()) {
        h.append("<li class=\"warn\">")
            .append(Html.escape(r.id()))
            .append(" against the baseline: ")
            .append(Html.escape(r.baseline().summary()))
            .append("</li>");
      }
    }
    h.append("</ul>");
  }

  private static void section(
      StringBuilder h, String method, List<BenchmarkRecord> group, Path directory) {
    h.append("<h2 id=\"")
        .append(Html.escape(anchor(method)))
        .append("\">")
        .append(Html.escape(method))
        .append("</h2>");
    List<BenchmarkRecord> measured = group.stream().filter(r -> r.result() != null).toList();
    if (measured.size() >= 2) {
      charts(h, measured);
      distributions(h, measured);
    }
    // One iteration has no spread: a column of "n/a" would only look precise.
    boolean spread = hasSpread(measured);
    h.append(
        "<div class=\"scroll\"><table><tr><th class=\"l\">benchmark</th><th>outcome</th>"
            + "<th>req/s</th>"
            + (spread ? "<th>± 95 % CI</th>" : "")
            + "<th>MiB/s out</th><th>p50</th><th>p99</th><th>p99.9</th>"
            + "<th>max</th><th>errors</th><th title=\"the most this machine itself stalled while"
            + " it ran (a 1 ms sleep's overshoot, a thread wake-up): not the server\">machine"
            + " stall</th><th class=\"l\">baseline</th><th class=\"l\">profile</th>"
            + "</tr>");
    for (BenchmarkRecord r : group) {
      h.append("<tr><td class=\"l\">")
          .append(Html.escape(r.displayName()))
          .append("</td><td class=\"")
          .append(r.outcome().name().toLowerCase(Locale.ROOT))
          .append("\" title=\"")
          .append(Html.escape(r.failure() == null ? "" : r.failure()))
          .append("\">")
          .append(r.outcome().name().toLowerCase(Locale.ROOT))
          .append("</td>");
      BenchmarkResult x = r.result();
      if (x == null) {
        h.append("<td colspan=\"" + (spread ? 9 : 8) + "\" class=\"l\">")
            .append(Html.escape(String.valueOf(r.failure())))
            .append("</td>");
      } else {
        double ci = x.throughputStatistics().ci95();
        h.append(td(throughput(x)))
            .append(spread ? td(Double.isFinite(ci) ? Svg.count(ci) : "n/a") : "")
            .append(td(String.format(Locale.ROOT, "%.2f", x.mebibytesSentPerSecond())))
            .append(td(Quantities.compact(x.percentile(50).toNanos())))
            .append(td(Quantities.compact(x.percentile(99).toNanos())))
            .append(td(Quantities.compact(x.percentile(99.9).toNanos())))
            .append(td(Quantities.compact(x.maxLatency().toNanos())))
            .append(td(Long.toString(x.errorCount())))
            .append(td(x.hiccups().map(m -> Quantities.compact(m.worst().toNanos())).orElse("")));
      }
      h.append("<td class=\"l\">")
          .append(
              r.baseline() == null
                  ? ""
                  : Html.escape(r.baseline().verdict().name().toLowerCase(Locale.ROOT)))
          .append("</td><td class=\"l\">");
      ProfileSummary p = r.profile();
      if (p != null && directory == null) {
        testLink(h, r, "attached to its test");
      } else if (p != null) {
        flameGraphLinks(h, p, directory, "flame graph");
        if (p.flameGraph() != null && p.parts().isEmpty()) {
          h.append("<a href=\"")
              .append(Html.escape(link(directory, p.flameGraph())))
              .append("\">flame graph</a> ");
        }
        h.append("<a href=\"").append(Html.escape(link(directory, p.jfr()))).append("\">.jfr</a>");
      }
      if (p != null) {
        if (!p.ownMethods().isEmpty()) {
          h.append(" <span class=\"note\">server's top: ")
              .append(Html.escape(shortName(p.ownMethods().get(0).name())))
              .append("</span>");
        }
      }
      h.append("</td></tr>");
    }
    h.append("</table></div>");
    Set<Note> shown = new LinkedHashSet<>();
    for (BenchmarkRecord r : group) {
      for (Note note : r.notes()) {
        if (shown.add(note)) {
          h.append("<h3>")
              .append(Html.escape(note.title()))
              .append(" · ")
              .append(Html.escape(r.displayName()))
              .append("</h3><pre>")
              .append(Html.escape(note.text()))
              .append("</pre>");
        }
      }
    }
  }

  /** Every variant's latency distribution on one chart, up to twelve (more would not read). */
  private static void distributions(StringBuilder h, List<BenchmarkRecord> group) {
    if (group.size() > 12) {
      return;
    }
    List<Map.Entry<String, BenchmarkResult>> curves = new ArrayList<>();
    for (BenchmarkRecord r : group) {
      curves.add(Map.entry(r.displayName(), r.result()));
    }
    boolean closed = group.stream().allMatch(r -> r.result().closedLoop());
    boolean open = group.stream().noneMatch(r -> r.result().closedLoop());
    h.append(
        BenchmarkCharts.percentiles(
            "Latency distribution of every variant ("
                + (closed
                    ? "closed loop: service time"
                    : open
                        ? "open loop: from intended send"
                        : "closed loops: service time; open loops: from intended send")
                + ")",
            curves));
  }

  /** The chart the group's varying parameters call for. */
  private static void charts(StringBuilder h, List<BenchmarkRecord> group) {
    List<String> varying = varying(group);
    boolean open = !group.get(0).result().closedLoop();
    String x = null;
    for (String numeric : List.of("payload", "clients", "rate")) {
      if (varying.contains(numeric)) {
        x = numeric;
        break;
      }
    }
    if (x != null) {
      String xKey = x;
      List<String> others = varying.stream().filter(v -> !v.equals(xKey)).toList();
      ToDoubleFunction<BenchmarkResult> xValue =
          switch (x) {
            case "payload" -> r -> r.payloadBytes();
            case "clients" -> r -> r.clients();
            default -> BenchmarkResult::targetRate;
          };
      String xLabel =
          switch (x) {
            case "payload" -> "payload (bytes)";
            case "clients" -> "clients";
            default -> "target rate (req/s)";
          };
      boolean log = x.equals("payload") || maxOver(group, xValue) / minOver(group, xValue) > 20;
      Svg.Axis axis =
          new Svg.Axis(xLabel, log, x.equals("payload") ? SummaryPage::bytes : Svg::count);
      double[] ticks =
          group.stream()
              .mapToDouble(r -> xValue.applyAsDouble(r.result()))
              .distinct()
              .sorted()
              .toArray();
      if (!open) {
        h.append(
            Svg.lines(
                "Throughput against " + x,
                axis,
                new Svg.Axis("req/s", false, Svg::count),
                series(group, others, xValue, r -> r.throughput(), ""),
                ticks));
      }
      List<Svg.Series> p99 = series(group, others, xValue, r -> r.percentile(99).toNanos(), "p99");
      List<Svg.Series> latency = new ArrayList<>();
      if (p99.size() <= 2) { // p50 beside p99 while the chart stays readable
        latency.addAll(series(group, others, xValue, r -> r.percentile(50).toNanos(), "p50"));
      }
      latency.addAll(p99);
      h.append(
          Svg.lines(
              (open
                  ? "Latency against load (open loop)"
                  : "Latency against " + x + " (closed loop)"),
              axis,
              new Svg.Axis("latency", false, Quantities::compact),
              latency,
              ticks));
    } else if (!varying.isEmpty()) {
      List<String> categories = new ArrayList<>();
      List<double[]> points = new ArrayList<>();
      for (BenchmarkRecord r : group) {
        categories.add(key(r.result(), varying));
        points.add(new double[] {categories.size() - 1, r.result().throughput()});
      }
      h.append(
          Svg.bars(
              "Throughput by " + String.join(" × ", varying),
              "req/s",
              categories,
              List.of(new Svg.Series("throughput", points)),
              Svg::count));
      if (varying.size() == 2) {
        matrix(h, group, varying);
      }
    }
  }

  /** Throughput and p99 in a grid: rows one parameter's values, columns the other's. */
  private static void matrix(StringBuilder h, List<BenchmarkRecord> group, List<String> two) {
    Set<String> rows = new LinkedHashSet<>();
    Set<String> cols = new LinkedHashSet<>();
    for (BenchmarkRecord r : group) {
      rows.add(r.result().parameters().get(two.get(0)));
      cols.add(r.result().parameters().get(two.get(1)));
    }
    h.append("<table><tr><th class=\"l\">")
        .append(Html.escape(two.get(0)))
        .append(" \\ ")
        .append(Html.escape(two.get(1)))
        .append("</th>");
    cols.forEach(c -> h.append("<th>").append(Html.escape(c)).append("</th>"));
    h.append("</tr>");
    for (String row : rows) {
      h.append("<tr><th class=\"l\">").append(Html.escape(row)).append("</th>");
      for (String col : cols) {
        String cell =
            group.stream()
                .filter(
                    r ->
                        row.equals(r.result().parameters().get(two.get(0)))
                            && col.equals(r.result().parameters().get(two.get(1))))
                .findFirst()
                .map(
                    r ->
                        Svg.count(r.result().throughput())
                            + " req/s, p99 "
                            + Quantities.compact(r.result().percentile(99).toNanos()))
                .orElse("");
        h.append("<td>").append(Html.escape(cell)).append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table>");
  }

  private static List<Svg.Series> series(
      List<BenchmarkRecord> group,
      List<String> others,
      ToDoubleFunction<BenchmarkResult> x,
      ToDoubleFunction<BenchmarkResult> y,
      String prefix) {
    Map<String, List<double[]>> lines = new LinkedHashMap<>();
    for (BenchmarkRecord r : group) {
      String name = (prefix + " " + key(r.result(), others)).trim();
      lines
          .computeIfAbsent(name.isEmpty() ? "all" : name, k -> new ArrayList<>())
          .add(new double[] {x.applyAsDouble(r.result()), y.applyAsDouble(r.result())});
    }
    List<Svg.Series> series = new ArrayList<>();
    lines.forEach(
        (name, points) -> {
          points.sort(Comparator.comparingDouble(p -> p[0]));
          series.add(new Svg.Series(name, points));
        });
    return series;
  }

  /** The parameters whose values differ within the group, in their order. */
  private static List<String> varying(List<BenchmarkRecord> group) {
    Map<String, Set<String>> values = new LinkedHashMap<>();
    for (BenchmarkRecord r : group) {
      r.result()
          .parameters()
          .forEach((k, v) -> values.computeIfAbsent(k, key -> new LinkedHashSet<>()).add(v));
    }
    List<String> varying = new ArrayList<>();
    values.forEach(
        (k, v) -> {
          if (v.size() > 1 && !NOT_DIMENSIONS.contains(k)) {
            varying.add(k);
          }
        });
    return varying;
  }

  private static String key(BenchmarkResult r, List<String> names) {
    List<String> parts = new ArrayList<>();
    for (String n : names) {
      String v = r.parameters().get(n);
      parts.add(n.equals("clients") ? v + (v.equals("1") ? " client" : " clients") : v);
    }
    return String.join(" · ", parts);
  }

  private static double maxOver(List<BenchmarkRecord> g, ToDoubleFunction<BenchmarkResult> f) {
    return g.stream().mapToDouble(r -> f.applyAsDouble(r.result())).max().orElse(1);
  }

  private static double minOver(List<BenchmarkRecord> g, ToDoubleFunction<BenchmarkResult> f) {
    return Math.max(1e-9, g.stream().mapToDouble(r -> f.applyAsDouble(r.result())).min().orElse(1));
  }

  static String bytes(double b) {
    if (b >= 1 << 20) {
      return String.format(Locale.ROOT, "%.0f MiB", b / (1 << 20));
    }
    if (b >= 1024) {
      return String.format(Locale.ROOT, "%.0f KiB", b / 1024);
    }
    return String.format(Locale.ROOT, "%.0f B", b);
  }

  private static long count(List<BenchmarkRecord> records, BenchmarkRecord.Outcome outcome) {
    return records.stream().filter(r -> r.outcome() == outcome).count();
  }

  /** Completed calls per second; for an open loop, what it sent and, if so, its limit. */
  static String throughput(BenchmarkResult x) {
    if (x.closedLoop()) {
      return Svg.count(x.throughput());
    }
    String limit = x.limit().label();
    return Svg.count(x.throughput())
        + " (sent "
        + Svg.count(x.sendRate())
        + (limit.isEmpty() ? "" : ", " + limit)
        + ")";
  }

  /**
   * In the copy inside Allure's report: the benchmark's test there, named by its JUnit unique id;
   * {@link #TEST_LINK_SCRIPT} makes it a link once it has read the report's index of tests.
   */
  private static void testLink(StringBuilder h, BenchmarkRecord r, String text) {
    h.append("<span class=\"allure-test\" data-test=\"")
        .append(Html.escape(r.testUniqueId()))
        .append("\">")
        .append(Html.escape(text))
        .append("</span>");
  }

  /** Links to the profile's flame graphs: the server's and the load generator's. */
  private static void flameGraphLinks(
      StringBuilder h, ProfileSummary p, Path directory, String what) {
    for (ProfileSummary.CpuProfile part : p.parts()) {
      if (part.flameGraph() != null) {
        h.append("<a href=\"")
            .append(Html.escape(link(directory, part.flameGraph())))
            .append("\">")
            .append(part.isServer() ? "server " : "generator ")
            .append(what)
            .append("</a> ");
      }
    }
    if (p.wallClock() != null && p.wallClock().flameGraph() != null) {
      h.append("<a href=\"")
          .append(Html.escape(link(directory, p.wallClock().flameGraph())))
          .append("\" title=\"every thread, running or waiting\">wall clock</a> ");
    }
  }

  private static String micros(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.0f µs", value) : "";
  }

  private static String td(String s) {
    return "<td>" + Html.escape(s) + "</td>";
  }

  private static String link(Path directory, Path file) {
    try {
      return directory.toAbsolutePath().relativize(file.toAbsolutePath()).toString();
    } catch (IllegalArgumentException e) {
      return file.toUri().toString();
    }
  }

  /** {@code Class.method} of {@code pkg.Class.method}. */
  static String shortName(String method) {
    if (!method.matches("([a-z_$][\\w$]*\\.)+[A-Z_$][\\w$]*[.$].*")) {
      return method; // a native or kernel frame (epoll_wait, copy_user.isra.0, Poller::run)
    }
    int dot = method.lastIndexOf('.', method.lastIndexOf('.') - 1);
    return dot < 0 ? method : method.substring(dot + 1);
  }
}
