package dev.callosum.perf.junit;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.OrderKeys;
import dev.callosum.perf.Payload;
import dev.callosum.perf.Placement;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.SystemUnderTest;
import dev.callosum.perf.fixtures.ManagedServers;
import dev.callosum.perf.load.ClosedLoad;
import dev.callosum.perf.load.ClosedLoop;
import dev.callosum.perf.load.OpenLoad;
import dev.callosum.perf.load.OpenLoop;
import dev.callosum.perf.measurement.CpuSplit;
import dev.callosum.perf.measurement.HiccupMeter;
import dev.callosum.perf.measurement.Hiccups;
import dev.callosum.perf.measurement.IdleJit;
import dev.callosum.perf.measurement.JitActivity;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.ProcessCpu;
import dev.callosum.perf.measurement.Quantities;
import dev.callosum.perf.measurement.ResourceProbe;
import dev.callosum.perf.measurement.ServerResources;
import dev.callosum.perf.measurement.TimeSeries;
import dev.callosum.perf.peer.BatchPolicy;
import dev.callosum.perf.peer.ClientCpu;
import dev.callosum.perf.peer.RpcClient;
import dev.callosum.perf.peer.RpcServer;
import dev.callosum.perf.profile.Profiler;
import dev.callosum.perf.profile.ServerProfiler;
import dev.callosum.perf.report.ConsoleReport;
import dev.callosum.perf.report.Note;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import org.apiguardian.api.API;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * What a benchmark method gets injected: servers that are closed for it, and load runs whose
 * results are recorded for its budgets and reports.
 *
 * <pre>{@code
 * @RpcBenchmark
 * class EchoBenchmarks {
 *   @ParameterizedTest
 *   @ValueSource(strings = {"64B", "1KiB", "64KiB"})
 *   @LatencyBudget(percentile = 99, max = "20ms")
 *   void echo(Payload payload, Bench bench) {
 *     ManagedServer server = bench.server(ServerSpec.echo());
 *     BenchmarkResult result = bench.closedLoop(server).clients(10).payload(payload)
 *         .requests(10_000).run();
 *     assertThat(result).hasNoErrors();
 *   }
 * }
 * }</pre>
 *
 * <p>One {@code Bench} per test invocation; it closes what it started, in reverse order, when the
 * invocation ends, whether it passed, failed or broke a budget. Not thread-safe: use it from the
 * test's thread.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class Bench implements AutoCloseable {
  private final BenchmarkSettings settings;
  private final String name;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final List<BenchmarkResult> results = new ArrayList<>();
  private final Map<BenchmarkResult, ManagedServer> servers = new IdentityHashMap<>();
  private final ConsoleReport console;
  private final Where where;
  private final List<Note> notes = new ArrayList<>();
  private final Function<String, Path> profilePaths; // a fresh .jfr path for a name
  private final Profiling profiling;
  private volatile Stall stall;
  private boolean closed;

  /**
   * A bench whose servers run where {@code where} says and whose runs print their progress to
   * {@code console}, if not null.
   */
  Bench(
      BenchmarkSettings settings,
      String name,
      Where where,
      ConsoleReport console,
      Function<String, Path> profilePaths,
      Profiling profiling) {
    this.settings = settings;
    this.name = name;
    this.where = where;
    this.console = console;
    this.profilePaths = profilePaths;
    this.profiling = profiling;
  }

  /**
   * Where a benchmark's servers run, the annotation and the settings weighed.
   *
   * @param placement in this JVM, forked or an external command
   * @param command the external command, with {port}; null unless external
   * @param ready text the external command prints when ready; empty for none
   */
  record Where(Placement placement, String command, String ready) {
    /** Where the servers are once the settings are weighed: remote with a target. */
    Placement placementUnder(BenchmarkSettings settings) {
      return settings.target() != null ? Placement.REMOTE : placement;
    }
  }

  public BenchmarkSettings settings() {
    return settings;
  }

  /** Where this benchmark's servers run: remote with a target, else the placement. */
  Placement placement() {
    return where.placementUnder(settings);
  }

  /** The benchmark's name, as reports show it. */
  public String name() {
    return name;
  }

  /**
   * A server as the spec says, started where the benchmark's placement says (in this JVM unless
   * {@code @RpcBenchmark(placement)} or {@code callosum.perf.placement} say otherwise) on an
   * ephemeral loopback port, or, with {@code callosum.perf.target} set, the server at that address.
   * Closed when the test ends.
   */
  public ManagedServer server(ServerSpec spec) {
    checkOpen();
    ManagedServer server;
    if (settings.target() != null && spec.curve()) {
      throw new TestAbortedException(
          "skipped: "
              + name
              + " needs CURVE, and the keys of the"
              + " server at callosum.perf.target="
              + settings.target()
              + " are not known here");
    }
    if (settings.target() == null
        && !spec.portable()
        && where.placement() != Placement.IN_JVM
        && settings.placement() != null) {
      // The run's setting moved every benchmark; this one's server exists only in this JVM.
      throw new TestAbortedException(
          "skipped: "
              + name
              + " needs a server with a custom handler ("
              + spec.handlerName()
              + "), which runs only in this JVM, and callosum.perf.placement is "
              + where.placement().label());
    }
    if (settings.target() != null) {
      server = ManagedServers.remote(settings.target(), spec);
    } else {
      server =
          switch (where.placement()) {
            case FORKED -> ManagedServers.forked(spec);
            case EXTERNAL -> ManagedServers.external(where.command(), where.ready(), spec);
            case PYTHON -> ManagedServers.python(settings.python(), spec);
            default -> ManagedServers.inJvm(spec);
          };
    }
    resources.push(server);
    return server;
  }

  /**
   * A thread-safe client connected to the server (handshake done), closed when the test ends: for
   * benchmarks that drive calls themselves.
   *
   * @throws dev.callosum.perf.peer.HandshakeException if it cannot connect, saying why
   */
  public RpcClient client(ManagedServer server) {
    checkOpen();
    RpcClient client = RpcClient.connect(server.clientConfig().build());
    resources.push(client);
    return client;
  }

  /** {@code count} connected clients, closed when the test ends. */
  public List<RpcClient> clients(ManagedServer server, int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("client count must be positive, was " + count);
    }
    List<RpcClient> pool = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      pool.add(client(server));
    }
    return List.copyOf(pool);
  }

  /** A closed-loop run against a server; configure it, then {@link ClosedLoopRun#run()}. */
  public ClosedLoopRun closedLoop(ManagedServer server) {
    checkOpen();
    return new ClosedLoopRun(Objects.requireNonNull(server, "server"));
  }

  /**
   * An open-loop run against a server: requests on a fixed schedule, latency from the intended send
   * time; configure it, then {@link OpenLoopRun#run()}.
   */
  public OpenLoopRun openLoop(ManagedServer server) {
    checkOpen();
    return new OpenLoopRun(Objects.requireNonNull(server, "server"));
  }

  /**
   * Runs the warm-up iterations, then the measured ones, checking after each that the server is
   * still there, and records the result.
   */
  private BenchmarkResult iterate(
      ManagedServer server,
      Map<String, String> parameters,
      long requests,
      Duration duration,
      LongUnaryOperator waiting,
      Function<Consumer<TimeSeries.Point>, LoadResult> run) {
    try (CpuSplit cpus = cpuSplit(server)) {
      Map<String, String> conditions = new LinkedHashMap<>(parameters);
      conditions.put("cpus", cpus.label());
      return iterate(server, conditions, cpus, requests, duration, waiting, run);
    }
  }

  /**
   * How this benchmark's CPUs are shared ({@code callosum.perf.cpus}): the server under test on
   * CPUs of its own when it is a process or threads of this run, else shared, saying why.
   */
  private CpuSplit cpuSplit(ManagedServer server) {
    CpuSplit.Mode mode = settings.cpus();
    if (server.placement() == Placement.REMOTE) {
      return CpuSplit.shared("the server is not a process of this run");
    }
    if (server.pid().isPresent()) {
      return CpuSplit.ofProcess(mode, server.pid().getAsLong());
    }
    return CpuSplit.ofThreadsNamed(mode, RpcServer.THREAD_PREFIX);
  }

  private BenchmarkResult iterate(
      ManagedServer server,
      Map<String, String> parameters,
      CpuSplit cpus,
      long requests,
      Duration duration,
      LongUnaryOperator waiting,
      Function<Consumer<TimeSeries.Point>, LoadResult> run) {
    ResourceProbe probe = server.resources().orElse(null);
    Measured measured = new Measured(probe, server.placement() == Placement.IN_JVM, cpus);
    Duration expected = duration != null ? duration : Duration.ofSeconds(60);
    for (int i = 0; i < settings.warmups(); i++) {
      String phase = "warm-up " + (i + 1) + "/" + settings.warmups();
      LoadResult warmup = run.apply(progress(phase, requests, duration, waiting));
      checkAlive(server, parameters, measured, phase, warmup);
      expected = duration != null ? duration : warmup.elapsed();
    }
    long jitBefore = JitActivity.millis();
    long measuringSince = System.nanoTime();
    Conditions conditions = measuring(server);
    try {
      for (int i = 0; i < settings.iterations(); i++) {
        String phase = "iteration " + (i + 1) + "/" + settings.iterations();
        long before = ProcessCpu.nanos();
        long generatorBefore = ClientCpu.nanos();
        ResourceProbe.Sample serverBefore = probe == null ? null : probe.sample();
        measured.startIntervals(serverBefore);
        int k = i + 1;
        Consumer<TimeSeries.Point> intervals = p -> measured.sampleInterval(k, p.endSeconds());
        HiccupMeter meter = HiccupMeter.start();
        LoadResult iteration;
        Hiccups hiccups;
        try {
          iteration = run.apply(progress(phase, requests, duration, waiting).andThen(intervals));
        } finally {
          hiccups = meter.stop();
        }
        ResourceProbe.Sample serverAfter = probe == null ? null : probe.sample();
        checkAlive(server, parameters, measured, phase, iteration);
        measured.add(iteration, before, hiccups);
        measured.addGenerator(generatorBefore, ClientCpu.nanos());
        measured.addServer(serverBefore, serverAfter);
      }
    } finally {
      conditions.close();
    }
    if (jitBefore >= 0) {
      JitActivity.note(
              JitActivity.millis() - jitBefore,
              Duration.ofNanos(System.nanoTime() - measuringSince),
              settings.warmups(),
              measured.inThisJvm)
          .ifPresent(text -> note("JIT still compiling", text));
    }
    BenchmarkResult result = result(server, parameters, measured, null);
    if (profiling.wants(result)) {
      result =
          profiledIteration(
              server, parameters, measured, result, expected, requests, duration, waiting, run);
    }
    return keep(result, server);
  }

  /**
   * One more iteration after the measured ones, with every profiler running: this JVM's
   * (async-profiler, JFR) and, for a server in its own process, the server's profiler. Its numbers
   * stand beside the result's and are never counted in them, so that what profiling costs shows and
   * bends nothing.
   */
  private BenchmarkResult profiledIteration(
      ManagedServer server,
      Map<String, String> parameters,
      Measured measured,
      BenchmarkResult result,
      Duration expected,
      long requests,
      Duration duration,
      LongUnaryOperator waiting,
      Function<Consumer<TimeSeries.Point>, LoadResult> run) {
    String phase = "profiled iteration";
    Profiler profiler = profiling.profiler();
    ServerProfiler serverProfiler = serverProfiler(server);
    LoadResult iteration = null;
    Conditions conditions = measuring(server);
    try {
      try {
        profiler.resume();
      } catch (IllegalStateException e) {
        note(
            "No profile",
            "the profiled iteration ran without this JVM's profile: " + e.getMessage());
        profiler = null;
      }
      if (serverProfiler != null) {
        serverProfiler.beforeIteration(expected);
      }
      try {
        iteration = run.apply(progress(phase, requests, duration, waiting));
      } finally {
        if (serverProfiler != null) {
          serverProfiler.afterIteration();
        }
        if (profiler != null) {
          profiler.pause(iteration == null ? 0 : iteration.requests());
        }
      }
    } finally {
      conditions.close();
    }
    checkAlive(server, parameters, measured, phase, iteration);
    String label = parameters.get("run");
    note(
        "Profiled iteration",
        String.format(
            Locale.ROOT,
            "%sThe profile comes from one more iteration after the %d measured, not counted in"
                + " the numbers: %,.0f req/s (%.0f %% of the measured %,.0f), p50 %s, p99 %s"
                + " (measured: %s, %s)%s. The difference is what the profilers cost.",
            label != null
                ? "Run " + label + ": "
                : results.isEmpty() ? "" : "Run " + (results.size() + 1) + ": ",
            measured.iterations.size(),
            iteration.throughput(),
            100 * iteration.throughput() / result.throughput(),
            result.throughput(),
            Quantities.compact(iteration.percentile(50).toNanos()),
            Quantities.compact(iteration.percentile(99).toNanos()),
            Quantities.compact(result.percentile(50).toNanos()),
            Quantities.compact(result.percentile(99).toNanos()),
            iteration.errorCount() == 0
                ? ""
                : String.format(Locale.ROOT, ", %,d errors", iteration.errorCount())));
    BenchmarkResult profiled = result.withProfiledIteration(iteration);
    return serverProfiler == null ? profiled : profiled.withServerProfile(serverProfiler.result());
  }

  /**
   * The conditions every measured (and profiled) iteration runs under, after a warm-up: ZeroMQ's
   * I/O threads as batch ({@link BatchPolicy} says why) and the JIT's compiler threads idle ({@link
   * IdleJit}); closing gives them back and notes what could not be had.
   */
  private Conditions measuring(ManagedServer server) {
    boolean batch = settings.batchIoThreads() && settings.warmups() > 0;
    boolean idleJit = settings.idleJit() && settings.warmups() > 0;
    BatchPolicy.Scope io = batch ? BatchPolicy.measuring(server.ioThreads()) : BatchPolicy.none();
    IdleJit.Scope jit =
        idleJit
            ? IdleJit.measuring(
                server.placement() == Placement.FORKED ? server.pid() : OptionalLong.empty())
            : IdleJit.none();
    return new Conditions(io, jit, batch, idleJit);
  }

  /** The scopes {@link #measuring} opened. */
  private final class Conditions implements AutoCloseable {
    private final BatchPolicy.Scope io;
    private final IdleJit.Scope jit;
    private final boolean batch;
    private final boolean idleJit;

    Conditions(BatchPolicy.Scope io, IdleJit.Scope jit, boolean batch, boolean idleJit) {
      this.io = io;
      this.jit = jit;
      this.batch = batch;
      this.idleJit = idleJit;
    }

    @Override
    public void close() {
      jit.close();
      io.close();
      if (idleJit) {
        IdleJit.failure()
            .ifPresent(
                why ->
                    noteOnce(
                        "JIT threads not idle",
                        "callosum.perf.idleJit asked for SCHED_IDLE compiler threads while"
                            + " measuring, and they could not be: "
                            + why
                            + ". A thread woken where the JIT compiles may wait for a scheduler"
                            + " tick."));
      }
      if (batch) {
        BatchPolicy.failure()
            .ifPresent(
                why ->
                    noteOnce(
                        "ZeroMQ I/O threads not batch",
                        "callosum.perf.batchIoThreads asked for SCHED_BATCH I/O threads while"
                            + " measuring, and they could not be: "
                            + why
                            + ". A delayed reply may gain a tail of up to a scheduler tick."));
      }
    }
  }

  /** Notes a finding unless the same one is noted already (a run's scopes open twice). */
  private void noteOnce(String title, String text) {
    Note note = new Note(title, text);
    if (!notes.contains(note)) {
      notes.add(note);
    }
  }

  /**
   * What profiles the server in its own process beside a profiled iteration: the setting's command,
   * or async-profiler attached to a forked JVM; null when nothing does.
   */
  private ServerProfiler serverProfiler(ManagedServer server) {
    String command = settings.reports().serverProfiler();
    if (command == null) {
      if (server.placement() != Placement.FORKED) {
        return null;
      }
      command = ServerProfiler.ASYNC_PROFILER;
    }
    if (server.pid().isEmpty()) {
      noteOnce(
          "Server profiler not run",
          BenchmarkSettings.PREFIX
              + "server.profiler needs the server's process, and "
              + (server.placement() == Placement.IN_JVM
                  ? "this server runs in this JVM: its threads are in the benchmark's own CPU"
                      + " profile (the server-under-test part)"
                  : "this one is not a process this run started (" + server.endpoint() + ")"));
      return null;
    }
    Path jfr = profilePaths.apply(name + "-server");
    Path out = jfr.resolveSibling(jfr.getFileName().toString().replaceFirst("\\.jfr$", ""));
    return ServerProfiler.of(
        command, server.pid().getAsLong(), out, settings.reports().serverProfilerRequired());
  }

  /** The measured iterations so far, this process's CPU over them and the machine's hiccups. */
  private static final class Measured {
    final List<LoadResult> iterations = new ArrayList<>();
    final List<Hiccups> hiccups = new ArrayList<>();
    long cpuNanos; // -1 where unknown
    long generatorCpuNanos; // the load generator's own threads; -1 where unknown
    final ResourceProbe probe; // null: the server's figures cannot be read
    final boolean inThisJvm;
    long serverCpuNanos;
    final List<Long> serverRss = new ArrayList<>();
    long serverPeakRss = -1;
    int serverThreads = -1;

    final CpuSplit cpus;
    final List<ServerResources.Interval> intervals = new ArrayList<>();
    private ResourceProbe.Sample lastSample;
    private long lastNanos; // when lastSample was read: points may reach us late, or in a burst

    /** Samples the server at the end of an interval of measured iteration {@code iteration}. */
    void sampleInterval(int iteration, double endSeconds) {
      if (probe == null) {
        return;
      }
      ResourceProbe.Sample now = probe.sample();
      long nanos = System.nanoTime();
      double cores = Double.NaN;
      // CPU over the wall time between the two reads, not between the points' stamps.
      if (lastSample != null
          && now.cpuNanos() >= 0
          && lastSample.cpuNanos() >= 0
          && nanos - lastNanos >= 100_000_000L) {
        cores = (now.cpuNanos() - lastSample.cpuNanos()) / (double) (nanos - lastNanos);
      }
      intervals.add(new ServerResources.Interval(iteration, endSeconds, cores, now.rssBytes()));
      if (!Double.isNaN(cores) || lastSample == null) {
        lastSample = now;
        lastNanos = nanos;
      }
    }

    /** Starts an iteration's intervals from the sample taken before it. */
    void startIntervals(ResourceProbe.Sample before) {
      lastSample = before;
      lastNanos = System.nanoTime();
    }

    Measured(ResourceProbe probe, boolean inThisJvm, CpuSplit cpus) {
      this.probe = probe;
      this.inThisJvm = inThisJvm;
      this.cpus = cpus;
    }

    /** The server as reports name it, with the CPUs it had to itself, if any. */
    SystemUnderTest systemUnderTest(ManagedServer server) {
      SystemUnderTest sut = SystemUnderTest.of(server);
      return cpus.isSplit() ? sut.onCpus(cpus.serverCpus(), cpus.loadCpus()) : sut;
    }

    void addServer(ResourceProbe.Sample before, ResourceProbe.Sample after) {
      if (probe == null) {
        return;
      }
      serverCpuNanos =
          before.cpuNanos() < 0 || after.cpuNanos() < 0 || serverCpuNanos < 0
              ? -1
              : serverCpuNanos + after.cpuNanos() - before.cpuNanos();
      serverRss.add(after.rssBytes());
      serverPeakRss = Math.max(serverPeakRss, after.peakRssBytes());
      serverThreads = after.threads();
    }

    /** What the server used, or null where it cannot be read. */
    ServerResources server() {
      return probe == null || serverRss.isEmpty()
          ? null
          : new ServerResources(
              probe.source(),
              serverCpuNanos,
              serverRss,
              serverPeakRss,
              serverThreads,
              inThisJvm,
              intervals);
    }

    void addGenerator(long before, long after) {
      generatorCpuNanos =
          before < 0 || after < 0 || generatorCpuNanos < 0
              ? -1
              : generatorCpuNanos + Math.max(0, after - before);
    }

    void add(LoadResult iteration, long cpuBefore, Hiccups machine) {
      iterations.add(iteration);
      hiccups.add(machine);
      long after = ProcessCpu.nanos();
      cpuNanos = cpuBefore < 0 || after < 0 || cpuNanos < 0 ? -1 : cpuNanos + after - cpuBefore;
    }
  }

  /** What the phase's intervals go to: the stall watch, then the console. A new watch per phase. */
  private Consumer<TimeSeries.Point> progress(
      String phase, long requests, Duration duration, LongUnaryOperator waiting) {
    Stall watch = new Stall(settings.stallLimit(), waiting);
    stall = watch;
    Consumer<TimeSeries.Point> console =
        this.console == null
            ? point -> {}
            : this.console.phase(name, phase, requests, duration, waiting);
    return watch.andThen(console);
  }

  /** Why the running load should stop now: its server died, or it stopped answering. */
  private Optional<String> stopReason(ManagedServer server) {
    Optional<String> died = server.failure();
    if (died.isPresent()) {
      return died;
    }
    Stall watch = stall;
    return watch == null || !watch.stalled()
        ? Optional.empty()
        : Optional.of(
            String.format(
                Locale.ROOT,
                "%s is alive but answered nothing for %.1f s while %s waited, the stall"
                    + " limit (callosum.perf.stallLimit=%s; raise it for handlers that take longer)",
                server.describe(),
                watch.quietSeconds(),
                watch.waiting(),
                Quantities.compact(settings.stallLimit().toNanos())));
  }

  /**
   * Watches a phase's intervals for a stall: none of them completing a call, for the limit or
   * longer. Fed by the load's sampling thread, read by its clients.
   */
  private static final class Stall implements Consumer<TimeSeries.Point> {
    private final long limitNanos;
    private final LongUnaryOperator waiting;
    private long quietNanos;
    private volatile double quietSeconds;
    private volatile boolean stalled;

    Stall(Duration limit, LongUnaryOperator waiting) {
      this.limitNanos = limit.toNanos();
      this.waiting = waiting;
    }

    /** How many calls are waiting, by the load's shape and how long nothing completed. */
    String waiting() {
      long n = waiting.applyAsLong(Math.round(quietSeconds * 1e9));
      return String.format(Locale.ROOT, "%,d %s", n, n == 1 ? "call" : "calls");
    }

    @Override
    public void accept(TimeSeries.Point point) {
      quietNanos = point.calls() > 0 ? 0 : quietNanos + Math.round(point.seconds() * 1e9);
      quietSeconds = quietNanos / 1e9;
      if (quietNanos >= limitNanos) {
        stalled = true;
      }
    }

    boolean stalled() {
      return stalled;
    }

    double quietSeconds() {
      return quietSeconds;
    }
  }

  /**
   * Fails the benchmark if its server died during {@code phase}, saying so with what the phase had
   * done, and keeping the iterations measured before it.
   */
  private void checkAlive(
      ManagedServer server,
      Map<String, String> parameters,
      Measured measured,
      String phase,
      LoadResult during) {
    Optional<String> failure = stopReason(server);
    if (failure.isEmpty()) {
      return;
    }
    if (!measured.iterations.isEmpty()) {
      keep(result(server, parameters, measured, failure.get()), server);
    }
    throw new AssertionFailedError(
        String.format(
            Locale.ROOT,
            "%s, during %s of %s, after %,d calls of that run; %s",
            failure.get(),
            phase,
            name,
            during.requests() + during.errorCount(),
            measured.iterations.isEmpty()
                ? "no iteration was measured before it"
                : "the "
                    + measured.iterations.size()
                    + " iteration(s) measured before it are kept"));
  }

  /** What was measured; partial when {@code cutShortBy} says why it stopped early. */
  private BenchmarkResult result(
      ManagedServer server, Map<String, String> parameters, Measured measured, String cutShortBy) {
    BenchmarkResult full =
        new BenchmarkResult(
            name,
            server.describe(),
            parameters,
            measured.iterations,
            measured.cpuNanos,
            Hiccups.merge(measured.hiccups));
    ServerResources used = measured.server();
    if (used != null) {
      full = full.withServerResources(used);
    }
    full =
        full.withSystemUnderTest(measured.systemUnderTest(server))
            .withLoadGeneratorCpu(measured.generatorCpuNanos);
    return cutShortBy == null ? full : full.cutShortBy(cutShortBy);
  }

  /** Records a result as this benchmark's. */
  private BenchmarkResult keep(BenchmarkResult result, ManagedServer server) {
    results.add(result);
    servers.put(result, server);
    return result;
  }

  /** What a run was made with, for reports: the load's shape, then the server's. */
  /** The load's description with the method it calls and, if given, the run's label. */
  private static Map<String, String> runParameters(
      Map<String, String> load, String method, String label) {
    Map<String, String> with = new LinkedHashMap<>(load);
    with.put("method", method);
    if (label != null) {
      with.put("run", label);
    }
    return with;
  }

  private static Map<String, String> parameters(
      ManagedServer server, Payload payload, int clients, Map<String, String> load) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("payload", payload.toString());
    parameters.put("clients", Integer.toString(clients));
    parameters.putAll(load);
    ServerSpec spec = server.spec();
    boolean theirs = server.placement() == Placement.REMOTE;
    String method = load.getOrDefault("method", spec.method());
    parameters.remove("method");
    parameters.put(
        "handler",
        !method.equals(spec.method())
            ? "method " + method
            : theirs ? "the target's" : spec.handlerName());
    parameters.put("scheduler", theirs ? "the target's" : spec.scheduler().displayName());
    parameters.put("compression", spec.compress() ? "snappy" : "off");
    parameters.put("auth", spec.curve() ? "CURVE" : "none");
    parameters.put("placement", server.placement().label());
    return parameters;
  }

  /**
   * Notes a finding beside the numbers, such as a {@link dev.callosum.perf.TailAnalysis}: it shows
   * in the console, as an Allure attachment and in the JSON results.
   */
  public void note(String title, String text) {
    checkOpen();
    notes.add(new Note(title, text));
  }

  /** What the benchmark noted so far. */
  public List<Note> notes() {
    return List.copyOf(notes);
  }

  /** The server a result was measured against. */
  ManagedServer serverOf(BenchmarkResult result) {
    return servers.get(result);
  }

  /** The results this benchmark measured so far. */
  public List<BenchmarkResult> results() {
    return List.copyOf(results);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this Bench belongs to a test that has ended");
    }
  }

  /** Closes every server it started, newest first; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing the fixtures of " + name + " failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * A closed loop: N clients, each sending its next request when its reply arrives. Its result says
   * it is closed-loop: latencies are service times, not what a fixed arrival rate would see. Unless
   * set: 1 client, 1 KiB of random bytes, 10,000 requests per iteration (quick mode: a tenth), no
   * order key, one request in flight per client, 1 s time-series intervals, a 30 s call timeout.
   */
  public final class ClosedLoopRun {
    private final ManagedServer server;
    private ClosedLoad load;
    private Duration timeout = Duration.ofSeconds(30);
    private String label;

    private ClosedLoopRun(ManagedServer server) {
      this.server = server;
      this.load = ClosedLoad.DEFAULT.method(server.method());
    }

    /** How long a call waits for its reply before it counts as a timeout; 30 s unless set. */
    public ClosedLoopRun timeout(Duration limit) {
      this.timeout = Objects.requireNonNull(limit, "timeout");
      return this;
    }

    /** Connections, each on its own thread. */
    public ClosedLoopRun clients(int count) {
      load = load.clients(count);
      return this;
    }

    /** The request body's size. */
    public ClosedLoopRun payload(Payload size) {
      load = load.payload(size);
      return this;
    }

    /** Requests per iteration over all clients; quick mode runs a tenth. */
    public ClosedLoopRun requests(long count) {
      load = load.requests(count);
      return this;
    }

    /** Measures each iteration for this long instead of a number of requests (quick: a tenth). */
    public ClosedLoopRun duration(Duration length) {
      load = load.duration(length);
      return this;
    }

    /** What the payload's bytes are: random (the default, incompressible) or compressible. */
    public ClosedLoopRun content(Payload.Content kind) {
      load = load.content(kind);
      return this;
    }

    /** The time series' interval: 1 s unless set; at least 10 ms. */
    public ClosedLoopRun sampleEvery(Duration interval) {
      load = load.sampleEvery(interval);
      return this;
    }

    /**
     * The method called: {@code echo} (which the spec's handler serves) unless set; name another to
     * benchmark a handler of your own server's (placement external or a remote target).
     */
    public ClosedLoopRun method(String name) {
      load = load.method(name);
      return this;
    }

    /**
     * What this run measures, for a benchmark that runs several loads: reports name its row with it
     * ({@code direct}, {@code through the extension, round 2}).
     */
    public ClosedLoopRun label(String text) {
      label = Objects.requireNonNull(text, "label");
      return this;
    }

    /** Requests each client keeps in flight (1 to 4096); 1, the classic closed loop, unless set. */
    public ClosedLoopRun inFlight(int perClient) {
      load = load.inFlight(perClient);
      return this;
    }

    /** How requests are keyed: no key (the default), one shared key, or one key per client. */
    public ClosedLoopRun orderKeys(OrderKeys orderKeys) {
      load = load.orderKeys(orderKeys);
      return this;
    }

    /** Spreads the clients over this many str order keys, client i using key i mod count. */
    public ClosedLoopRun spreadOverKeys(int count) {
      load = load.spreadOverKeys(count);
      return this;
    }

    /** Runs the warm-up iterations, then the measured ones, and records the result. */
    public BenchmarkResult run() {
      checkOpen();
      ClosedLoad ran = settings.applyTo(load).rawSamples(settings.reports().rawSamples());
      ClosedLoop loop =
          ClosedLoop.against(server.clientConfig().invokeTimeout(timeout).build(), ran)
              .stopWhen(() -> stopReason(server));
      return iterate(
          server,
          parameters(
              server,
              ran.payload(),
              ran.clients(),
              runParameters(ran.describe(), ran.method(), label)),
          ran.duration() == null ? ran.requests() : 0,
          ran.duration(),
          quietNanos -> (long) ran.clients() * ran.inFlight(),
          listener -> loop.onInterval(listener).run());
    }
  }

  /**
   * An open loop: a target rate for a duration, whatever the replies do; each latency counts from
   * the request's intended send time, so a stalling server shows in the percentiles. Unless set:
   * 1,000 req/s for 10 s per iteration (quick mode: a tenth, at least 1 s) from 1 client, 1 KiB of
   * random bytes, 1 s time-series intervals.
   */
  public final class OpenLoopRun {
    private final ManagedServer server;
    private OpenLoad load;
    private String label;

    private OpenLoopRun(ManagedServer server) {
      this.server = server;
      this.load = OpenLoad.DEFAULT.method(server.method());
    }

    /** Requests per second over all clients. */
    public OpenLoopRun rate(double perSecond) {
      load = load.rate(perSecond);
      return this;
    }

    /** How long each iteration sends; quick mode sends a tenth as long (at least 1 s). */
    public OpenLoopRun duration(Duration length) {
      load = load.duration(length);
      return this;
    }

    /** Connections the schedule is spread over, each on its own thread. */
    public OpenLoopRun clients(int count) {
      load = load.clients(count);
      return this;
    }

    /** The request body's size. */
    public OpenLoopRun payload(Payload size) {
      load = load.payload(size);
      return this;
    }

    /** What the payload's bytes are: random (the default, incompressible) or compressible. */
    public OpenLoopRun content(Payload.Content kind) {
      load = load.content(kind);
      return this;
    }

    /** The time series' interval: 1 s unless set; at least 10 ms. */
    public OpenLoopRun sampleEvery(Duration interval) {
      load = load.sampleEvery(interval);
      return this;
    }

    /**
     * The method called: {@code echo} (which the spec's handler serves) unless set; name another to
     * benchmark a handler of your own server's (placement external or a remote target).
     */
    public OpenLoopRun method(String name) {
      load = load.method(name);
      return this;
    }

    /**
     * What this run measures, for a benchmark that runs several loads: reports name its row with it
     * ({@code direct}, {@code through the extension, round 2}).
     */
    public OpenLoopRun label(String text) {
      label = Objects.requireNonNull(text, "label");
      return this;
    }

    /** Runs the warm-up iterations, then the measured ones, and records the result. */
    public BenchmarkResult run() {
      checkOpen();
      OpenLoad ran = settings.applyTo(load).rawSamples(settings.reports().rawSamples());
      OpenLoop loop =
          OpenLoop.against(server.clientConfig().build(), ran).stopWhen(server::failure);
      return iterate(
          server,
          parameters(
              server,
              ran.payload(),
              ran.clients(),
              runParameters(ran.describe(), ran.method(), label)),
          0,
          ran.duration(),
          quietNanos -> Math.round(ran.rate() * quietNanos / 1e9),
          listener -> loop.onInterval(listener).run());
    }
  }
}
