package dev.callosum.perf.profile;

import java.io.IOException;
import java.nio.file.Path;
import one.convert.Arguments;
import one.convert.JfrToFlame;

/** Renders JFR CPU samples as async-profiler's self-contained HTML flame graph, offline. */
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
}
