package dev.callosum.perf.profile;

import dev.callosum.perf.measurement.ProcessCpu;
import dev.callosum.perf.measurement.ServerProfile;
import dev.callosum.perf.peer.BatchPolicy;
import dev.callosum.perf.peer.ClientCpu;
import dev.callosum.perf.peer.RpcServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.apiguardian.api.API;

/**
 * The profile of one benchmark: async-profiler's CPU and wall-clock samples of every thread, and a
 * JFR recording for allocation, heap and GC, taken only in <em>profiled iterations</em>: {@link
 * #resume} and {@link #pause} bracket each, which the benchmark runs after its measured ones, so
 * that what profiling costs never lands in the numbers (here, async-profiler's 1 ms CPU sampling
 * took 27 % of a delayed server's throughput with 10 clients and added 0.5 ms to its p50). {@link
 * #stop} splits the CPU samples into the server under test (its threads, when it runs in this JVM)
 * and the load generator (every other thread), renders a flame graph of each, writes the {@code
 * .jfr} and summarizes it all in a {@link ProfileSummary}; {@link #close} discards a profile nobody
 * stopped.
 *
 * <p>CPU is sampled every millisecond and JFR uses its {@code profile} settings.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class Profiler implements AutoCloseable {
  /** How many methods and sites a summary lists. */
  public static final int TOP = 20;

  private static final long CPU_INTERVAL_NANOS = 1_000_000;

  private static final String OWN_PACKAGE = "dev.callosum.";

  /**
   * What only wraps a thread's task: counting its CPU (at the root of every load and client I/O
   * thread) or registering a ZeroMQ I/O thread for its scheduling policy (every I/O thread's, the
   * server's too). Never where time goes: a ZeroMQ I/O thread has no other frame of ours.
   */
  private static final List<String> THREAD_WRAPPERS =
      List.of(ClientCpu.class.getName(), BatchPolicy.class.getName());

  /** How many kinds of thread, and places for each, the wall-clock summary lists. */
  private static final int WALL_THREAD_KINDS = 12;

  private static final int WALL_PLACES = 3;

  private final String name;
  private final List<Path> windows = new ArrayList<>(); // one JFR recording per profiled iteration
  private final List<StackSampler.Stack> cpuStacks = new ArrayList<>();
  private final List<StackSampler.Stack> wallStacks = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private String cpuSampling;
  private String wallSampling;
  private boolean sampled; // async-profiler ran in at least one window
  private double seconds;
  private long cpuNanos;
  private long requests;
  private long startHeap = -1;

  // The window open now, if any.
  private Recording recording;
  private StackSampler sampler;
  private long windowStartNanos;
  private long windowStartCpu;

  private boolean done;

  private Profiler(String name) {
    this.name = name;
  }

  /** A profile named for the benchmark, recording nothing until {@link #resume}. */
  public static Profiler create(String name) {
    return new Profiler(name);
  }

  /**
   * Starts recording a profiled iteration: JFR, and async-profiler where it runs (else CPU comes
   * from JFR's samples, saying why).
   *
   * @throws IllegalStateException if this JVM cannot record (JFR unavailable), saying so; or if a
   *     window is open already
   */
  public void resume() {
    if (done || recording != null) {
      throw new IllegalStateException(
          "the profile of " + name + " is " + (done ? "stopped" : "recording already"));
    }
    Recording window;
    try {
      window = new Recording(Configuration.getConfiguration("profile"));
      window.setName("callosum-perf " + name);
      window.setToDisk(true);
      window.start();
    } catch (IOException | ParseException | RuntimeException e) {
      throw new IllegalStateException("cannot start a JFR recording for " + name + ": " + e, e);
    }
    if (startHeap < 0) {
      startHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
    try {
      sampler = StackSampler.start(CPU_INTERVAL_NANOS);
      cpuSampling = sampler.how();
      wallSampling = sampler.wallHow();
      sampled = true;
    } catch (IllegalStateException e) {
      sampler = null;
      if (!sampled) {
        cpuSampling = "JFR only: " + e.getMessage();
      }
      if (problems.isEmpty()) {
        System.err.println(
            "callosum-perf: " + e.getMessage() + "; CPU only from JFR's samples for " + name);
      }
      problems.add(e.getMessage());
    }
    recording = window;
    windowStartNanos = System.nanoTime();
    windowStartCpu = processCpu();
  }

  /**
   * Ends the profiled iteration that {@link #resume} began.
   *
   * @param requests the successful requests it made, for bytes allocated per request
   */
  public void pause(long requests) {
    if (recording == null) {
      throw new IllegalStateException("the profile of " + name + " is not recording");
    }
    seconds += (System.nanoTime() - windowStartNanos) / 1e9;
    cpuNanos += processCpu() - windowStartCpu;
    this.requests += requests;
    if (sampler != null) {
      try {
        StackSampler.Sampled stacks = sampler.stop();
        cpuStacks.addAll(stacks.cpu().stacks());
        wallStacks.addAll(stacks.wall().stacks());
      } catch (IllegalStateException e) {
        problems.add(e.getMessage());
      }
      sampler = null;
    }
    Recording window = recording;
    recording = null;
    try {
      window.stop();
      Path file = Files.createTempFile("callosum-perf-profile-", ".jfr");
      window.dump(file);
      windows.add(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the JFR recording of " + name, e);
    } finally {
      window.close();
    }
  }

  /**
   * Writes what the profiled iterations recorded to {@code jfr} (their recordings one after the
   * other: a JFR file is a series of chunks) and summarizes it; {@code null} if no iteration was
   * profiled.
   *
   * @param flameGraph whether to render flame graphs beside the {@code .jfr}
   * @param elsewhere what profilers of a server in another process kept ({@link ServerProfiler}):
   *     the server's part of the profile
   */
  public ProfileSummary stop(Path jfr, boolean flameGraph, List<ServerProfile> elsewhere) {
    if (recording != null) {
      pause(0); // a benchmark that ended inside its profiled iteration
    }
    done = true;
    if (windows.isEmpty()) {
      return null;
    }
    long endHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    String sampling =
        problems.isEmpty() || !sampled
            ? cpuSampling
            : cpuSampling + "; in " + problems.size() + " window(s) not: " + problems.get(0);
    ProfileSummary jfrSummary;
    try {
      Files.createDirectories(jfr.toAbsolutePath().getParent());
      try (var out = Files.newOutputStream(jfr)) {
        for (Path window : windows) {
          Files.copy(window, out);
        }
      }
      jfrSummary = summarize(jfr, sampling, endHeap);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the JFR recording " + jfr, e);
    } finally {
      deleteWindows();
    }
    String title = name;
    if (!sampled) {
      Path html = sibling(jfr, "-flame.html");
      boolean drawn = flameGraph && FlameGraphs.render(jfr, html, "CPU (JFR samples): " + title);
      return new ProfileSummary(
          jfr,
          drawn ? html : null,
          seconds,
          windows.size(),
          sampling,
          List.of(),
          null,
          jfrSummary.cpuSamples(),
          jfrSummary.nativeSamples(),
          cpuNanos,
          jfrSummary.topMethods(),
          jfrSummary.topNativeMethods(),
          List.of(),
          jfrSummary.allocation(),
          jfrSummary.heap());
    }
    StackSampler.Stacks stacks = new StackSampler.Stacks(List.copyOf(cpuStacks));
    StackSampler.Stacks wall = new StackSampler.Stacks(List.copyOf(wallStacks));
    Path all = sibling(jfr, "-flame.html");
    boolean drawn =
        flameGraph
            && FlameGraphs.renderCollapsed(
                stacks.collapsed(), all, "CPU of every thread (towers by thread): " + title);
    List<ProfileSummary.CpuProfile> parts = new ArrayList<>();
    StackSampler.Stacks server = stacks.threads(RpcServer::isServerThread);
    StackSampler.Stacks remote = stacksOf(elsewhere);
    if (server.samples() == 0 && remote.samples() > 0) {
      parts.add(
          part(
              ProfileSummary.CpuProfile.SERVER,
              elsewhere.stream()
                  .filter(p -> p.collapsed() != null)
                  .map(ServerProfile::how)
                  .distinct()
                  .collect(java.util.stream.Collectors.joining("; ")),
              remote,
              flameGraph ? sibling(jfr, "-server-flame.html") : null,
              title));
    }
    if (server.samples() > 0) {
      parts.add(
          part(
              ProfileSummary.CpuProfile.SERVER,
              "this JVM's callosum-server-* threads (the server's loop, workers, ZeroMQ I/O)",
              server,
              flameGraph ? sibling(jfr, "-server-flame.html") : null,
              title));
    }
    parts.add(
        part(
            ProfileSummary.CpuProfile.LOAD_GENERATOR,
            server.samples() > 0
                ? "every other thread of this JVM (clients, their ZeroMQ I/O, JUnit, JIT, GC)"
                : "every thread of this JVM (clients, their ZeroMQ I/O, JUnit, JIT, GC); the"
                    + (remote.samples() > 0
                        ? " server runs in its own process, profiled there"
                        : " server runs elsewhere, unprofiled"),
            stacks.threads(t -> !RpcServer.isServerThread(t)),
            flameGraph ? sibling(jfr, "-generator-flame.html") : null,
            title));
    return new ProfileSummary(
        jfr,
        drawn ? all : null,
        seconds,
        windows.size(),
        sampling,
        parts,
        wallClock(wall, flameGraph ? sibling(jfr, "-wall-flame.html") : null, title),
        stacks.samples(),
        jfrSummary.nativeSamples(),
        cpuNanos,
        top(selfFrames(stacks), stacks.samples()),
        jfrSummary.topNativeMethods(),
        parts.get(0).isServer() ? parts.get(0).ownFrames() : List.of(),
        jfrSummary.allocation(),
        jfrSummary.heap());
  }

  private static ProfileSummary.CpuProfile part(
      String whose, String threads, StackSampler.Stacks stacks, Path flameGraph, String title) {
    boolean drawn =
        flameGraph != null
            && FlameGraphs.renderCollapsed(
                stacks.collapsed(), flameGraph, "CPU of the " + whose + ": " + title);
    Map<String, Long> own = new HashMap<>();
    for (StackSampler.Stack stack : stacks.stacks()) {
      List<String> frames = stack.frames();
      for (int i = frames.size() - 1; i >= 0; i--) {
        String name = javaName(frames.get(i));
        if (name.startsWith(OWN_PACKAGE) && THREAD_WRAPPERS.stream().noneMatch(name::startsWith)) {
          own.merge(name, stack.samples(), Long::sum);
          break;
        }
      }
    }
    return new ProfileSummary.CpuProfile(
        whose,
        threads,
        stacks.samples(),
        drawn ? flameGraph : null,
        top(selfFrames(stacks), stacks.samples()),
        top(own, stacks.samples()));
  }

  /** The wall-clock profile: a flame graph of every thread, and where the benchmark's were. */
  private ProfileSummary.WallClock wallClock(
      StackSampler.Stacks wall, Path flameGraph, String title) {
    if (wall == null || wall.samples() == 0) {
      return null;
    }
    boolean drawn =
        flameGraph != null
            && FlameGraphs.renderCollapsed(
                wall.collapsed(),
                flameGraph,
                "Wall clock of every thread, running or waiting (towers by thread): " + title);
    Map<String, java.util.Set<String>> names = new HashMap<>();
    Map<String, Long> samples = new HashMap<>();
    Map<String, Map<String, Long>> where = new HashMap<>();
    for (StackSampler.Stack stack : wall.stacks()) {
      String thread = stack.thread();
      if (!thread.startsWith("callosum-") || thread.startsWith("callosum-hiccup")) {
        continue; // JUnit, JIT, GC and the hiccup meter's threads are not the benchmark's
      }
      String kind = thread.replaceAll("\\d+", "N");
      names.computeIfAbsent(kind, k -> new java.util.HashSet<>()).add(thread);
      samples.merge(kind, stack.samples(), Long::sum);
      where
          .computeIfAbsent(kind, k -> new HashMap<>())
          .merge(place(stack), stack.samples(), Long::sum);
    }
    List<ProfileSummary.Threads> threads =
        top(samples, wall.samples()).stream()
            .limit(WALL_THREAD_KINDS)
            .map(
                kind ->
                    new ProfileSummary.Threads(
                        kind.name(),
                        RpcServer.isServerThread(kind.name())
                            ? ProfileSummary.CpuProfile.SERVER
                            : ProfileSummary.CpuProfile.LOAD_GENERATOR,
                        names.get(kind.name()).size(),
                        kind.weight(),
                        top(where.get(kind.name()), kind.weight()).stream()
                            .limit(WALL_PLACES)
                            .toList()))
            .toList();
    return new ProfileSummary.WallClock(
        wallSampling, wall.samples(), drawn ? flameGraph : null, threads);
  }

  /**
   * The frame on top, after the nearest Java frame below it outside the JDK, which says what the
   * thread was at: {@code Signaler.waitEvent › epoll_wait}, {@code ServerLoop.loop › EPoll.wait}.
   */
  private static String place(StackSampler.Stack stack) {
    List<String> frames = stack.frames();
    if (frames.isEmpty()) {
      return "(no frames)";
    }
    String top = frames.get(frames.size() - 1);
    for (int i = frames.size() - 1; i >= 0; i--) {
      String frame = frames.get(i);
      if (isJava(frame) && !frame.matches("(java|jdk|sun)/.*")) {
        return i == frames.size() - 1
            ? shortJava(frame)
            : shortJava(frame) + " › " + (isJava(top) ? shortJava(top) : javaName(top));
      }
    }
    return isJava(top) ? shortJava(top) : javaName(top);
  }

  private static boolean isJava(String frame) {
    return frame.matches(".*_\\[[jik]]$");
  }

  /** {@code Class.method} of a Java frame. */
  private static String shortJava(String frame) {
    String name = javaName(frame);
    int dot = name.lastIndexOf('.', name.lastIndexOf('.') - 1);
    return dot < 0 ? name : name.substring(dot + 1);
  }

  private static StackSampler.Stacks stacksOf(List<ServerProfile> profiles) {
    List<StackSampler.Stack> all = new ArrayList<>();
    for (ServerProfile p : profiles) {
      if (p.collapsed() == null) {
        continue;
      }
      try {
        all.addAll(StackSampler.Stacks.parse(Files.readString(p.collapsed())).stacks());
      } catch (IOException e) {
        System.err.println("callosum-perf: cannot read the server's stacks " + p.collapsed());
      }
    }
    return new StackSampler.Stacks(all);
  }

  private static Map<String, Long> selfFrames(StackSampler.Stacks stacks) {
    Map<String, Long> self = new HashMap<>();
    for (StackSampler.Stack stack : stacks.stacks()) {
      String top =
          stack.frames().isEmpty() ? "(no frames)" : stack.frames().get(stack.frames().size() - 1);
      self.merge(javaName(top), stack.samples(), Long::sum);
    }
    return self;
  }

  /** async-profiler writes Java frames as {@code pkg/Class.method}; native ones as they are. */
  private static String javaName(String frame) {
    String name = frame.replaceAll("_\\[[jik0-9]]$", "");
    return name.contains("/") && !name.contains(" ") && !name.startsWith("[")
        ? name.replace('/', '.')
            .replaceAll("\\$\\$Lambda\\$?[\\d.]*(0x\\p{XDigit}+)?", "\\$\\$Lambda")
        : name;
  }

  private static Path sibling(Path jfr, String suffix) {
    return jfr.resolveSibling(jfr.getFileName().toString().replaceFirst("\\.jfr$", "") + suffix);
  }

  /** Discards the profile unless it was stopped. */
  @Override
  public void close() {
    if (done) {
      return;
    }
    done = true;
    if (sampler != null) {
      sampler.discard();
      sampler = null;
    }
    if (recording != null) {
      recording.close();
      recording = null;
    }
    deleteWindows();
  }

  private void deleteWindows() {
    for (Path window : windows) {
      try {
        Files.deleteIfExists(window);
      } catch (IOException e) {
        System.err.println("callosum-perf: cannot delete " + window + ": " + e);
      }
    }
  }

  /**
   * Summarizes the windows' recordings (written one after the other to {@code jfr}), window by
   * window; allocation without each thread's first sample in a window: JFR weighs a sample by what
   * its thread allocated since its previous one, and JDKs with JDK-8307488 (or its regression
   * JDK-8362573) count that first one from before the window, once every byte the thread ever
   * allocated (measured on 17.0.15: 493 MB reported for 8 MiB allocated after 400 MiB before).
   */
  private ProfileSummary summarize(Path jfr, String sampling, long endHeap) {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> nativeSelf = new HashMap<>();
    Map<String, Long> own = new HashMap<>();
    long nativeSamples = 0;
    Map<String, Long> sites = new HashMap<>();
    long samples = 0;
    long allocated = 0;
    long peak = Math.max(startHeap, endHeap);
    long collections = 0;
    long pauses = 0;
    try {
      for (Path window : windows) {
        Set<Long> allocatingThreads = new HashSet<>(); // those with a sample in this window
        try (RecordingFile file = new RecordingFile(window)) {
          while (file.hasMoreEvents()) {
            RecordedEvent event = file.readEvent();
            switch (event.getEventType().getName()) {
              case "jdk.ExecutionSample", "jdk.NativeMethodSample" -> {
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                  continue;
                }
                boolean running = event.getEventType().getName().equals("jdk.ExecutionSample");
                if (running) {
                  samples++;
                } else {
                  nativeSamples++;
                }
                (running ? self : nativeSelf)
                    .merge(method(stack.getFrames().get(0)), 1L, Long::sum);
                for (RecordedFrame frame : stack.getFrames()) {
                  String name = method(frame);
                  if (name.startsWith(OWN_PACKAGE)) {
                    own.merge(name, 1L, Long::sum);
                    break;
                  }
                }
              }
              case "jdk.ObjectAllocationSample" -> {
                RecordedThread thread = event.getThread();
                if (allocatingThreads.add(thread == null ? -1 : thread.getId())) {
                  continue; // the thread's first: its weight may reach back before the window
                }
                long weight = event.getLong("weight");
                allocated += weight;
                sites.merge(site(event), weight, Long::sum);
              }
              case "jdk.GCHeapSummary" -> peak = Math.max(peak, event.getLong("heapUsed"));
              case "jdk.GarbageCollection" -> {
                collections++;
                pauses += event.getDuration("sumOfPauses").toNanos();
              }
              default -> {}
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the JFR recording " + jfr, e);
    }
    ProfileSummary.Allocation allocation =
        new ProfileSummary.Allocation(
            allocated,
            requests > 0 ? allocated / (double) requests : Double.NaN,
            top(sites, allocated));
    ProfileSummary.Heap heap =
        new ProfileSummary.Heap(startHeap, peak, endHeap, collections, pauses);
    return new ProfileSummary(
        jfr,
        null,
        seconds,
        windows.size(),
        sampling,
        List.of(),
        null,
        samples,
        nativeSamples,
        cpuNanos,
        top(self, samples),
        top(nativeSelf, nativeSamples),
        top(own, samples + nativeSamples),
        allocation,
        heap);
  }

  private static List<ProfileSummary.Entry> top(Map<String, Long> weights, long total) {
    List<ProfileSummary.Entry> entries = new ArrayList<>();
    weights.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(TOP)
        .forEach(
            e ->
                entries.add(
                    new ProfileSummary.Entry(
                        e.getKey(), e.getValue(), total > 0 ? e.getValue() / (double) total : 0)));
    return entries;
  }

  private static String method(RecordedFrame frame) {
    if (frame.getMethod() == null) {
      return "(unknown)";
    }
    // Lambdas and hidden classes carry addresses (Foo$$Lambda$51/0x0000000800c0a8): drop them, so
    // one lambda is one entry and the names read.
    String type =
        frame
            .getMethod()
            .getType()
            .getName()
            .replaceAll("\\$\\$Lambda\\$\\d+(/0x\\p{XDigit}+)?", "\\$\\$Lambda")
            .replaceAll("/0x\\p{XDigit}+", "");
    return type + "." + frame.getMethod().getName();
  }

  /** The allocating frame outside the JDK, with what it allocated. */
  private static String site(RecordedEvent event) {
    String type =
        event.getClass("objectClass") == null ? "?" : event.getClass("objectClass").getName();
    RecordedStackTrace stack = event.getStackTrace();
    String where = "(no stack)";
    if (stack != null && !stack.getFrames().isEmpty()) {
      where = method(stack.getFrames().get(0));
      for (RecordedFrame frame : stack.getFrames()) {
        String name = method(frame);
        if (!name.startsWith("java.") && !name.startsWith("jdk.") && !name.startsWith("sun.")) {
          where = name + ":" + frame.getLineNumber();
          break;
        }
      }
    }
    return where + " → " + type;
  }

  private static long processCpu() {
    return Math.max(0, ProcessCpu.nanos());
  }
}
