package dev.callosum.perf.report;

import java.nio.file.Path;
import org.apiguardian.api.API;

/**
 * What a run writes and compares, read with the other {@code callosum.perf.*} settings.
 *
 * @param outputDirectory where results, summaries and profiles go ({@code benchmark-results})
 * @param html whether to write the run's summary page
 * @param json whether to write the run's JSON results
 * @param profiling whether each run of a benchmark is profiled, in one more iteration after its
 *     measured ones (with it off, only a run that breaks a budget)
 * @param baseline a previous run's JSON results to compare with, or {@code null}
 * @param warnRatio a change against the baseline beyond this share warns (0.10)
 * @param failRatio a change against the baseline beyond this share fails (0.25)
 * @param rawSamples whether the JSON results carry every latency sample
 * @param serverProfiler a command profiling a server in another process beside the profiled
 *     iteration, or {@code async-profiler}; {@code null}: async-profiler for a forked JVM server
 *     when profiling, nothing otherwise
 * @param serverProfilerRequired whether a failing server profiler fails its benchmark
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public record ReportSettings(
    Path outputDirectory,
    boolean html,
    boolean json,
    boolean profiling,
    Path baseline,
    double warnRatio,
    double failRatio,
    boolean rawSamples,
    String serverProfiler,
    boolean serverProfilerRequired) {

  /** The defaults: both formats into {@code benchmark-results/}, no profiles, no baseline. */
  public static ReportSettings defaults() {
    return new ReportSettings(
        Path.of("benchmark-results"), true, true, false, null, 0.10, 0.25, false, null, false);
  }
}
