package dev.callosum.perf.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.Payload;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.peer.Handler;
import dev.callosum.perf.report.Note;
import dev.callosum.perf.testing.TestKit;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * A benchmark whose measured iteration makes the JIT compile a lot (its server runs javac, cold, on
 * its first call) is told so beside its numbers, in the notes and the JSON results.
 */
class JitNoteTests {
  static final List<Note> NOTES = new CopyOnWriteArrayList<>();
  private static final AtomicBoolean COMPILED = new AtomicBoolean();

  @RpcBenchmark
  static class ColdBenchmark {
    @Test
    void compilesWhileMeasured(Bench bench) {
      Handler compiling =
          Handler.blocking(
              body -> {
                if (COMPILED.compareAndSet(false, true)) {
                  runJavac();
                }
                return body;
              });
      ManagedServer server = bench.server(ServerSpec.handler("runs javac once", compiling));
      bench.closedLoop(server).clients(1).payload(Payload.parse("64B")).requests(50).run();
      NOTES.addAll(bench.notes());
    }
  }

  @Test
  void muchCompilingDuringTheMeasuredIterationsIsNoted() {
    Path out = TestKit.freshOutputDirectory();
    EngineExecutionResults results =
        TestKit.jupiter(out)
            .selectors(selectClass(ColdBenchmark.class))
            .configurationParameter("callosum.perf.iterations", "1")
            .configurationParameter("callosum.perf.warmups", "0")
            .execute();

    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    assertThat(NOTES)
        .filteredOn(n -> n.title().equals("JIT still compiling"))
        .singleElement()
        .satisfies(
            n ->
                assertThat(n.text())
                    .startsWith("this JVM's JIT compiled for ")
                    .contains("after 0 warm-up iterations: the server under test (in this JVM)"));
    assertThat(TestKit.resultsJson(out)).contains("JIT still compiling");
  }

  private static void runJavac() {
    try {
      Path dir = Files.createTempDirectory(Path.of("target"), "jit-");
      Path source = dir.resolve("Cold.java");
      Files.writeString(
          source,
          "import java.util.*; class Cold { List<String> f(Map<String, Integer> m) {"
              + " return new ArrayList<>(m.keySet()); } }");
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      int status =
          javac.run(
              null,
              OutputStream.nullOutputStream(),
              OutputStream.nullOutputStream(),
              "-d",
              dir.toString(),
              source.toString());
      if (status != 0) {
        throw new IllegalStateException("javac failed: " + status);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
