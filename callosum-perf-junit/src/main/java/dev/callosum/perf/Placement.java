package dev.callosum.perf;

import org.apiguardian.api.API;

/**
 * Where a benchmark's server runs. Chosen with {@code @RpcBenchmark(placement = ...)} or the
 * setting {@code callosum.perf.placement}; {@code REMOTE} with {@code callosum.perf.target}.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public enum Placement {
  /** In this JVM. */
  IN_JVM,
  /** In a JVM of its own, started for the benchmark: its GC and CPU apart from the load's. */
  FORKED,
  /** A command started for the benchmark, such as a Python Callosum server of your own. */
  EXTERNAL,
  /**
   * The bundled Python Callosum server, started for the benchmark with a Python that imports
   * callosum ({@code callosum.perf.python} names it; else {@code python3} or {@code
   * /usr/bin/python3}).
   */
  PYTHON,
  /** At an address this process did not start ({@code callosum.perf.target}). */
  REMOTE;

  /**
   * {@code in-jvm}, {@code forked}, {@code external}, {@code python}, {@code remote}: as settings
   * and reports write it.
   */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
