package dev.callosum.perf.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import io.qameta.allure.Allure;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.FileSystemResultsWriter;
import io.qameta.allure.junitplatform.AllureJunitPlatform;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The Allure report made offline from a small run's results, by allure-commandline 2.34.0 (from
 * Maven Central, unpacked by the build) with the Benchmarks tab plugin, as {@code -Pperf} does.
 */
class AllureReportTests {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RpcBenchmark
  static class Small {
    @Test
    @Tag("throughput")
    void echo(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(200).run();
    }

    @Test
    @Tag("latency")
    @LatencyBudget(percentile = 50, max = "1ns")
    void impossible(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(100).run();
    }
  }

  /** The small run's output and its Allure report, made once for the tests here. */
  private record Generated(Path work, Path results, Path report) {}

  private static Generated generated;

  private static synchronized Generated generate() throws Exception {
    if (generated != null) {
      return generated;
    }
    Path work =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target")), "allure-report-test-");
    Path results = Files.createDirectories(work.resolve("allure-results"));
    AllureLifecycle previous = Allure.getLifecycle();
    AllureLifecycle lifecycle = new AllureLifecycle(new FileSystemResultsWriter(results));
    Allure.setLifecycle(lifecycle);
    try {
      LauncherFactory.create(
              LauncherConfig.builder()
                  .enableTestExecutionListenerAutoRegistration(false)
                  .addTestExecutionListeners(new AllureJunitPlatform(lifecycle))
                  .build())
          .execute(
              LauncherDiscoveryRequestBuilder.request()
                  .selectors(selectClass(Small.class))
                  .enableImplicitConfigurationParameters(false)
                  .configurationParameter("callosum.perf.iterations", "1")
                  .configurationParameter("callosum.perf.warmups", "0")
                  .configurationParameter("callosum.perf.outputDir", work.resolve("out").toString())
                  .build());
    } finally {
      Allure.setLifecycle(previous);
    }

    // What the build does between the benchmarks and the report: the summary to the tab.
    Path home = Path.of(System.getProperty("allure.home"));
    Path tab = home.resolve("plugins/callosum-benchmarks-plugin/static");
    Files.copy(
        results.resolve("callosum-perf-summary.html"),
        tab.resolve("callosum-perf-summary.html"),
        StandardCopyOption.REPLACE_EXISTING);
    Path report = work.resolve("allure-report");
    ProcessBuilder generate =
        new ProcessBuilder(
                home.resolve("bin/allure").toString(),
                "generate",
                results.toString(),
                "-o",
                report.toString(),
                "--clean")
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("allure.log").toFile());
    // As the suite's build strips it from the report: no call to Google Analytics from the page.
    generate.environment().put("ALLURE_NO_ANALYTICS", "true");
    Process allure = generate.start();
    assertThat(allure.waitFor(120, TimeUnit.SECONDS)).as("allure generate finished").isTrue();
    assertThat(allure.exitValue()).as(Files.readString(work.resolve("allure.log"))).isZero();
    generated = new Generated(work, results, report);
    return generated;
  }

  @Test
  void theReportGeneratesOfflineWithTheBenchmarksTabAndTheBenchmarks() throws Exception {
    Path report = generate().report();

    assertThat(report.resolve("index.html")).isRegularFile();
    assertThat(Files.readString(report.resolve("index.html")))
        .contains("plugin/callosum-benchmarks/index.js", "plugin/callosum-benchmarks/styles.css")
        .doesNotContain("googletagmanager");
    assertThat(
            Files.readString(
                report.resolve("plugin/callosum-benchmarks/callosum-perf-summary.html")))
        .contains("Executive summary", "Small.echo", "Small.impossible");
    List<JsonNode> tests = new ArrayList<>();
    try (Stream<Path> files = Files.list(report.resolve("data/test-cases"))) {
      for (File f : files.map(Path::toFile).toList()) {
        tests.add(JSON.readTree(f));
      }
    }
    assertThat(tests)
        .extracting(t -> t.path("name").asText() + ": " + t.path("status").asText())
        // the run's entry carries the run's status: one benchmark failed, so it is red too
        .containsExactlyInAnyOrder("echo: passed", "impossible: failed", "Run summary: failed");
    JsonNode categories = JSON.readTree(report.resolve("data/categories.json").toFile());
    assertThat(categories.path("children"))
        .extracting(c -> c.path("name").asText())
        .containsExactly("Budget broken", "The run (its summary entry)");
    assertThat(Files.readString(report.resolve("widgets/environment.json")))
        .contains("\"loadGenerator.cores\"", "\"loadGenerator.commit\"", "\"systemUnderTest\"")
        .contains("(2 results; e.g. echo \u00b7 ExitOrdered");
  }

  /**
   * The summary page and the Allure report in a real browser (headless Chromium, which {@code
   * .ci/run} installs where missing): every benchmark in the tables, no script errors, sorting and
   * filtering work, the page fits Allure's frame; screenshots go to {@code target/screenshots}.
   */
  @Test
  void theSummaryPageAndTheBenchmarksTabWorkInABrowser() throws Exception {
    String chromium =
        HeadlessChromium.find()
            .orElseThrow(
                () ->
                    new org.opentest4j.TestAbortedException(
                        "skipped: no chromium, chromium-browser or google-chrome on the PATH"
                            + " (Debian: apt-get install chromium; .ci/run installs it)"));
    Generated run = generate();
    Path page;
    try (Stream<Path> files = Files.list(run.work().resolve("out"))) {
      page =
          files
              .filter(f -> f.getFileName().toString().matches("benchmark-summary-.*\\.html"))
              .findFirst()
              .orElseThrow();
    }
    Path shots = Files.createDirectories(Path.of("target/screenshots"));
    try (HeadlessChromium browser = new HeadlessChromium(chromium, 1100, 900)) {
      browser.open(page.toUri().toString());
      assertThat(browser.evaluate("document.querySelectorAll('#all tr').length - 1").asInt())
          .as("rows of the every-benchmark table")
          .isEqualTo(2);
      assertThat(browser.evaluate("document.documentElement.scrollWidth").asInt())
          .as("the page's width in a 1,100 px window")
          .isLessThanOrEqualTo(1100);
      // Sorting by the benchmark column, twice: ascending, then descending.
      String names =
          "Array.from(document.querySelectorAll('#all tr')).slice(1)"
              + ".map(r => r.cells[1].textContent).join('|')";
      String header = "document.querySelectorAll('#all tr:first-child th')[1]";
      browser.evaluate(header + ".click()");
      String up = browser.evaluate(names).asText();
      browser.evaluate(header + ".click()");
      String down = browser.evaluate(names).asText();
      assertThat(up).startsWith("Small.echo").contains("Small.impossible");
      assertThat(down).startsWith("Small.impossible");
      // Filtering by family and by text.
      browser.evaluate(
          "(() => { const f = document.getElementById('family-filter'); f.value = 'latency';"
              + " f.dispatchEvent(new Event('change')); })()");
      assertThat(browser.evaluate("document.getElementById('filter-count').textContent").asText())
          .isEqualTo("1 of 2 shown");
      browser.evaluate(
          "(() => { const f = document.getElementById('family-filter'); f.value = '';"
              + " f.dispatchEvent(new Event('change'));"
              + " const t = document.getElementById('text-filter'); t.value = 'failed';"
              + " t.dispatchEvent(new Event('input')); })()");
      assertThat(browser.evaluate("document.getElementById('filter-count').textContent").asText())
          .isEqualTo("1 of 2 shown");
      browser.screenshot(shots.resolve("summary-page.png"));
      browser.evaluate(
          "(() => { const t = document.getElementById('text-filter'); t.value = '';"
              + " t.dispatchEvent(new Event('input'));"
              + " document.getElementById('all-benchmarks').scrollIntoView(); })()");
      assertThat(browser.evaluate("document.getElementById('all').scrollWidth").asInt())
          .as("the every-benchmark table's width")
          .isLessThanOrEqualTo(1100);
      browser.screenshot(shots.resolve("summary-every-benchmark.png"));
      assertThat(browser.errors()).as("script errors on the summary page").isEmpty();

      // The Allure report over HTTP, as a browser reads it; its Benchmarks tab shows the page.
      com.sun.net.httpserver.HttpServer http =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      Path root = run.report();
      http.createContext(
          "/",
          exchange -> {
            String path = exchange.getRequestURI().getPath();
            Path file = root.resolve(path.equals("/") ? "index.html" : path.substring(1));
            if (!file.normalize().startsWith(root) || !Files.isRegularFile(file)) {
              exchange.sendResponseHeaders(404, -1);
              exchange.close();
              return;
            }
            String name = file.getFileName().toString();
            exchange
                .getResponseHeaders()
                .add(
                    "Content-Type",
                    name.endsWith(".html")
                        ? "text/html; charset=utf-8"
                        : name.endsWith(".js")
                            ? "application/javascript"
                            : name.endsWith(".css")
                                ? "text/css"
                                : name.endsWith(".json")
                                    ? "application/json"
                                    : "application/octet-stream");
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      http.start();
      try {
        String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
        browser.open(base + "index.html#benchmarks");
        String frame = "document.querySelector('iframe[title=\"Benchmark summary\"]')";
        browser.await(
            frame
                + " && "
                + frame
                + ".contentDocument && "
                + frame
                + ".contentDocument.querySelectorAll('#all tr').length > 1",
            "the Benchmarks tab with its table");
        assertThat(
                browser
                    .evaluate(frame + ".contentDocument.querySelectorAll('#all tr').length - 1")
                    .asInt())
            .as("benchmarks in the Benchmarks tab's table")
            .isEqualTo(2);
        assertThat(browser.evaluate(frame + ".contentDocument.documentElement.scrollWidth").asInt())
            .as("the summary's width inside Allure's frame")
            .isLessThanOrEqualTo(browser.evaluate(frame + ".clientWidth").asInt());
        browser.screenshot(shots.resolve("allure-benchmarks-tab.png"));
        // Each row links to its benchmark's test in the report, found by its JUnit unique id.
        browser.await(
            frame + ".contentDocument.body.dataset.testLinks !== undefined",
            "the rows' links to their tests");
        String links = browser.evaluate(frame + ".contentDocument.body.dataset.testLinks").asText();
        assertThat(links).as("tests linked, of the cells that name one").matches("(\\d+) of \\1");
        assertThat(Integer.parseInt(links.split(" ")[0])).isGreaterThanOrEqualTo(2);
        String row = frame + ".contentDocument.querySelector('#all tr:nth-child(2)')";
        String benchmark = browser.evaluate(row + ".cells[1].textContent").asText();
        browser.evaluate(row + ".querySelector('a.allure-test').click()");
        browser.await(
            "location.hash.indexOf('#testresult/') === 0"
                + " && document.querySelector('.test-result__name, .pane__title') !== null",
            "the benchmark's test, opened from its row");
        assertThat(
                browser
                    .evaluate(
                        "document.querySelector('.pane__title, .test-result__name')"
                            + ".textContent")
                    .asText())
            .as("the test opened from the row of %s", benchmark)
            .contains(benchmark.contains("impossible") ? "impossible" : "echo");
        browser.screenshot(shots.resolve("allure-test-from-row.png"));
        // Inline attachments open tall enough to read, not in the browser's 150 px default.
        assertThat(
                browser
                    .evaluate(
                        "(() => { const f = document.createElement('iframe');"
                            + " f.className = 'attachment__iframe'; document.body.appendChild(f);"
                            + " const h = f.getBoundingClientRect().height; f.remove(); return h;"
                            + " })()")
                    .asDouble())
            .as("an attachment's height, px")
            .isGreaterThanOrEqualTo(400);
        // The suites tree shows test names, not a row of unnamed parameter values after each.
        assertThat(
                browser
                    .evaluate(
                        "(() => { const p = document.createElement('div');"
                            + " p.className = 'node__parameters'; document.body.appendChild(p);"
                            + " const d = getComputedStyle(p).display; p.remove(); return d; })()")
                    .asText())
            .as("the suites tree's unnamed parameter values")
            .isEqualTo("none");
        browser.evaluate("location.hash = '#suites'"); // the same page: no new load
        browser.await(
            "document.querySelectorAll('.tree__node, [data-tooltip]').length > 0"
                + " || document.body.textContent.indexOf('Small') >= 0",
            "the suites tree");
        browser.screenshot(shots.resolve("allure-suites.png"));
      } finally {
        http.stop(0);
      }
      assertThat(browser.errors())
          .as("script errors in the Allure report")
          .filteredOn(e -> !e.contains("favicon"))
          .isEmpty();
    }
  }
}
