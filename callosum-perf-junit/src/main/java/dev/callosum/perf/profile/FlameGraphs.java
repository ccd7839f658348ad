package dev.callosum.perf.profile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import one.convert.Arguments;
import one.convert.FlameGraph;
import one.convert.JfrToFlame;

/** Renders CPU samples as async-profiler's self-contained HTML flame graph, offline. */
final class FlameGraphs {
  private FlameGraphs() {}

  /**
   * Writes the flame graph; false (and nothing written) if the converter cannot read the recording,
   * which must not fail a benchmark.
   */
  static boolean render(Path jfr, Path html, String title) {
    try {
      JfrToFlame.convert(
          jfr.toString(),
          html.toString(),
          new Arguments("--cpu", "--title", title, "--highlight", "dev\\.callosum"));
      return true;
    } catch (IOException | RuntimeException e) {
      System.err.println("callosum-perf: no flame graph for " + jfr + ": " + e);
      return false;
    }
  }

  /**
   * async-profiler labels its two buttons with emoji (a red triangle, a magnifier) that common
   * fonts lack, so they show as empty boxes: words instead.
   */
  private static String readableButtons(String page) {
    return page.replace("title='Invert'>&#x1f53b;</button>", "title='Invert'>invert</button>")
        .replace("title='Search'>&#x1f50d;</button>", "title='Search'>search</button>");
  }

  /**
   * Writes the flame graph of stacks in collapsed form; false (and nothing written) if there are
   * none or it cannot be written, which must not fail a benchmark.
   */
  static boolean renderCollapsed(String collapsed, Path html, String title) {
    if (collapsed.isBlank()) {
      return false;
    }
    try {
      FlameGraph graph =
          new FlameGraph(new Arguments("--title", title, "--highlight", "dev/callosum"));
      graph.parseCollapsed(new StringReader(collapsed));
      ByteArrayOutputStream page = new ByteArrayOutputStream();
      try (PrintStream out = new PrintStream(page, false, StandardCharsets.UTF_8)) {
        graph.dump(out);
      }
      Files.createDirectories(html.toAbsolutePath().getParent());
      Files.writeString(
          html, readableButtons(page.toString(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
      return true;
    } catch (IOException | RuntimeException e) {
      System.err.println("callosum-perf: no flame graph " + html + ": " + e);
      return false;
    }
  }
}
