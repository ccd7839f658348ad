package dev.callosum.perf.cli;

import dev.callosum.perf.load.ClosedLoop;
import dev.callosum.perf.load.Payload;
import dev.callosum.perf.measurement.Environment;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.peer.ClientConfig;
import dev.callosum.perf.peer.RawZeroMq;
import dev.callosum.perf.peer.RpcServer;
import dev.callosum.perf.peer.ServerConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code compare}: what the Callosum peer costs on top of ZeroMQ. For each case it runs bare jeromq
 * DEALER/ROUTER echo and Callosum echo (Java client, Java server) with the same closed loop,
 * alternating them over several rounds in one process, and prints the medians and their ratio.
 */
final class CompareCommand {
  private CompareCommand() {}

  /** One case: payload, clients and how many requests make a measurement. */
  record Case(Payload payload, int clients, int requests) {
    @Override
    public String toString() {
      return payload + " x " + clients + (clients == 1 ? " client" : " clients");
    }
  }

  static int run(String[] argv, PrintStream out) {
    Args args = new Args("compare", argv, 1, Set.of());
    int base = args.positiveInt("requests", 20_000);
    int rounds = args.positiveInt("rounds", 3);
    args.rejectUnknown();
    List<Case> cases = List.of(
        new Case(Payload.parse("1KiB"), 1, base),
        new Case(Payload.parse("1KiB"), 10, base),
        new Case(Payload.parse("64KiB"), 1, Math.max(100, base / 8)),
        new Case(Payload.parse("1MiB"), 1, Math.max(20, base / 40)));

    out.println("Raw jeromq echo vs Callosum peer echo: closed loop, Java client and server on"
        + " loopback, one process");
    out.println("machine: " + Environment.oneLine());
    out.printf(Locale.ROOT, "%d rounds per case, alternating; medians shown; warm-up 10%% per run%n",
        rounds);
    // Warm both paths up first, so that the first case does not pay for the JIT.
    Case warmup = new Case(Payload.parse("4KiB"), 2, Math.max(200, base / 4));
    runRaw(warmup);
    runCallosum(warmup);
    out.printf(Locale.ROOT, "%-22s %9s %14s %14s %8s %12s %12s%n", "case", "requests",
        "raw req/s", "callosum req/s", "ratio", "callosum p50", "callosum p99");
    for (Case c : cases) {
      List<LoadResult> raw = new ArrayList<>();
      List<LoadResult> callosum = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        raw.add(runRaw(c));
        callosum.add(runCallosum(c));
      }
      LoadResult r = median(raw);
      LoadResult k = median(callosum);
      out.printf(Locale.ROOT, "%-22s %9d %14.0f %14.0f %7.1f%% %10.1fus %10.1fus%n", c,
          c.requests(), r.throughput(), k.throughput(), 100 * k.throughput() / r.throughput(),
          k.percentile(50).toNanos() / 1e3, k.percentile(99).toNanos() / 1e3);
      out.flush();
    }
    return 0;
  }

  static LoadResult runRaw(Case c) {
    try (RawZeroMq.EchoServer server = new RawZeroMq.EchoServer()) {
      return check(ClosedLoop.rawZeroMq(server.endpoint()).clients(c.clients())
          .payload(c.payload()).requests(c.requests()).warmup(c.requests() / 10).run(), c);
    }
  }

  static LoadResult runCallosum(Case c) {
    try (RpcServer server = ServerConfig.builder().testHandlers()
        .maxBodySize(Math.max(10 << 20, 2 * c.payload().bytes())).start()) {
      return check(ClosedLoop.against(ClientConfig.builder(server.endpoint()).build())
          .clients(c.clients()).payload(c.payload()).requests(c.requests())
          .warmup(c.requests() / 10).run(), c);
    }
  }

  private static LoadResult check(LoadResult result, Case c) {
    if (result.errorCount() > 0) {
      throw new IllegalStateException(c + ": " + result.errors() + " errors");
    }
    return result;
  }

  static LoadResult median(List<LoadResult> results) {
    List<LoadResult> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparingDouble(LoadResult::throughput));
    return sorted.get(sorted.size() / 2);
  }
}
