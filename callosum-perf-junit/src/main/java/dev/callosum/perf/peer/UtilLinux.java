package dev.callosum.perf.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apiguardian.api.API;

/**
 * Runs one of util-linux's small commands ({@code taskset}, {@code chrt}) that change how the
 * kernel schedules a thread or a process, and says in one sentence why when it does not work; and
 * names the calling thread as those commands know it.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class UtilLinux {
  private UtilLinux() {}

  /** The calling thread's id as the kernel knows it, from {@code /proc/thread-self}. */
  public static String threadId() throws IOException {
    try {
      return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    } catch (UnsupportedOperationException e) {
      throw new IOException("this system has no /proc/thread-self", e);
    }
  }

  /**
   * Runs {@code command} and waits up to 10 s for it.
   *
   * @throws IOException saying why, when it is not installed, fails, exits with a status other than
   *     0 (with what it printed), or does not finish
   */
  public static void run(List<String> command) throws IOException {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(
          command.get(0) + " (util-linux) is not installed here: " + e.getMessage(), e);
    }
    String line = String.join(" ", command);
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(line + " did not finish in 10 s");
      }
      if (process.exitValue() != 0) {
        throw new IOException(line + " exited with " + process.exitValue() + ": " + output.strip());
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + line, e);
    }
  }
}
