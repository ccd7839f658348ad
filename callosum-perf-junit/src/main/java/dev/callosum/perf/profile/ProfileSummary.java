package dev.callosum.perf.profile;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * What a benchmark's profile says: where the CPU went (async-profiler's samples, split into the
 * server under test when it runs in this JVM and the load generator), what was allocated and how
 * the heap moved (JFR, of the whole JVM).
 *
 * @param jfr the JFR recording, which opens in JDK Mission Control
 * @param flameGraph a self-contained HTML flame graph of every thread's CPU samples (one tower per
 *     thread), or {@code null}
 * @param seconds how long it recorded
 * @param iterations how many profiled iterations it recorded: one per run of the benchmark, after
 *     that run's measured iterations, whose numbers it is not part of
 * @param cpuSampling how CPU was sampled (profiler, event, interval), or why it was not
 * @param parts the CPU samples of the server under test (only when it runs in this JVM) and of the
 *     load generator, each with its own flame graph; empty without async-profiler
 * @param wallClock where the benchmark's threads spent their time, running or waiting, or {@code
 *     null} without async-profiler
 * @param cpuSamples CPU samples over every thread (async-profiler's; JFR's {@code
 *     jdk.ExecutionSample} count without it)
 * @param nativeSamples samples of threads in native code: system calls for socket I/O, polls, waits
 *     ({@code jdk.NativeMethodSample}); in an RPC benchmark usually the most
 * @param processCpuNanos CPU time this process used while recording (all threads, all cores, kernel
 *     time included)
 * @param topMethods the frames most often on top of a running thread's stack (self time), Java and
 *     native, over every thread
 * @param topNativeMethods the native methods threads were most often in, running or waiting (JFR's
 *     {@code jdk.NativeMethodSample}): a wait profile
 * @param ownMethods the server under test's CPU samples by the Callosum frame nearest the top:
 *     which of the server's methods the time is spent in or under; empty when the server does not
 *     run in this JVM (then {@link #parts} holds the load generator's own)
 * @param allocation allocation by site, estimated from JFR's allocation samples
 * @param heap heap use over the recording
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public record ProfileSummary(
    Path jfr,
    Path flameGraph,
    double seconds,
    int iterations,
    String cpuSampling,
    List<CpuProfile> parts,
    WallClock wallClock,
    long cpuSamples,
    long nativeSamples,
    long processCpuNanos,
    List<Entry> topMethods,
    List<Entry> topNativeMethods,
    List<Entry> ownMethods,
    Allocation allocation,
    Heap heap) {

  public ProfileSummary {
    parts = List.copyOf(parts);
    topMethods = List.copyOf(topMethods);
    topNativeMethods = List.copyOf(topNativeMethods);
    ownMethods = List.copyOf(ownMethods);
  }

  /** The part of the profile whose threads are the server under test's. */
  public Optional<CpuProfile> server() {
    return parts.stream().filter(CpuProfile::isServer).findFirst();
  }

  /** The part of the profile whose threads are the load generator's. */
  public Optional<CpuProfile> loadGenerator() {
    return parts.stream().filter(p -> !p.isServer()).findFirst();
  }

  /**
   * The CPU samples of one side of the benchmark.
   *
   * @param whose {@link #SERVER} or {@link #LOAD_GENERATOR}
   * @param threads which threads, in words
   * @param samples how many samples
   * @param flameGraph its flame graph, or {@code null}
   * @param topFrames the frames most often on top (self time)
   * @param ownFrames samples by the Callosum frame nearest the top
   */
  public record CpuProfile(
      String whose,
      String threads,
      long samples,
      Path flameGraph,
      List<Entry> topFrames,
      List<Entry> ownFrames) {
    public static final String SERVER = "server under test";
    public static final String LOAD_GENERATOR = "load generator";

    public CpuProfile {
      topFrames = List.copyOf(topFrames);
      ownFrames = List.copyOf(ownFrames);
    }

    public boolean isServer() {
      return SERVER.equals(whose);
    }
  }

  /**
   * Where the benchmark's threads spent their time, running or waiting: wall-clock samples of every
   * thread, whatever it was doing. Beside the CPU profile it tells a server thread that waits for
   * work from one that waits for a lock, and a client that waits for its reply from one that burns
   * CPU.
   *
   * @param sampling how it sampled
   * @param samples samples over every thread of this JVM
   * @param flameGraph a flame graph of every thread (one tower per thread), or {@code null}
   * @param threads the benchmark's own threads (the server's and the load generator's, alike ones
   *     together), most sampled first
   */
  public record WallClock(String sampling, long samples, Path flameGraph, List<Threads> threads) {
    public WallClock {
      threads = List.copyOf(threads);
    }
  }

  /**
   * Threads of one kind and where they were.
   *
   * @param name their name, numbers as {@code N} ({@code callosum-load-N})
   * @param whose {@link CpuProfile#SERVER} or {@link CpuProfile#LOAD_GENERATOR}
   * @param count how many threads
   * @param samples their wall-clock samples
   * @param where where they were, most first: the frame on top of the stack, after the nearest Java
   *     frame below it ({@code Poller.run › epoll_wait})
   */
  public record Threads(String name, String whose, int count, long samples, List<Entry> where) {
    public Threads {
      where = List.copyOf(where);
    }

    /** "server under test, callosum-server-N (1 thread)". */
    public String label() {
      return whose + ", " + name + " (" + count + " thread" + (count == 1 ? "" : "s") + ")";
    }
  }

  /**
   * A method or site with its weight.
   *
   * @param name the method ({@code pkg.Class.method}) or allocation site
   * @param weight samples, or bytes for allocations
   * @param share its share of the total, 0..1
   */
  public record Entry(String name, long weight, double share) {}

  /**
   * Allocation over the recording.
   *
   * @param totalBytes bytes allocated, estimated from the samples' weights
   * @param bytesPerRequest that, per successful request of the benchmark (NaN without requests)
   * @param topSites where, most first: the allocating frame outside the JDK and the allocated type
   */
  public record Allocation(long totalBytes, double bytesPerRequest, List<Entry> topSites) {
    public Allocation {
      topSites = List.copyOf(topSites);
    }
  }

  /**
   * Heap use: at the start, the highest seen (before any collection or at the end), at the end, and
   * the growth between start and end after collections.
   *
   * @param startUsedBytes used heap when the recording started
   * @param peakUsedBytes the most used heap seen
   * @param endUsedBytes used heap when it stopped
   * @param collections garbage collections during the recording
   * @param gcPauseNanos their total pause time
   */
  public record Heap(
      long startUsedBytes,
      long peakUsedBytes,
      long endUsedBytes,
      long collections,
      long gcPauseNanos) {
    /** End minus start: positive when the benchmark left more on the heap than it found. */
    public long growthBytes() {
      return endUsedBytes - startUsedBytes;
    }
  }
}
