package dev.callosum.perf.measurement;

import dev.callosum.perf.peer.UtilLinux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * Gives the server under test and the load generator CPUs of their own while a benchmark runs: the
 * server the upper half of the CPUs this JVM may use, the load generator the lower half, pinned
 * with {@code taskset}; {@link #close} gives this JVM back all of them. With a server in another
 * process, the load generator is this whole JVM; with one in this JVM, it is the load's threads,
 * and the JVM's own (JIT, GC, safepoints) stay free to run where either side needs them.
 *
 * <p>Why: on a small virtual machine a thread woken on another CPU costs that CPU a wake-up from
 * idle, and a thread woken where another runs waits for it to block or for the next scheduler tick
 * (4 ms here). Measured on 2 cores with a 1 ms-delay server in this JVM: unpinned, the server's and
 * the clients' threads take turns on both CPUs and spend about 2.7 times the CPU per call (685
 * against 254 µs), p90 3.7 ms; pinned, p90 1.3 ms and 25 % more calls per second. A Python server
 * is one thread plus ZeroMQ's, so it loses nothing by having one CPU of its own.
 *
 * <p>Threads started later inherit the CPUs of the thread that starts them: the server's workers,
 * started by its loop, run with the server; clients started by the test, with the load generator.
 * Where nothing can be pinned (one CPU, no {@code taskset}, a server that is not a process or
 * threads of this run), the split says why and nothing changes.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class CpuSplit implements AutoCloseable {
  /** Linux keeps the first 15 bytes of a thread's name as its {@code comm}. */
  public static final int COMM_LENGTH = 15;

  /** This JVM's CPUs before any split: what a split divides and what closing it gives back. */
  private static final List<Integer> ALL = allowedCpus();

  /** How often {@link #pinEveryThread} sets a process's threads before it gives up. */
  private static final int PASSES = 10;

  private static final Object LOCK = new Object();
  private static boolean active; // guarded by LOCK: one split at a time in this JVM

  /** What a run asks for: {@code callosum.perf.cpus}. */
  public enum Mode {
    /** The server under test and the load generator on CPUs of their own (the default). */
    SPLIT,
    /** Both wherever the kernel puts them, taking CPU from each other. */
    SHARED;

    /** {@code split} or {@code shared}. */
    public static Mode parse(String word) {
      return switch (word.trim().toLowerCase(Locale.ROOT)) {
        case "split" -> SPLIT;
        case "shared" -> SHARED;
        default ->
            throw new IllegalArgumentException(
                "must be split (the server under test and the load generator on"
                    + " CPUs of their own) or shared, not '"
                    + word
                    + "'");
      };
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final List<Integer> server;
  private final List<Integer> load;
  private final List<Integer> all;
  private final String why; // why not split; null when split

  private CpuSplit(List<Integer> server, List<Integer> load, List<Integer> all, String why) {
    this.server = server;
    this.load = load;
    this.all = all;
    this.why = why;
  }

  /** No split, for the reason given ("the server runs on another host"). */
  public static CpuSplit shared(String why) {
    return new CpuSplit(List.of(), List.of(), List.of(), why);
  }

  /**
   * Splits the CPUs between a server running as process {@code pid} (and the processes it started)
   * and this JVM.
   */
  public static CpuSplit ofProcess(Mode mode, long pid) {
    return apply(
        mode,
        halves -> {
          pinEveryThread(halves.load, ProcessHandle.current().pid());
          pinProcessTree(pid, halves.server);
        });
  }

  /**
   * Splits the CPUs between the threads of this JVM whose {@code comm} (their name's first {@link
   * #COMM_LENGTH} bytes) {@code serverThread} accepts and the load generator's: the calling thread,
   * which starts the load's threads, and the {@code callosum-*} threads that are not the server's.
   * The JVM's own threads (JIT, GC, the VM thread that runs safepoints, profilers) keep every CPU:
   * they serve the server too, and a server thread that meets a safepoint waits for them.
   */
  public static CpuSplit ofThreadsHere(Mode mode, Predicate<String> serverThread) {
    return apply(
        mode,
        halves -> {
          List<String> tids = UtilLinux.threads("self", serverThread);
          if (tids.isEmpty()) {
            throw new IllegalStateException("no thread of the server was found in this JVM");
          }
          taskset(halves.load, UtilLinux.threadId(), false);
          for (String tid :
              UtilLinux.threads("self", c -> c.startsWith("callosum-") && !serverThread.test(c))) {
            pinThreadHere(halves.load, tid);
          }
          for (String tid : tids) {
            pinThreadHere(halves.server, tid);
          }
        });
  }

  /**
   * {@link #ofThreadsHere} for the threads whose names begin with {@code namePrefix}, such as
   * {@code callosum-server-}: what {@code comm} keeps of it is compared.
   */
  public static CpuSplit ofThreadsNamed(Mode mode, String namePrefix) {
    String comm = comm(namePrefix);
    return ofThreadsHere(mode, c -> c.startsWith(comm));
  }

  private interface Pinning {
    void pinServer(CpuSplit halves) throws IOException;
  }

  private static CpuSplit apply(Mode mode, Pinning pinServer) {
    if (mode == Mode.SHARED) {
      return shared("callosum.perf.cpus=shared");
    }
    List<Integer> all = ALL;
    if (all.size() < 2) {
      return shared(
          all.isEmpty()
              ? "this JVM's CPUs are unknown (not Linux)"
              : "this JVM may use one CPU only (" + all.get(0) + ")");
    }
    synchronized (LOCK) {
      if (active) {
        return shared("another benchmark holds this JVM's CPU split");
      }
      active = true;
    }
    int half = all.size() / 2;
    CpuSplit split = new CpuSplit(all.subList(half, all.size()), all.subList(0, half), all, null);
    try {
      pinServer.pinServer(split);
      return split;
    } catch (IOException | RuntimeException e) {
      split.close();
      return shared("pinning failed: " + e.getMessage());
    }
  }

  /** Whether the server under test and the load generator run on CPUs of their own. */
  public boolean isSplit() {
    return why == null;
  }

  /** The server's CPUs, such as "1" or "2-3"; empty when shared. */
  public String serverCpus() {
    return ranges(server);
  }

  /** The load generator's CPUs, such as "0"; empty when shared. */
  public String loadCpus() {
    return ranges(load);
  }

  /** For a result's parameters: "server 1 · load 0", or "shared". */
  public String label() {
    return isSplit() ? "server " + serverCpus() + " · load " + loadCpus() : "shared";
  }

  /** For reports: "server under test on CPU 1, load generator on CPU 0", or "shared (why)". */
  public String describe() {
    if (!isSplit()) {
      return "shared (" + why + ")";
    }
    return "server under test on "
        + cpus(server)
        + ", load generator on "
        + cpus(load)
        + " (pinned, callosum.perf.cpus=split)";
  }

  /** Gives this JVM's threads back every CPU it had; the server's process keeps its own. */
  @Override
  public void close() {
    if (!isSplit()) {
      return;
    }
    try {
      pinEveryThread(all, ProcessHandle.current().pid());
    } catch (IOException | RuntimeException e) {
      System.err.println("callosum-perf: cannot give this JVM back CPUs " + ranges(all) + ": " + e);
    } finally {
      synchronized (LOCK) {
        active = false;
      }
    }
  }

  /**
   * The CPUs this process's main thread may use, from {@code /proc/self/status}; empty where
   * unknown.
   */
  public static List<Integer> allowedCpus() {
    try {
      return parseRanges(UtilLinux.cpusAllowed(Path.of("/proc/self/status")));
    } catch (IOException | RuntimeException e) {
      return List.of(); // not Linux
    }
  }

  /** "0-2,5" as [0, 1, 2, 5]. */
  static List<Integer> parseRanges(String text) {
    TreeSet<Integer> cpus = new TreeSet<>();
    for (String part : text.trim().split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int dash = part.indexOf('-');
      int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).trim());
      int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
      for (int cpu = from; cpu <= to; cpu++) {
        cpus.add(cpu);
      }
    }
    return List.copyOf(cpus);
  }

  /** [0, 1, 2, 5] as "0-2,5". */
  public static String ranges(List<Integer> cpus) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < cpus.size(); ) {
      int j = i;
      while (j + 1 < cpus.size() && cpus.get(j + 1) == cpus.get(j) + 1) {
        j++;
      }
      parts.add(i == j ? "" + cpus.get(i) : cpus.get(i) + "-" + cpus.get(j));
      i = j + 1;
    }
    return String.join(",", parts);
  }

  private static String cpus(List<Integer> cpus) {
    return (cpus.size() == 1 ? "CPU " : "CPUs ") + ranges(cpus);
  }

  /** The first {@link #COMM_LENGTH} characters of a thread name: what {@code comm} shows of it. */
  public static String comm(String threadName) {
    return threadName.length() <= COMM_LENGTH ? threadName : threadName.substring(0, COMM_LENGTH);
  }

  private static void pinProcessTree(long pid, List<Integer> cpus) throws IOException {
    ProcessHandle root =
        ProcessHandle.of(pid)
            .orElseThrow(() -> new IllegalStateException("the server's process " + pid + " ended"));
    pinEveryThread(cpus, pid);
    for (ProcessHandle child : root.descendants().collect(Collectors.toList())) {
      try {
        pinEveryThread(cpus, child.pid());
      } catch (IOException e) {
        if (child.isAlive()) {
          throw e;
        } // else it ended meanwhile: nothing left to pin
      }
    }
  }

  /**
   * Gives every thread of process {@code pid} the CPUs {@code cpus}. {@code taskset -a} lists the
   * threads, then sets them one by one, and stops at the first that ended meanwhile ("No such
   * process"), leaving the rest as they were; a thread started during the pass by one not yet set
   * keeps its creator's old CPUs. A JVM's threads come and go (pools, the JIT), so passes repeat
   * until every thread that {@code /proc} lists has the CPUs asked for.
   */
  private static void pinEveryThread(List<Integer> cpus, long pid) throws IOException {
    String id = Long.toString(pid);
    String wanted = ranges(cpus);
    String lastProblem = "";
    for (int pass = 1; pass <= PASSES; pass++) {
      try {
        taskset(cpus, id, true);
      } catch (IOException e) {
        if (!e.getMessage().contains("No such process")) {
          throw e;
        }
        lastProblem = "; last: " + e.getMessage();
      }
      if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
        throw new IOException("process " + pid + " ended while it was pinned");
      }
      if (threadsElsewhere(id, wanted) == 0) {
        return;
      }
    }
    throw new IOException(
        "threads of process "
            + pid
            + " still ran elsewhere than CPUs "
            + wanted
            + " after "
            + PASSES
            + " passes of taskset"
            + lastProblem);
  }

  /** How many threads of process {@code pid} may run elsewhere than on {@code wanted}. */
  private static int threadsElsewhere(String pid, String wanted) throws IOException {
    int elsewhere = 0;
    for (String tid : UtilLinux.threads(pid, comm -> true)) {
      try {
        if (!UtilLinux.cpusAllowed(Path.of("/proc", pid, "task", tid, "status")).equals(wanted)) {
          elsewhere++;
        }
      } catch (IOException e) {
        // the thread ended meanwhile
      }
    }
    return elsewhere;
  }

  /** Pins one thread of this JVM, unless it ended since it was listed. */
  private static void pinThreadHere(List<Integer> cpus, String tid) throws IOException {
    try {
      taskset(cpus, tid, false);
    } catch (IOException e) {
      if (Files.exists(Path.of("/proc/self/task", tid))) {
        throw e;
      }
    }
  }

  /** Runs {@code taskset -p -c CPUS ID}, with {@code -a} for every thread of a process. */
  private static void taskset(List<Integer> cpus, String id, boolean allThreads)
      throws IOException {
    List<String> command = new ArrayList<>(List.of("taskset"));
    if (allThreads) {
      command.add("-a");
    }
    command.addAll(List.of("-p", "-c", ranges(cpus), id));
    UtilLinux.run(command);
  }
}
