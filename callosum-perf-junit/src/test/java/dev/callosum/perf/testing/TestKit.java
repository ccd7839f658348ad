package dev.callosum.perf.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The Jupiter engine for running fixture benchmarks, writing what a run writes (JSON results,
 * summary page, profiles) into a fresh directory under {@code target/}, never the working tree.
 */
public final class TestKit {
  private TestKit() {}

  public static EngineTestKit.Builder jupiter() {
    return jupiter(freshOutputDirectory());
  }

  public static EngineTestKit.Builder jupiter(Path outputDirectory) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("callosum.perf.outputDir", outputDirectory.toString());
  }

  /** A new empty directory under {@code target/test-runs}. */
  public static Path freshOutputDirectory() {
    try {
      Path base = Path.of("target", "test-runs");
      Files.createDirectories(base);
      return Files.createTempDirectory(base, "run-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
