package dev.callosum.perf.profile;

import dev.callosum.perf.measurement.ProcessCpu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.apiguardian.api.API;

/**
 * A JFR recording around one benchmark. {@link #start} begins it; {@link #stop} writes the {@code
 * .jfr}, reads it back into a {@link ProfileSummary} and renders a flame graph; {@link #close}
 * discards a recording nobody stopped (a benchmark that passed with profiling off).
 *
 * <p>Detailed recordings use JFR's {@code profile} settings (10 ms CPU samples, more allocation
 * samples); light ones its {@code default} settings (about 1 % overhead), kept only if a budget
 * breaks.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class Profiler implements AutoCloseable {
  /** How many methods and sites a summary lists. */
  public static final int TOP = 20;

  private static final String OWN_PACKAGE = "dev.callosum.";

  private final Recording recording;
  private final long startNanos = System.nanoTime();
  private final long startCpu = processCpu();
  private final long startHeap;
  private boolean done;

  private Profiler(Recording recording) {
    this.recording = recording;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    this.startHeap = memory.getHeapMemoryUsage().getUsed();
  }

  /**
   * Starts a recording named for the benchmark.
   *
   * @param detailed JFR's {@code profile} settings rather than its {@code default} ones
   * @throws IllegalStateException if this JVM cannot record (JFR unavailable), saying so
   */
  public static Profiler start(String name, boolean detailed) {
    try {
      Recording recording =
          new Recording(Configuration.getConfiguration(detailed ? "profile" : "default"));
      recording.setName("callosum-perf " + name);
      recording.setToDisk(true);
      recording.start();
      return new Profiler(recording);
    } catch (IOException | ParseException | RuntimeException e) {
      throw new IllegalStateException("cannot start a JFR recording for " + name + ": " + e, e);
    }
  }

  /**
   * Stops the recording, writes it to {@code jfr} and summarizes it.
   *
   * @param requests the benchmark's successful requests, for bytes per request
   * @param flameGraph whether to render a flame graph beside the {@code .jfr}
   */
  public ProfileSummary stop(Path jfr, long requests, boolean flameGraph) {
    done = true;
    long cpu = processCpu() - startCpu;
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    long endHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    try {
      recording.stop();
      Files.createDirectories(jfr.toAbsolutePath().getParent());
      recording.dump(jfr);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the JFR recording " + jfr, e);
    } finally {
      recording.close();
    }
    ProfileSummary summary = summarize(jfr, seconds, cpu, requests, endHeap);
    if (flameGraph) {
      Path html =
          jfr.resolveSibling(
              jfr.getFileName().toString().replaceFirst("\\.jfr$", "") + "-flame.html");
      if (FlameGraphs.render(jfr, html, "CPU: " + recording.getName())) {
        return new ProfileSummary(
            jfr,
            html,
            summary.seconds(),
            summary.cpuSamples(),
            summary.nativeSamples(),
            summary.processCpuNanos(),
            summary.topMethods(),
            summary.topNativeMethods(),
            summary.ownMethods(),
            summary.allocation(),
            summary.heap());
      }
    }
    return summary;
  }

  /** Discards the recording unless it was stopped. */
  @Override
  public void close() {
    if (!done) {
      done = true;
      recording.close();
    }
  }

  private ProfileSummary summarize(
      Path jfr, double seconds, long cpu, long requests, long endHeap) {
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
    try (RecordingFile file = new RecordingFile(jfr)) {
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
            (running ? self : nativeSelf).merge(method(stack.getFrames().get(0)), 1L, Long::sum);
            for (RecordedFrame frame : stack.getFrames()) {
              String name = method(frame);
              if (name.startsWith(OWN_PACKAGE)) {
                own.merge(name, 1L, Long::sum);
                break;
              }
            }
          }
          case "jdk.ObjectAllocationSample" -> {
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
        samples,
        nativeSamples,
        cpu,
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
