package dev.callosum.perf.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.testing.TestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A profiled benchmark against a server in this JVM, through the engine: async-profiler's CPU
 * samples, split into the server under test and the load generator, each with a flame graph of real
 * frames, and the server's Callosum frames free of the load generator's.
 */
class CpuProfileTests {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RpcBenchmark
  static class OneSecondOfEcho {
    @Test
    void echo(Bench bench) {
      bench
          .closedLoop(bench.server(ServerSpec.echo()))
          .clients(2)
          .duration(Duration.ofMillis(1500))
          .run();
    }
  }

  @RpcBenchmark
  static class OneProfiledOneNot {
    @Test
    void profiled(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(200).run();
    }

    @Test
    @RpcBenchmark(profiled = false)
    void unprofiled(Bench bench) {
      bench.closedLoop(bench.server(ServerSpec.echo())).requests(200).run();
    }
  }

  /** Runs the class's benchmarks with profiling on, one iteration and no warm-up; all pass. */
  private static Path runProfiled(Class<?> benchmarks, int tests) {
    Path output = TestKit.freshOutputDirectory();
    TestKit.jupiter(output)
        .selectors(selectClass(benchmarks))
        .configurationParameter("callosum.perf.profiling", "true")
        .configurationParameter("callosum.perf.iterations", "1")
        .configurationParameter("callosum.perf.warmups", "0")
        .execute()
        .testEvents()
        .assertStatistics(s -> s.succeeded(tests).failed(0));
    return output;
  }

  @Test
  void aBenchmarkMarkedUnprofiledGetsNoProfileWhenProfilingIsOn() throws IOException {
    Path output = runProfiled(OneProfiledOneNot.class, 2);
    JsonNode benchmarks = JSON.readTree(TestKit.resultsJson(output)).path("benchmarks");
    java.util.Map<String, JsonNode> byMethod = new java.util.HashMap<>();
    benchmarks.forEach(b -> byMethod.put(b.path("method").asText(), b));

    assertThat(byMethod.get("profiled").path("profile").path("cpuSamples").asLong()).isPositive();
    assertThat(byMethod.get("unprofiled").has("profile"))
        .as("a profile of %s", "unprofiled")
        .isFalse();
  }

  /**
   * The frame names in one of async-profiler's flame graph pages: it stores each as the length of
   * the prefix it shares with the one before (a character, offset by 32) and the rest.
   */
  static List<String> frames(String page) {
    int start = page.indexOf("const cpool = [");
    int end = page.indexOf("];", start);
    assertThat(start).as("a flame graph page's frame names").isNotNegative();
    List<String> names = new ArrayList<>();
    for (String line : page.substring(start, end).split("\n")) {
      line = line.strip();
      if (!line.startsWith("'")) {
        continue;
      }
      String quoted = line.substring(1, line.lastIndexOf('\''));
      String name = quoted.replace("\\'", "'").replace("\\\\", "\\");
      names.add(
          names.isEmpty()
              ? name
              : names.get(names.size() - 1).substring(0, name.charAt(0) - 32) + name.substring(1));
    }
    return names;
  }

