package dev.callosum.perf.profile;

import java.io.IOException;
import java.io.OutputStream;
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
  private static void readableButtons(Path html) throws IOException {
    String page = Files.readString(html, StandardCharsets.UTF_8);
    String fixed =
        page.replace("title='Invert'>&#x1f53b;</button>", "title='Invert'>invert</button>")
            .replace("title='Search'>&#x1f50d;</button>", "title='Search'>search</button>");
    if (!fixed.equals(page)) {
      Files.writeString(html, fixed, StandardCharsets.UTF_8);
    }
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
      Files.createDirectories(html.toAbsolutePath().getParent());
      try (OutputStream file = Files.newOutputStream(html);
          PrintStream out = new PrintStream(file, false, StandardCharsets.UTF_8)) {
        graph.dump(out);
      }
      readableButtons(html);
      return true;
    } catch (IOException | RuntimeException e) {
      System.err.println("callosum-perf: no flame graph " + html + ": " + e);
      return false;
    }
  }
}
