package dev.callosum.perf.profile;

import java.nio.file.Path;
import java.util.List;
import org.apiguardian.api.API;

/**
 * What a benchmark's JFR recording says: where the CPU went, what was allocated, how the heap
 * moved. Samples and allocations are of the whole JVM (load generator, in-JVM server, JUnit).
 *
 * @param jfr the recording, which opens in JDK Mission Control
 * @param flameGraph a self-contained HTML flame graph of the CPU samples, or {@code null}
 * @param seconds how long it recorded
 * @param cpuSamples samples of threads running Java code ({@code jdk.ExecutionSample})
 * @param nativeSamples samples of threads in native code: system calls for socket I/O, polls, waits
 *     ({@code jdk.NativeMethodSample}); in an RPC benchmark usually the most
 * @param processCpuNanos CPU time this process used while recording (all threads, all cores, kernel
 *     time included)
 * @param topMethods the Java methods most often on top of a running thread's stack (self time)
 * @param topNativeMethods the native methods threads were most often in
 * @param ownMethods for each sample of either kind, the Callosum frame nearest the top: which of
 *     our methods the time is spent in or under, most first
 * @param allocation allocation by site, estimated from JFR's allocation samples
 * @param heap heap use over the recording
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public record ProfileSummary(
    Path jfr,
    Path flameGraph,
    double seconds,
    long cpuSamples,
    long nativeSamples,
    long processCpuNanos,
    List<Entry> topMethods,
    List<Entry> topNativeMethods,
    List<Entry> ownMethods,
    Allocation allocation,
    Heap heap) {

  public ProfileSummary {
    topMethods = List.copyOf(topMethods);
    topNativeMethods = List.copyOf(topNativeMethods);
    ownMethods = List.copyOf(ownMethods);
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
