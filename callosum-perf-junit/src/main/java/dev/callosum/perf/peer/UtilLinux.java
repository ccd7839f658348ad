package dev.callosum.perf.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * Runs one of util-linux's small commands ({@code taskset}, {@code chrt}) that change how the
 * kernel schedules a thread or a process, and says in one sentence why when it does not work; and
 * reads from {@code /proc} what those commands act on and change: thread ids, names, policies.
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
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("LC_ALL", "C"); // messages callers may recognise, in English
      process = builder.start();
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
        throw new IOException(
            line
                + " exited with "
                + process.exitValue()
                + ": "
                + complaint(command.get(0), output));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + line, e);
    }
  }

  /**
   * What a failed command said about its failure: its lines that begin with its name, as
   * util-linux's complaints do ("taskset: failed to get pid 7's affinity: No such process"), not
   * the progress it printed before ({@code taskset -a} prints two lines per thread); all of it when
   * no line does.
   */
  static String complaint(String name, String output) {
    String prefix = Path.of(name).getFileName() + ":";
    List<String> complaints =
        output.lines().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
    return complaints.isEmpty() ? output.strip() : String.join("; ", complaints);
  }

  /**
   * The ids of the threads of process {@code pid} ("self" for this JVM) whose {@code comm} (a
   * thread name's first 15 bytes) {@code comm} accepts; threads that end while they are read are
   * left out.
   *
   * @throws IOException if the process has no {@code /proc} entry (it ended, or this is not Linux)
   */
  public static List<String> threads(String pid, Predicate<String> comm) throws IOException {
    List<String> tids = new ArrayList<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", pid, "task"))) {
      for (Path task : tasks) {
        try {
          if (comm.test(Files.readString(task.resolve("comm")).strip())) {
            tids.add(task.getFileName().toString());
          }
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return tids;
  }

  /**
   * The scheduling policy of thread {@code tid} of process {@code pid} ("self" for this JVM), as
   * {@code /proc/PID/task/TID/stat} gives it: 0 the default, 3 {@code SCHED_BATCH}, 5 {@code
   * SCHED_IDLE}.
   */
  public static int policyOf(String pid, String tid) throws IOException {
    String stat = Files.readString(Path.of("/proc", pid, "task", tid, "stat"));
    // The name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Integer.parseInt(fields[41 - 3]); // field 41, counted from 1; fields[0] is field 3
  }

  /**
   * The CPUs a process or thread may run on, as its {@code status} file ({@code /proc/PID/status},
   * {@code /proc/PID/task/TID/status}, {@code /proc/thread-self/status}) lists them: "0-1", "1".
   *
   * @throws IOException if the file cannot be read or has no {@code Cpus_allowed_list}
   */
  public static String cpusAllowed(Path status) throws IOException {
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("Cpus_allowed_list:")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    throw new IOException("no Cpus_allowed_list in " + status);
  }
}
