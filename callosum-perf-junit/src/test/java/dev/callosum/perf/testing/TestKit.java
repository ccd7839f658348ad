package dev.callosum.perf.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
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

  /**
   * Runs a benchmark class for one unprofiled measured iteration with the given settings (name,
   * value, name, value, ...); its one test must pass.
   */
  public static void runOnce(Class<?> benchmarks, Path outputDirectory, String... settings) {
    with(
            jupiter(outputDirectory)
                .selectors(selectClass(benchmarks))
                .configurationParameter("callosum.perf.iterations", "1")
                .configurationParameter("callosum.perf.profiling", "false"),
            settings)
        .execute()
        .testEvents()
        .assertStatistics(s -> s.succeeded(1));
  }

  /**
   * Runs a benchmark class for two measured iterations after {@code warmups} warm-ups, with the
   * given settings (name, value, name, value, ...), which may override those two.
   */
  public static EngineExecutionResults runTwice(
      Class<?> benchmarks, Path outputDirectory, int warmups, String... settings) {
    return with(
            jupiter(outputDirectory)
                .selectors(selectClass(benchmarks))
                .configurationParameter("callosum.perf.iterations", "2")
                .configurationParameter("callosum.perf.warmups", Integer.toString(warmups)),
            settings)
        .execute();
  }

  private static EngineTestKit.Builder with(EngineTestKit.Builder kit, String... settings) {
    if (settings.length % 2 != 0) {
      throw new IllegalArgumentException("settings come as name, value pairs");
    }
    for (int i = 0; i < settings.length; i += 2) {
      kit.configurationParameter(settings[i], settings[i + 1]);
    }
    return kit;
  }

  /** The one failure message of running a benchmark class with a setting of a given value. */
  public static String refusal(Class<?> benchmarks, String setting, String value) {
    List<String> failures =
        failures(
            jupiter()
                .selectors(selectClass(benchmarks))
                .configurationParameter(setting, value)
                .execute());
    if (failures.size() != 1) {
      throw new AssertionError(
          "expected one failure for " + setting + "=" + value + ": " + failures);
    }
    return failures.get(0);
  }

  /**
   * What {@code sample} returns every 20 ms while {@code during} runs, all of it in order: a
   * watcher of another process's threads. A sample that throws (the process ended) adds nothing.
   */
  public static <T> List<T> sampledWhile(Supplier<? extends Collection<T>> sample, Runnable during)
      throws InterruptedException {
    List<T> seen = new CopyOnWriteArrayList<>();
    Thread watcher =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  seen.addAll(sample.get());
                } catch (RuntimeException e) {
                  // the process ended
                }
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "test-watcher");
    watcher.start();
    try {
      during.run();
    } finally {
      watcher.interrupt();
      watcher.join();
    }
    return seen;
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
