package dev.callosum.perf.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

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

  /** The messages of the tests that failed, in order. */
  public static List<String> failures(EngineExecutionResults results) {
    return messages(results.testEvents().failed());
  }

  /** The messages of the containers that failed (a matrix whose arguments cannot be made). */
  public static List<String> containerFailures(EngineExecutionResults results) {
    return messages(results.containerEvents().failed());
  }

  private static List<String> messages(Events events) {
    return events.stream()
        .map(Event::getPayload)
        .map(
            p ->
                p.map(TestExecutionResult.class::cast)
                    .flatMap(TestExecutionResult::getThrowable)
                    .map(Throwable::getMessage)
                    .orElse(""))
        .toList();
  }

  /** The text of the run's JSON results in an output directory (the newest, if several). */
  public static String resultsJson(Path outputDirectory) {
    try (var files = Files.list(outputDirectory)) {
      Path json =
          files
              .filter(f -> f.getFileName().toString().matches("benchmark-results-.*\\.json"))
              .max(java.util.Comparator.naturalOrder())
              .orElseThrow(() -> new AssertionError("no JSON results in " + outputDirectory));
      return Files.readString(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
