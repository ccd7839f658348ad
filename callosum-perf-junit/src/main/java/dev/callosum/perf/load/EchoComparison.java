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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apiguardian.api.API;

/**
 * What the Callosum peer costs on top of ZeroMQ: bare jeromq DEALER/ROUTER echo against Callosum
 * echo (Java client, Java server), with the same closed loop, alternating over several rounds in
 * one process after a warm-up of both, compared by their medians with the spread of the rounds'
 * ratios beside them, and the load generator's CPU per call (its own threads': load threads and the
 * clients' ZeroMQ I/O, the client side of the Callosum peer as benchmarks drive it).
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

  /** One case: payload, clients and how many requests make one measurement. */
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
   * One case over its rounds: the median runs, every round's ratio, and the Callosum client's CPU.
   *
   * @param raw the median raw jeromq run of one frame (by throughput)
   * @param rawFrames the median raw jeromq run of Callosum's three frames
   * @param callosum the median Callosum run
   * @param ratios each round's Callosum throughput over its raw three-frame one, in round order
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
      double generatorCpuMicros,
      double rawGeneratorCpuMicros) {
    public Row {
      ratios = List.copyOf(ratios);
    }

    /** Callosum's median throughput as a fraction of raw jeromq's with the same frames. */
    public double ratio() {
      return callosum.throughput() / rawFrames.throughput();
    }

    /** Callosum's median throughput as a fraction of raw jeromq's with one frame. */
    public double oneFrameRatio() {
      return callosum.throughput() / raw.throughput();
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

  /** A run with the load generator's CPU per call. */
  private record Measured(LoadResult result, double generatorCpuMicros) {}

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
   * Runs every case for {@code rounds} alternating rounds after a warm-up of all, under the given
   * conditions; reports each row as it is done.
   */
  public static List<Row> run(
      List<Case> cases, int rounds, Conditions conditions, Consumer<Row> progress) {
    CpuSplit.Mode cpus = conditions.cpus();
    Case warmup = new Case(Payload.parse("4KiB"), 2, 2000);
    runRaw(warmup, false, cpus);
    runRaw(warmup, true, cpus);
    runCallosum(warmup, cpus);
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
      List<LoadResult> raw = new ArrayList<>();
      List<LoadResult> rawFrames = new ArrayList<>();
      List<LoadResult> callosum = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      List<Double> rawCpu = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        raw.add(runRaw(c, false, cpus).result());
        Measured r = runRaw(c, true, cpus);
        Measured m = runCallosum(c, cpus);
        rawFrames.add(r.result());
        callosum.add(m.result());
        ratios.add(m.result().throughput() / r.result().throughput());
        cpu.add(m.generatorCpuMicros());
        rawCpu.add(r.generatorCpuMicros());
      }
      Row row =
          new Row(
              c,
              median(raw),
              median(rawFrames),
              median(callosum),
              ratios,
              medianOf(cpu),
              medianOf(rawCpu));
      rows.add(row);
      progress.accept(row);
    }
    return rows;
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
            "%d rounds per case, alternating, after a warm-up of all; medians by throughput;"
                + " 'raw 3 frames' sends what a Callosum request puts on the wire (type, header,"
                + " body) and 'ratio' is against it, 'rounds' the range of the rounds' ratios,"
                + " 'vs 1 frame' against raw jeromq with the payload alone; warm-up 10%% per run;"
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

  static Measured runRaw(Case c, boolean callosumFrames, CpuSplit.Mode cpus) {
    try (RawZeroMq.EchoServer server = new RawZeroMq.EchoServer()) {
      CpuSplit split = CpuSplit.ofThreadsNamed(cpus, RawZeroMq.EchoServer.THREAD);
      try {
        return measure(c, () -> ClosedLoop.rawZeroMq(server.endpoint(), c.load(), callosumFrames));
      } finally {
        split.close();
      }
    }
  }

  static Measured runCallosum(Case c, CpuSplit.Mode cpus) {
    int limit = Math.max(10 << 20, 2 * c.payload().bytes());
    try (RpcServer server = ServerConfig.builder().testHandlers().maxBodySize(limit).start()) {
      CpuSplit split = CpuSplit.ofThreadsNamed(cpus, RpcServer.THREAD_PREFIX);
      try {
        return measure(
            c,
            () ->
                ClosedLoop.against(
                    ClientConfig.builder(server.endpoint()).maxBodySize(limit).build(), c.load()));
      } finally {
        split.close();
      }
    }
  }

  /** Runs the case's load and counts the load generator's CPU per call over it. */
  private static Measured measure(Case c, Supplier<ClosedLoop> load) {
    long generatorBefore = ClientCpu.nanos();
    LoadResult result = check(load.get().run(), c);
    long generator = ClientCpu.nanos() - generatorBefore;
    long calls = c.load().requests() + c.load().warmupRequests();
    double micros = generatorBefore < 0 ? Double.NaN : generator / 1e3 / calls;
    return new Measured(result, micros);
  }

  private static LoadResult check(LoadResult result, Case c) {
    if (result.errorCount() > 0) {
      throw new IllegalStateException(c + ": " + result.errors() + " errors");
    }
    return result;
  }

  private static double medianOf(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    return sorted.get(sorted.size() / 2);
  }

  static LoadResult median(List<LoadResult> results) {
    List<LoadResult> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparingDouble(LoadResult::throughput));
    return sorted.get(sorted.size() / 2);
  }
}
