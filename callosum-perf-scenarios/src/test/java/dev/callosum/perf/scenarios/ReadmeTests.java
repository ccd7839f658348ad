package dev.callosum.perf.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's example is the real EchoBenchmarks, so it compiles and cannot drift from it. */
class ReadmeTests {

  @Test
  void theReadmesExampleIsEchoBenchmarksAsItIs() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String section = readme.substring(readme.indexOf("## Writing a benchmark"));
    int start = section.indexOf("```java\n") + "```java\n".length();
    String example = section.substring(start, section.indexOf("```", start)).strip();
    String source =
        Files.readString(Path.of("src/test/java/dev/callosum/perf/scenarios/EchoBenchmarks.java"));

    String imports = example.substring(0, example.indexOf("\n\n@RpcBenchmark"));
    String body = example.substring(example.indexOf("@RpcBenchmark"));
    assertThat(source).contains(imports).endsWith(body + "\n");
    assertThat(imports.lines().filter(l -> l.contains("dev.callosum.perf")))
        .as("the packages a benchmark imports from")
        .allMatch(l -> l.matches("import (static )?dev\\.callosum\\.perf\\.(junit\\.)?[A-Z].*"));
  }

  /** "Use it in your project" shows the consumer build that maven-invoker-plugin runs, as it is. */
  @Test
  void theReadmesConsumerProjectIsTheOneTheBuildRuns() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String section = readme.substring(readme.indexOf("## Use it in your project"));
    section = section.substring(0, section.indexOf("\n## ", 3));
    Path consumer = Path.of("..", "callosum-perf-junit", "src", "it", "consumer");
    String version =
        Files.readString(Path.of("pom.xml"))
            .replaceAll("(?s).*?<parent>.*?<version>([^<]+)</version>.*", "$1");
    String pom =
        Files.readString(consumer.resolve("pom.xml")).replace("@project.version@", version);
    String benchmark =
        Files.readString(consumer.resolve("src/test/java/example/EchoBenchmarks.java"));

    assertThat(section)
        .contains("```xml\n" + pom.strip() + "\n```")
        .contains("```java\n" + benchmark.strip() + "\n```")
        .contains("<version>" + version + "</version>");
  }
}