  @Test
  void aProfiledBenchmarkHasHundredsOfCpuSamplesSplitIntoServerAndLoadGenerator()
      throws IOException {
    Path output = runProfiled(OneSecondOfEcho.class, 1);
    JsonNode profile =
        JSON.readTree(TestKit.resultsJson(output)).path("benchmarks").get(0).path("profile");

    assertThat(profile.path("cpuSampling").asText())
        .startsWith("async-profiler ")
        .containsPattern("event (cpu|itimer)")
        .contains("every 1 ms");
    assertThat(profile.path("cpuSamples").asLong()).isGreaterThan(200);
    JsonNode server = profile.path("parts").get(0);
    JsonNode generator = profile.path("parts").get(1);
    assertThat(server.path("whose").asText()).isEqualTo("server under test");
    assertThat(generator.path("whose").asText()).isEqualTo("load generator");
    assertThat(server.path("samples").asLong()).isGreaterThan(100);
    assertThat(generator.path("samples").asLong()).isGreaterThan(100);
    assertThat(server.path("samples").asLong() + generator.path("samples").asLong())
        .isEqualTo(profile.path("cpuSamples").asLong());

    // The server's Callosum frames are the server's code, never the load generator's.
    assertThat(server.path("ownFrames")).isNotEmpty();
    for (JsonNode frame : server.path("ownFrames")) {
      assertThat(frame.path("name").asText())
          .startsWith("dev.callosum.perf.")
          .doesNotContain(".load.", "ProcessServer", "Connection.call")
          .doesNotContain("BatchPolicy"); // the wrapper that registers an I/O thread is no place
    }
    assertThat(profile.path("ownMethods")).isEqualTo(server.path("ownFrames"));
    assertThat(generator.path("ownFrames").toString())
        .contains("dev.callosum.perf.load.")
        // the wrappers that count a thread's CPU or register an I/O thread are no place
        .doesNotContain("ClientCpu", "BatchPolicy");

    // Flame graphs with frames in them, not one empty root.
    // (Names are read from the page's frame table, whose entries share prefixes: a name is not
    // always whole in the page's text.)
    String serverGraph = Files.readString(output.resolve(server.path("flameGraph").asText()));
    assertThat(String.join("\n", frames(serverGraph)))
        .contains("ServerLoop")
        .contains("callosum-server-")
        .doesNotContain("ClosedLoop");
    assertThat(serverGraph) // buttons that read in any font, not emoji
        .contains(">search</button>", ">invert</button>")
        .doesNotContain("&#x1f50d;", "&#x1f53b;");
    String generatorGraph = Files.readString(output.resolve(generator.path("flameGraph").asText()));
    assertThat(String.join("\n", frames(generatorGraph)))
        .contains("ClosedLoop")
        // no server thread and not its loop; another thread waking it (ServerLoop.wake, from a
        // stats read on JUnit's thread) is that thread's CPU, rightly the other side's
        .doesNotContain("[callosum-server-", "ServerLoop.loop");
    assertThat(output.resolve(profile.path("flameGraph").asText())).isRegularFile();

    // The wall clock: every thread, running or waiting, and where the benchmark's threads were.
    JsonNode wall = profile.path("wallClock");
    assertThat(wall.path("sampling").asText()).contains("wall clock every 10 ms");
    assertThat(wall.path("samples").asLong()).isGreaterThan(100);
    String wallGraph = Files.readString(output.resolve(wall.path("flameGraph").asText()));
    assertThat(wallGraph).contains("Wall clock");
    List<String> wallFrames = frames(wallGraph);
    assertThat(wallFrames)
        .anyMatch(f -> f.startsWith("[callosum-server-"))
        .anyMatch(f -> f.startsWith("[callosum-load-"))
        .anyMatch(f -> f.contains("ServerLoop.loop"))
        .anyMatch(f -> f.contains("ClosedLoop$Worker.run"));
    JsonNode loadThreads = null;
    JsonNode serverThreads = null;
    for (JsonNode kind : wall.path("threads")) {
      assertThat(kind.path("name").asText()).startsWith("callosum-").doesNotContain("hiccup");
      assertThat(kind.path("where")).isNotEmpty();
      if (kind.path("name").asText().equals("callosum-load-N")) {
        loadThreads = kind;
      }
      if (kind.path("name").asText().equals("callosum-server-N")) {
        serverThreads = kind;
      }
    }
    assertThat(loadThreads).as("the load threads in %s", wall).isNotNull();
    assertThat(loadThreads.path("count").asInt()).isEqualTo(2);
    assertThat(loadThreads.path("whose").asText()).isEqualTo("load generator");
    assertThat(serverThreads).as("the server's loop in %s", wall).isNotNull();
    assertThat(serverThreads.path("whose").asText()).isEqualTo("server under test");
  }
}
