package dev.callosum.perf.load;

import dev.callosum.perf.Payload;
import dev.callosum.perf.measurement.CpuSplit;
import dev.callosum.perf.measurement.Environment;
import dev.callosum.perf.measurement.IdleJit;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.peer.BatchPolicy;
import dev.callosum.perf.peer.ClientConfig;
import dev.callosum.perf.peer.ClientCpu;
import dev.callosum.perf.peer.RawZeroMq;
import dev.callosum.perf.peer.RpcServer;
import dev.callosum.perf.peer.ServerConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apiguardian.api.API;

/**
 * What the Callosum peer costs on top of ZeroMQ: bare jeromq DEALER/ROUTER echo against Callosum
 * echo (Java client, Java server), with the same closed loop, over several rounds in one process
 * after a warm-up of both in each case's shape, and the load generator's CPU per call (its own
 * threads': load threads and the clients' ZeroMQ I/O, the client side of the Callosum peer as
 * benchmarks drive it).
 *
 * <p>A paired comparison. Each round starts both servers and interleaves {@link #SLICES} slices of
 * each variant (raw one frame, raw three frames, Callosum), each slice's in the opposite order to
 * the slice before, so that neither always runs first, after the other's garbage, or last when the
 * machine slows down; a variant's slices add up to its run of the round. The ratio is the median of
 * the rounds' own ratios. These machines change speed in spells of seconds (±20 % for the same
 * run): interleaving exposes both sides of a ratio to the same spells, and the median of paired
 * ratios keeps one bad round from deciding; the median throughputs of two lists of rounds, divided,
 * would pair a slow raw round with a fast Callosum one.
 *
 * <p>Two raw baselines: one frame of the payload, and the three frames a Callosum request of it
 * puts on the wire (type, header, body, byte for byte). The protocol needs those three frames
 * whoever implements it, so the ratio that says what this implementation costs is against the
 * second; the first says what the protocol's framing costs on top.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class EchoComparison {
  private EchoComparison() {}

  /** One case: payload, clients and how many requests each variant makes in one round. */
  public record Case(Payload payload, int clients, int requests) {
    /** The closed load both sides of the case run: a tenth as many warm-up requests first. */
    ClosedLoad load() {
      return ClosedLoad.DEFAULT
          .clients(clients)
          .payload(payload)
          .requests(requests)
          .warmup(requests / 10);
    }

    @Override
    public String toString() {
      return payload + " x " + clients + (clients == 1 ? " client" : " clients");
    }
  }

  /**
   * One case over its rounds: the median runs, every round's ratios, and the Callosum client's CPU.
   *
   * @param raw the median raw jeromq run of one frame (by throughput)
   * @param rawFrames the median raw jeromq run of Callosum's three frames
   * @param callosum the median Callosum run
   * @param ratios each round's Callosum throughput over its raw three-frame one, in round order
   * @param oneFrameRatios each round's Callosum throughput over its raw one-frame one, in round
   *     order
   * @param generatorCpuMicros the median over rounds of the load generator's own threads' CPU per
   *     call in the Callosum runs (warm-up calls included), NaN where it cannot be read
   * @param rawGeneratorCpuMicros the same in the raw three-frame runs: beside the Callosum one,
   *     what the Callosum client costs over a bare one, which decides a case whose load generator
   *     has no CPU to spare
   */
  public record Row(
      Case scenario,
      LoadResult raw,
      LoadResult rawFrames,
      LoadResult callosum,
      List<Double> ratios,
      List<Double> oneFrameRatios,
      double generatorCpuMicros,
      double rawGeneratorCpuMicros) {
    public Row {
      ratios = List.copyOf(ratios);
      oneFrameRatios = List.copyOf(oneFrameRatios);
    }

    /**
     * Callosum's throughput as a fraction of raw jeromq's with the same frames: the median of the
     * rounds' ratios (the mean of the middle two for an even count).
     */
    public double ratio() {
      return medianOf(ratios);
    }

    /** The same against raw jeromq with one frame. */
    public double oneFrameRatio() {
      return medianOf(oneFrameRatios);
    }

    public double minRatio() {
      return ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    public double maxRatio() {
      return ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
  }

  /**
   * How a comparison runs, the same for raw jeromq and Callosum.
   *
   * @param cpus split: each server on CPUs of its own, the clients on the others
   * @param batchIoThreads every ZeroMQ I/O thread {@code SCHED_BATCH} after the warm-up (see {@link
   *     BatchPolicy})
   * @param idleJit this JVM's compiler threads {@code SCHED_IDLE} after the warm-up (see {@link
   *     IdleJit}), so that a late compilation takes idle time rather than a round's
   */
  public record Conditions(CpuSplit.Mode cpus, boolean batchIoThreads, boolean idleJit) {}

  /**
   * A run with the load generator's CPU over it (negative where it cannot be read) and the calls it
   * made, warm-up included.
   */
  private record Measured(LoadResult result, long generatorCpuNanos, long calls) {
    /** Successive runs of one load as one. */
    static Measured ofSuccessive(List<Measured> runs) {
      boolean cpuKnown = runs.stream().allMatch(run -> run.generatorCpuNanos >= 0);
      return new Measured(
          LoadResult.ofSuccessive(runs.stream().map(Measured::result).toList()),
          cpuKnown ? runs.stream().mapToLong(Measured::generatorCpuNanos).sum() : -1,
          runs.stream().mapToLong(Measured::calls).sum());
    }

    /** The load generator's CPU per call, NaN where it cannot be read. */
    double generatorCpuMicros() {
      return generatorCpuNanos < 0 ? Double.NaN : generatorCpuNanos / 1e3 / calls;
    }
  }

  /** How many slices of each variant one round interleaves. */
  static final int SLICES = 4;

  /** What one round runs: raw jeromq with one frame or with Callosum's three, or Callosum. */
  enum Variant {
    RAW_ONE_FRAME,
    RAW_THREE_FRAMES,
    CALLOSUM
  }

  /**
   * The order of a slice's runs: raw first in even slices, Callosum first in odd ones, the raw run
   * of Callosum's frames always beside Callosum's.
   */
  static List<Variant> order(int slice) {
    List<Variant> order =
        List.of(Variant.RAW_ONE_FRAME, Variant.RAW_THREE_FRAMES, Variant.CALLOSUM);
    if (slice % 2 == 0) {
      return order;
    }
    List<Variant> reversed = new ArrayList<>(order);
    Collections.reverse(reversed);
    return List.copyOf(reversed);
  }

  /**
   * The standard cases' requests per round and variant of a 1 KiB case: enough that a round of one
   * client spans seconds, not a noisy fraction of one (measured: 20,000 per round gave rounds from
   * 84 to 109 %, 50,000 from 95 to 100.3 %, 1 KiB × 1, 2 cores).
   */
  public static final int STANDARD_REQUESTS = 50_000;

  /** The cases of the issue that asked for this: 1 KiB with 1 and 10 clients, 64 KiB, 1 MiB. */
  public static List<Case> standardCases(int requests) {
    return List.of(
        new Case(Payload.parse("1KiB"), 1, requests),
        new Case(Payload.parse("1KiB"), 10, requests),
        new Case(Payload.parse("64KiB"), 1, Math.max(100, requests / 4)),
        // Enough that a few slow calls (a GC, a page fault) do not decide the case.
        new Case(Payload.parse("1MiB"), 1, Math.max(50, requests / 10)));
  }

  /**
   * The most calls a case's warm-up makes per variant: past HotSpot's 15,000 for compiling a method
   * with C2, so that rounds measure compiled code on both sides. With 2,000 calls of one 4 KiB case
   * for all, the Callosum side's larger code was still being compiled in the first rounds: the
   * first case measured was 91.4–96.4 % in three runs and the same case after a warm-up of 100,000
   * calls 96.8–97.9 % (1 KiB × 10, 2 cores).
   */
  static final int WARM_UP_CALLS = 20_000;

  /**
   * What warms up before the rounds: each case's own payload and clients, so that every code path
   * the rounds take (a large frame's in-place reply, ten clients' contention) is compiled, with
   * {@link #WARM_UP_CALLS} calls or the case's own, whichever is fewer.
   */
  static List<Case> warmUps(List<Case> cases) {
    return cases.stream()
        .map(c -> new Case(c.payload(), c.clients(), Math.min(WARM_UP_CALLS, c.requests())))
        .toList();
  }

  /**
   * Runs every case for {@code rounds} rounds of interleaved slices after a warm-up of each (with
   * the JIT at full speed), under the given conditions; reports each row as it is done.
   */
  public static List<Row> run(
      List<Case> cases, int rounds, Conditions conditions, Consumer<Row> progress) {
    CpuSplit.Mode cpus = conditions.cpus();
    warmUps(cases).forEach(c -> warmUp(c, cpus));
    BatchPolicy.Scope io =
        conditions.batchIoThreads() ? BatchPolicy.measuring() : BatchPolicy.none();
    IdleJit.Scope jit =
        conditions.idleJit() ? IdleJit.measuring(OptionalLong.empty()) : IdleJit.none();
    try {
      return rounds(cases, rounds, cpus, progress);
    } finally {
      jit.close();
      io.close();
    }
  }

  private static List<Row> rounds(
      List<Case> cases, int rounds, CpuSplit.Mode cpus, Consumer<Row> progress) {
    List<Row> rows = new ArrayList<>();
    for (Case c : cases) {
      Case slice = new Case(c.payload(), c.clients(), Math.max(1, c.requests() / SLICES));
      Map<Variant, List<Measured>> all = new EnumMap<>(Variant.class);
      List<Double> ratios = new ArrayList<>();
      List<Double> oneFrameRatios = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        Map<Variant, Measured> runs = round(slice, round, cpus);
        runs.forEach(
            (variant, run) -> all.computeIfAbsent(variant, v -> new ArrayList<>()).add(run));
        double callosum = runs.get(Variant.CALLOSUM).result().throughput();
        ratios.add(callosum / runs.get(Variant.RAW_THREE_FRAMES).result().throughput());
        oneFrameRatios.add(callosum / runs.get(Variant.RAW_ONE_FRAME).result().throughput());
      }
      Row row =
          new Row(
              c,
              median(results(all.get(Variant.RAW_ONE_FRAME))),
              median(results(all.get(Variant.RAW_THREE_FRAMES))),
              median(results(all.get(Variant.CALLOSUM))),
              ratios,
              oneFrameRatios,
              medianOf(cpus(all.get(Variant.CALLOSUM))),
              medianOf(cpus(all.get(Variant.RAW_THREE_FRAMES))));
      rows.add(row);
      progress.accept(row);
    }
    return rows;
  }

  /**
   * One round: both servers up, and {@link #SLICES} slices of each variant interleaved, each
   * slice's variants in the opposite order to the slice before; each variant's slices added up.
   */
  private static Map<Variant, Measured> round(Case slice, int round, CpuSplit.Mode cpus) {
    Map<Variant, List<Measured>> slices = new EnumMap<>(Variant.class);
    try (RawZeroMq.EchoServer raw = new RawZeroMq.EchoServer();
        RpcServer callosum = callosumServer(slice)) {
      for (int s = 0; s < SLICES; s++) {
        for (Variant variant : order(round * SLICES + s)) {
          Measured run =
              switch (variant) {
                case RAW_ONE_FRAME -> runRaw(raw, slice, false, cpus);
                case RAW_THREE_FRAMES -> runRaw(raw, slice, true, cpus);
                case CALLOSUM -> runCallosum(callosum, slice, cpus);
              };
          slices.computeIfAbsent(variant, v -> new ArrayList<>()).add(run);
        }
      }
    }
    Map<Variant, Measured> runs = new EnumMap<>(Variant.class);
    slices.forEach((variant, parts) -> runs.put(variant, Measured.ofSuccessive(parts)));
    return runs;
  }

  private static List<LoadResult> results(List<Measured> runs) {
    return runs.stream().map(Measured::result).toList();
  }

  private static List<Double> cpus(List<Measured> runs) {
    return runs.stream().map(Measured::generatorCpuMicros).toList();
  }

  /** What the last {@link #run} asked for and could not have, one sentence each. */
  public static List<String> unmet(Conditions conditions) {
    List<String> unmet = new ArrayList<>();
    if (conditions.batchIoThreads()) {
      BatchPolicy.failure()
          .ifPresent(why -> unmet.add("ZeroMQ I/O threads not SCHED_BATCH: " + why));
    }
    if (conditions.idleJit()) {
      IdleJit.failure().ifPresent(why -> unmet.add("JIT compiler threads not SCHED_IDLE: " + why));
    }
    return unmet;
  }

  public static String header(int rounds, Conditions conditions) {
    return "Raw jeromq echo vs Callosum peer echo: closed loop, Java client and server on"
        + " loopback, one process\n"
        + "machine: "
        + Environment.oneLine()
        + "\n"
        + "CPUs: "
        + (conditions.cpus() == CpuSplit.Mode.SPLIT
            ? "each server on the upper half of this JVM's CPUs, the clients on the lower half"
                + " (--cpus split; shared where they cannot be pinned)"
            : "shared by the servers and the clients (--cpus shared)")
        + "\n"
        + "ZeroMQ I/O threads: "
        + (conditions.batchIoThreads()
            ? "SCHED_BATCH after the warm-up, raw and Callosum alike (--batch-io-threads true)"
            : "the default policy (--batch-io-threads false)")
        + "\n"
        + "JIT compiler threads: "
        + (conditions.idleJit()
            ? "SCHED_IDLE after the warm-up (--idle-jit true)"
            : "the default policy (--idle-jit false)")
        + "\n"
        + String.format(
            Locale.ROOT,
            "%d rounds per case after a warm-up of each (up to "
                + WARM_UP_CALLS
                + " calls per variant), each interleaving "
                + SLICES
                + " slices of raw and Callosum runs, each slice in the opposite order to the one"
                + " before; req/s and p50 are the median rounds by throughput; 'raw 3 frames' sends what a Callosum request puts on the wire"
                + " (type, header, body), 'ratio' is the median of the rounds' Callosum/raw 3"
                + " frames ratios and 'rounds' their range, 'vs 1 frame' the same against raw"
                + " jeromq with the payload alone; warm-up 10%% per run;"
                + " 'gen CPU' is the load generator's CPU per call, Callosum's and raw 3 frames' (its"
                + " own threads: load threads and the clients' ZeroMQ I/O; not the JIT, GC or the"
                + " server)%n",
            rounds)
        + String.format(
            Locale.ROOT,
            "%-20s %8s %11s %12s %14s %7s %13s %10s %11s %12s %12s %9s %9s",
            "case",
            "requests",
            "raw 1 frame",
            "raw 3 frames",
            "callosum req/s",
            "ratio",
            "rounds",
            "vs 1 frame",
            "raw p50",
            "callosum p50",
            "callosum p99",
            "gen CPU",
            "(raw)");
  }

  /** The header and a line per row, each on a line of its own: what a report keeps. */
  public static String table(int rounds, Conditions conditions, List<Row> rows) {
    StringBuilder table = new StringBuilder(header(rounds, conditions)).append('\n');
    rows.forEach(row -> table.append(line(row)).append('\n'));
    return table.toString();
  }

  public static String line(Row row) {
    return String.format(
        Locale.ROOT,
        "%-20s %8d %11.0f %12.0f %14.0f %6.1f%% %5.1f–%5.1f%% %9.1f%% %9.1fus %10.1fus %10.1fus"
            + " %7.1fus %7.1fus",
        row.scenario(),
        row.scenario().requests(),
        row.raw().throughput(),
        row.rawFrames().throughput(),
        row.callosum().throughput(),
        100 * row.ratio(),
        100 * row.minRatio(),
        100 * row.maxRatio(),
        100 * row.oneFrameRatio(),
        row.rawFrames().percentile(50).toNanos() / 1e3,
        row.callosum().percentile(50).toNanos() / 1e3,
        row.callosum().percentile(99).toNanos() / 1e3,
        row.generatorCpuMicros(),
        row.rawGeneratorCpuMicros());
  }

  private static void warmUp(Case c, CpuSplit.Mode cpus) {
    try (RawZeroMq.EchoServer raw = new RawZeroMq.EchoServer();
        RpcServer callosum = callosumServer(c)) {
      runRaw(raw, c, false, cpus);
      runRaw(raw, c, true, cpus);
      runCallosum(callosum, c, cpus);
    }
  }

  private static Measured runRaw(
      RawZeroMq.EchoServer server, Case c, boolean callosumFrames, CpuSplit.Mode cpus) {
    CpuSplit split = CpuSplit.ofThreadsNamed(cpus, RawZeroMq.EchoServer.THREAD);
    try {
      return measure(c, () -> ClosedLoop.rawZeroMq(server.endpoint(), c.load(), callosumFrames));
    } finally {
      split.close();
    }
  }

  private static RpcServer callosumServer(Case c) {
    return ServerConfig.builder().testHandlers().maxBodySize(bodyLimit(c)).start();
  }

  private static int bodyLimit(Case c) {
    return Math.max(10 << 20, 2 * c.payload().bytes());
  }

  private static Measured runCallosum(RpcServer server, Case c, CpuSplit.Mode cpus) {
    CpuSplit split = CpuSplit.ofThreadsNamed(cpus, RpcServer.THREAD_PREFIX);
    try {
      return measure(
          c,
          () ->
              ClosedLoop.against(
                  ClientConfig.builder(server.endpoint()).maxBodySize(bodyLimit(c)).build(),
                  c.load()));
    } finally {
      split.close();
    }
  }

  /** Runs the case's load and counts the load generator's CPU per call over it. */
  private static Measured measure(Case c, Supplier<ClosedLoop> load) {
    long generatorBefore = ClientCpu.nanos();
    LoadResult result = check(load.get().run(), c);
    long generator = ClientCpu.nanos() - generatorBefore;
    long calls = c.load().requests() + c.load().warmupRequests();
    return new Measured(result, generatorBefore < 0 ? -1 : generator, calls);
  }

  private static LoadResult check(LoadResult result, Case c) {
    if (result.errorCount() > 0) {
      throw new IllegalStateException(c + ": " + result.errors() + " errors");
    }
    return result;
  }

  /** The median, the mean of the middle two for an even count; NaN for none. */
  static double medianOf(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static LoadResult median(List<LoadResult> results) {
    List<LoadResult> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparingDouble(LoadResult::throughput));
    return sorted.get(sorted.size() / 2);
  }
}
