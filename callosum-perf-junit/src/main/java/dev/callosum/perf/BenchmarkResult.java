package dev.callosum.perf;

import dev.callosum.perf.measurement.Hiccups;
import dev.callosum.perf.measurement.LatencyDistribution;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.ServerProfile;
import dev.callosum.perf.measurement.ServerResources;
import dev.callosum.perf.measurement.Statistics;
import dev.callosum.perf.peer.RpcException;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apiguardian.api.API;

/**
 * One benchmark's measurement: its measured iterations (warm-ups are not in it), their latencies
 * merged, and the spread of throughput across iterations.
 *
 * <p>Latency percentiles come from all iterations' histograms merged; throughput is the mean of the
 * iterations' throughputs, with {@link #throughputStatistics()} saying how much they varied.
 * Immutable.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class BenchmarkResult extends LatencyDistribution {
  private final String name;
  private final String server;
  private final List<LoadResult> iterations;
  private final Map<RpcException.Kind, Long> errors;
  private final Map<String, String> parameters;
  private final long processCpuNanos;
  private final Hiccups hiccups;
  private final Extras extras;

  /**
   * What a result may carry besides its measurement, each added by a {@code with…} copy: why it was
   * cut short, what the server used, what profiled it, which server it was. Null where absent.
   */
  private record Extras(
      String cutShort,
      ServerResources serverResources,
      ServerProfile serverProfile,
      SystemUnderTest systemUnderTest,
      long generatorCpuNanos,
      LoadResult profiledIteration) {
    static final Extras NONE = new Extras(null, null, null, null, -1, null);

    Extras cutShortBy(String why) {
      return new Extras(
          why,
          serverResources,
          serverProfile,
          systemUnderTest,
          generatorCpuNanos,
          profiledIteration);
    }

    Extras serverResources(ServerResources used) {
      return new Extras(
          cutShort, used, serverProfile, systemUnderTest, generatorCpuNanos, profiledIteration);
    }

    Extras serverProfile(ServerProfile profile) {
      return new Extras(
          cutShort,
          serverResources,
          profile,
          systemUnderTest,
          generatorCpuNanos,
          profiledIteration);
    }

    Extras systemUnderTest(SystemUnderTest sut) {
      return new Extras(
          cutShort, serverResources, serverProfile, sut, generatorCpuNanos, profiledIteration);
    }

    Extras profiledIteration(LoadResult iteration) {
      return new Extras(
          cutShort, serverResources, serverProfile, systemUnderTest, generatorCpuNanos, iteration);
    }

    Extras generatorCpuNanos(long nanos) {
      return new Extras(
          cutShort, serverResources, serverProfile, systemUnderTest, nanos, profiledIteration);
    }
  }

  public BenchmarkResult(String name, String server, List<LoadResult> iterations) {
    this(name, server, Map.of(), iterations);
  }

  /**
   * A result with the parameters it ran with, as reports show them: payload, clients, scheduler,
   * compression, auth, placement and the like, in order.
   */
  public BenchmarkResult(
      String name, String server, Map<String, String> parameters, List<LoadResult> iterations) {
    this(name, server, parameters, iterations, -1);
  }

  /**
   * A result with the CPU time this process spent over its measured iterations (-1 if unknown):
   * client, in-JVM server and everything else the JVM ran meanwhile.
   */
  public BenchmarkResult(
      String name,
      String server,
      Map<String, String> parameters,
      List<LoadResult> iterations,
      long processCpuNanos) {
    this(name, server, parameters, iterations, processCpuNanos, null);
  }

  /** A result with this machine's own hiccups over its measured iterations (null: not measured). */
  public BenchmarkResult(
      String name,
      String server,
      Map<String, String> parameters,
      List<LoadResult> iterations,
      long processCpuNanos,
      Hiccups hiccups) {
    this(name, server, parameters, iterations, processCpuNanos, hiccups, Extras.NONE);
  }

  private BenchmarkResult(
      String name,
      String server,
      Map<String, String> parameters,
      List<LoadResult> iterations,
      long processCpuNanos,
      Hiccups hiccups,
      Extras extras) {
    super(merged(iterations));
    this.extras = extras;
    this.hiccups = hiccups;
    this.processCpuNanos = processCpuNanos;
    this.name = name;
    this.server = server;
    this.iterations = List.copyOf(iterations);
    EnumMap<RpcException.Kind, Long> all = new EnumMap<>(RpcException.Kind.class);
    for (LoadResult iteration : iterations) {
      iteration.errors().forEach((k, v) -> all.merge(k, v, Long::sum));
    }
    this.errors = Collections.unmodifiableMap(all);
    this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  /**
   * The CPU time this process used over the measured iterations, all threads (the load's clients,
   * an in-JVM server, JUnit); empty where unknown.
   */
  public java.util.Optional<Duration> processCpuTime() {
    return processCpuNanos < 0
        ? java.util.Optional.empty()
        : java.util.Optional.of(Duration.ofNanos(processCpuNanos));
  }

  /** Process CPU time per successful request, in microseconds; NaN where unknown. */
  public double cpuMicrosPerRequest() {
    return processCpuNanos < 0 || requests() == 0 ? Double.NaN : processCpuNanos / 1e3 / requests();
  }

  private static Histogram merged(List<LoadResult> iterations) {
    if (iterations.isEmpty()) {
      throw new IllegalArgumentException("a benchmark result needs at least one iteration");
    }
    Histogram all = iterations.get(0).latencyHistogram();
    for (int i = 1; i < iterations.size(); i++) {
      all.add(iterations.get(i).latencyHistogram());
    }
    return all;
  }

  /**
   * How far this machine itself stalled while the iterations ran, measured beside them; empty where
   * it was not measured.
   */
  public java.util.Optional<Hiccups> hiccups() {
    return java.util.Optional.ofNullable(hiccups);
  }

  /**
   * This result marked as partial: the iterations it holds are those measured before {@code why}
   * (its server died or stopped answering) cut the benchmark short.
   */
  public BenchmarkResult cutShortBy(String why) {
    java.util.Objects.requireNonNull(why, "why");
    return with(extras.cutShortBy(why));
  }

  /** This result with what the server under test used over its measured iterations. */
  public BenchmarkResult withServerResources(ServerResources resources) {
    java.util.Objects.requireNonNull(resources, "resources");
    return with(extras.serverResources(resources));
  }

  /** This result with what a profiler of the server in another process kept. */
  public BenchmarkResult withServerProfile(ServerProfile profile) {
    java.util.Objects.requireNonNull(profile, "profile");
    return with(extras.serverProfile(profile));
  }

  /** This result with the server it measured, as reports name it. */
  public BenchmarkResult withSystemUnderTest(SystemUnderTest sut) {
    java.util.Objects.requireNonNull(sut, "sut");
    return with(extras.systemUnderTest(sut));
  }

  /**
   * This result with the CPU time of the load generator's own threads over its measured iterations
   * ({@link dev.callosum.perf.peer.ClientCpu}); negative where unknown.
   */
  public BenchmarkResult withLoadGeneratorCpu(long nanos) {
    return with(extras.generatorCpuNanos(nanos));
  }

  /**
   * This result with the iteration its profile was recorded in: one more after the measured ones,
   * with every profiler running, which its numbers do not count.
   */
  public BenchmarkResult withProfiledIteration(LoadResult iteration) {
    java.util.Objects.requireNonNull(iteration, "iteration");
    return with(extras.profiledIteration(iteration));
  }

  /**
   * The iteration its profile was recorded in, after the measured ones and not counted in this
   * result's numbers: what it measured shows what profiling cost. Empty where none ran.
   */
  public java.util.Optional<LoadResult> profiledIteration() {
    return java.util.Optional.ofNullable(extras.profiledIteration());
  }

  /**
   * The server it measured: placement, address, process, identity; empty for a hand-made result.
   */
  public java.util.Optional<SystemUnderTest> systemUnderTest() {
    return java.util.Optional.ofNullable(extras.systemUnderTest());
  }

  private BenchmarkResult with(Extras changed) {
    return new BenchmarkResult(
        name, server, parameters, iterations, processCpuNanos, hiccups, changed);
  }

  /**
   * What the server profiler kept ({@code callosum.perf.server.profiler}, or async-profiler
   * attached to a forked server): files and problems; empty where none ran.
   */
  public java.util.Optional<ServerProfile> serverProfile() {
    return java.util.Optional.ofNullable(extras.serverProfile());
  }

  /**
   * What the server under test used over the measured iterations (CPU, memory, threads), where they
   * could be read; empty for a remote server or a result made without.
   */
  public java.util.Optional<ServerResources> serverResources() {
    return java.util.Optional.ofNullable(extras.serverResources());
  }

  /** The server's CPU per successful request, in microseconds; NaN where unknown. */
  public double serverCpuMicrosPerRequest() {
    ServerResources used = extras.serverResources();
    return used == null ? Double.NaN : used.cpuMicrosPerRequest(requests());
  }

  /**
   * The load generator's CPU per successful request, in microseconds: its own threads' (load
   * threads, the clients' event loops and ZeroMQ I/O), not JUnit, the JIT, the GC or profilers; NaN
   * where unknown.
   */
  public double loadGeneratorCpuMicrosPerRequest() {
    return extras.generatorCpuNanos() < 0 || requests() == 0
        ? Double.NaN
        : extras.generatorCpuNanos() / 1e3 / requests();
  }

  /** Why the measurement was cut short, if it was: then the result is partial. */
  public java.util.Optional<String> cutShort() {
    return java.util.Optional.ofNullable(extras.cutShort());
  }

  /** What it ran with, in the order reports list them. */
  public Map<String, String> parameters() {
    return parameters;
  }

  /** What was measured, such as the test's display name. */
  public String name() {
    return name;
  }

  /** The server it ran against, described. */
  public String server() {
    return server;
  }

  public List<LoadResult> iterations() {
    return iterations;
  }

  public boolean closedLoop() {
    return iterations.get(0).closedLoop();
  }

  public int clients() {
    return iterations.get(0).clients();
  }

  public int payloadBytes() {
    return iterations.get(0).payloadBytes();
  }

  /** The rate an open loop aimed at; NaN for a closed loop. */
  public double targetRate() {
    return iterations.get(0).targetRate();
  }

  /** Sends that left over a millisecond late, over all iterations (open loop). */
  public long lateSends() {
    return iterations.stream().mapToLong(LoadResult::lateSends).sum();
  }

  /** The mean of the iterations' achieved send rates (open loop); NaN for a closed loop. */
  public double sendRate() {
    return iterations.stream().mapToDouble(LoadResult::sendRate).average().orElse(Double.NaN);
  }

  /** Late sends as a share of all sends, over all iterations (open loop). */
  public double lateShare() {
    long sent = iterations.stream().mapToLong(LoadResult::sent).sum();
    return sent == 0 ? 0 : lateSends() / (double) sent;
  }

  /**
   * What kept the open loop from measuring its target rate in any iteration: {@code
   * GENERATOR_LIMITED} before {@code SATURATED}; {@code NONE} when nothing did, and for a closed
   * loop.
   */
  public LoadResult.Limit limit() {
    LoadResult.Limit worst = LoadResult.Limit.NONE;
    for (LoadResult i : iterations) {
      if (i.limit().compareTo(worst) > 0) {
        worst = i.limit();
      }
    }
    return worst;
  }

  /** Successful calls over all measured iterations. */
  public long requests() {
    return iterations.stream().mapToLong(LoadResult::requests).sum();
  }

  public Map<RpcException.Kind, Long> errors() {
    return errors;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Failed calls as a fraction of all calls. */
  public double errorRatio() {
    long all = requests() + errorCount();
    return all == 0 ? 0 : errorCount() / (double) all;
  }

  /** The mean of the iterations' throughputs, in successful calls per second. */
  public double throughput() {
    return throughputStatistics().mean();
  }

  public Statistics throughputStatistics() {
    return Statistics.of(iterations.stream().map(LoadResult::throughput).toList());
  }

  /** Request payload mebibytes per second sent, mean over iterations. */
  public double mebibytesSentPerSecond() {
    return iterations.stream().mapToDouble(LoadResult::mebibytesSentPerSecond).average().orElse(0);
  }

  /** Reply payload mebibytes per second received, mean over iterations. */
  public double mebibytesReceivedPerSecond() {
    return iterations.stream()
        .mapToDouble(LoadResult::mebibytesReceivedPerSecond)
        .average()
        .orElse(0);
  }

  /** The handshake latencies of every client connection of every iteration, merged. */
  public Histogram handshakeHistogram() {
    Histogram merged = iterations.get(0).handshakeHistogram();
    for (int i = 1; i < iterations.size(); i++) {
      merged.add(iterations.get(i).handshakeHistogram());
    }
    return merged;
  }

  @Override
  public String toString() {
    Statistics t = throughputStatistics();
    return String.format(
        Locale.ROOT,
        "%s: %s, %s, %d B, %d iterations: %.0f ± %.0f req/s,"
            + " p50 %.1f us, p99 %.1f us, %d errors",
        name,
        closedLoop()
            ? "closed loop"
            : String.format(Locale.ROOT, "open loop at %.0f/s", targetRate()),
        LoadResult.clients(clients()),
        payloadBytes(),
        iterations.size(),
        t.mean(),
        Double.isFinite(t.ci95()) ? t.ci95() : 0,
        percentile(50).toNanos() / 1e3,
        percentile(99).toNanos() / 1e3,
        errorCount());
  }
}
