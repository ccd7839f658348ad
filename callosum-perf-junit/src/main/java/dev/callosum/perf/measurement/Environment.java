package dev.callosum.perf.measurement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * The conditions a number was measured under: machine, operating system, JVM. A number without them
 * is not a result.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class Environment {
  private Environment() {}

  /** Cores, memory, OS and JVM of this machine, as ordered key-value pairs. */
  public static Map<String, Object> describe() {
    Runtime rt = Runtime.getRuntime();
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("cores", rt.availableProcessors());
    env.put("maxHeapMiB", rt.maxMemory() >> 20);
    env.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    env.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    env.put("cpu", cpuModel());
    env.put("commit", commit());
    return env;
  }

  /**
   * The commit the run measured: {@code GITHUB_SHA} in GitHub Actions, else read from the {@code
   * .git} directory above the working directory; "unknown" outside a repository.
   */
  public static String commit() {
    String sha = System.getenv("GITHUB_SHA");
    if (sha != null && !sha.isBlank()) {
      return sha.trim();
    }
    try {
      for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
        Path git = dir.resolve(".git");
        if (Files.isDirectory(git)) {
          String head = Files.readString(git.resolve("HEAD")).trim();
          if (!head.startsWith("ref: ")) {
            return head;
          }
          String ref = head.substring(5);
          Path loose = git.resolve(ref);
          if (Files.isRegularFile(loose)) {
            return Files.readString(loose).trim();
          }
          Path packed = git.resolve("packed-refs");
          if (Files.isRegularFile(packed)) {
            for (String line : Files.readAllLines(packed)) {
              if (line.endsWith(" " + ref)) {
                return line.substring(0, line.indexOf(' '));
              }
            }
          }
          return "unknown";
        }
      }
    } catch (IOException | RuntimeException e) {
      // not readable: unknown
    }
    return "unknown";
  }

  /** One line for a console header. */
  public static String oneLine() {
    Map<String, Object> env = describe();
    return env.get("cores")
        + " cores ("
        + env.get("cpu")
        + "), "
        + env.get("os")
        + ", "
        + env.get("jvm")
        + ", max heap "
        + env.get("maxHeapMiB")
        + " MiB";
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: leave it out
    }
    return System.getProperty("os.arch");
  }
}
