package dev.callosum.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages stay in layers, each using only those below it: the wire format, the peer, what is
 * measured, the user's vocabulary ({@code dev.callosum.perf}), the harness's parts, the reports,
 * Allure, the JUnit face, and the command line on top. No cycles, and the user's vocabulary depends
 * on nothing of the harness.
 */
class ArchitectureTests {
  private static final String ROOT = "dev.callosum.perf";
  private static final Map<String, Integer> LAYERS =
      Map.ofEntries(
          Map.entry("protocol", 0),
          Map.entry("peer", 1),
          Map.entry("measurement", 2),
          Map.entry("", 3),
          Map.entry("load", 4),
          Map.entry("fixtures", 4),
          Map.entry("budgets", 4),
          Map.entry("baseline", 4),
          Map.entry("profile", 4),
          Map.entry("report", 5),
          Map.entry("allure", 6),
          Map.entry("junit", 7),
          Map.entry("cli", 8));
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
  private static final Pattern REFERENCE =
      Pattern.compile("\\bdev\\.callosum\\.perf((?:\\.[a-z]\\w*)*)\\.[A-Z]");

  @Test
  void everyPackageUsesOnlyThePackagesBelowIt() throws IOException {
    List<String> upward = new ArrayList<>();
    TreeSet<String> seen = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        Matcher pkg = PACKAGE.matcher(source);
        assertThat(pkg.find()).as("package line of %s", file).isTrue();
        String from = concern(pkg.group(1));
        seen.add(from);
        assertThat(LAYERS).as("the layer of package %s", pkg.group(1)).containsKey(from);
        Matcher ref = REFERENCE.matcher(code(source));
        while (ref.find()) {
          String to = ref.group(1).isEmpty() ? "" : ref.group(1).substring(1);
          if (!to.equals(from) && LAYERS.get(to) >= LAYERS.get(from)) {
            upward.add(file.getFileName() + " (" + name(from) + ") uses " + name(to));
          }
        }
      }
    }

    assertThat(seen).as("the packages").containsExactlyInAnyOrderElementsOf(LAYERS.keySet());
    assertThat(upward).as("uses of a package at or above one's own layer").isEmpty();
  }

  private static String concern(String pkg) {
    return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
  }

  private static String name(String concern) {
    return concern.isEmpty() ? ROOT : ROOT + "." + concern;
  }

  /** The source without comments, string and char literals, which reference nothing. */
  private static String code(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      if (source.startsWith("//", i)) {
        int end = source.indexOf('\n', i);
        if (end < 0) {
          break;
        }
        i = end;
      } else if (source.startsWith("/*", i)) {
        i = source.indexOf("*/", i + 2) + 2;
      } else if (source.startsWith("\"\"\"", i)) {
        i = source.indexOf("\"\"\"", i + 3) + 3;
        out.append("\"\"");
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (source.charAt(j) != c) {
          j += source.charAt(j) == '\\' ? 2 : 1;
        }
        i = j + 1;
        out.append(c).append(c);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }
}
