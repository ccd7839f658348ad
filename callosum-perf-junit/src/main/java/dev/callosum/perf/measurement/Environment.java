package dev.callosum.perf.measurement;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * The conditions a number was measured under: machine, operating system, JVM. A number without
 * them is not a result.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class Environment {
  private Environment() {}

  /** Cores, memory, OS and JVM of this machine, as ordered key-value pairs. */
  public static Map<String, Object> describe() {
    Runtime rt = Runtime.getRuntime();
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("cores", rt.availableProcessors());
    env.put("maxHeapMiB", rt.maxMemory() >> 20);
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    env.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    env.put("cpu", cpuModel());
    return env;
  }

  /** One line for a console header. */
  public static String oneLine() {
    Map<String, Object> env = describe();
    return env.get("cores") + " cores (" + env.get("cpu") + "), " + env.get("os") + ", "
        + env.get("jvm") + ", max heap " + env.get("maxHeapMiB") + " MiB";
  }

  private static String cpuModel() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux: leave it out
    }
    return System.getProperty("os.arch");
  }
}
