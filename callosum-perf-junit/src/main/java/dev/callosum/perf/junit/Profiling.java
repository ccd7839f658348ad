package dev.callosum.perf.junit;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.profile.Profiler;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which runs of one benchmark get a profiled iteration after their measured ones, and the profile
 * that records them, made on first use. A profiler costs what it observes (async-profiler's 1 ms
 * CPU sampling took 27 % of a delayed server's throughput with 10 clients here), so no profiler
 * runs while a benchmark measures: the profile comes from one more iteration, whose numbers are
 * shown beside the result's and never counted in them.
 */
final class Profiling implements AutoCloseable {
  /** For benchmarks marked {@code @RpcBenchmark(profiled = false)}. */
  static final Profiling NEVER = new Profiling("", result -> false);

  private final String name;
  private final Predicate<BenchmarkResult> wants;
  private Profiler profiler;

  /**
   * @param name the benchmark's, for the profile
   * @param wants whether a run that measured this gets a profiled iteration
   */
  Profiling(String name, Predicate<BenchmarkResult> wants) {
    this.name = name;
    this.wants = wants;
  }

  /** Whether the run that measured {@code measured} gets a profiled iteration. */
  boolean wants(BenchmarkResult measured) {
    return wants.test(measured);
  }

  /** The benchmark's profile, made now if no run used it yet. */
  Profiler profiler() {
    if (profiler == null) {
      profiler = Profiler.create(name);
    }
    return profiler;
  }

  /** The profile, if a run recorded into it. */
  Optional<Profiler> used() {
    return Optional.ofNullable(profiler);
  }

  /** Discards a profile nobody stopped. */
  @Override
  public void close() {
    if (profiler != null) {
      profiler.close();
    }
  }
}
