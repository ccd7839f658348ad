package dev.callosum.perf.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.Payload;
import dev.callosum.perf.Scheduler;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.BenchmarkMatrix;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.load.ClosedLoad;
import dev.callosum.perf.load.ClosedLoop;
import dev.callosum.perf.measurement.CpuSplit;
import dev.callosum.perf.measurement.HiccupMeter;
import dev.callosum.perf.measurement.IdleJit;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.Quantities;
import dev.callosum.perf.peer.BatchPolicy;
import dev.callosum.perf.peer.Handler;
import dev.callosum.perf.peer.RawZeroMq;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Servers whose behaviour is known, measured as any server is, each result noted beside what it
 * should be: the check that the numbers are right. Only what cannot be noise is asserted (no call
 * is faster than its server's delay, no run completes more than its capacity); how close the rest
 * comes to the truth is reported, with the machine's own hiccups beside it. Run them alone with
 * {@code -Dgroups=calibration}; the in-JVM server is the one measured.
 */
@RpcBenchmark
@Tag("calibration")
class CalibrationBenchmarks {

  /** A fixed delay: latency is the delay plus the round trip; a client makes 1/delay calls/s. */
  @ParameterizedTest(name = "{0} · {1}")
  @BenchmarkMatrix(
      delays = {"1ms", "5ms", "20ms"},
      clients = {1, 10})
  void fixedDelay(Duration delay, int clients, Bench bench) {
    BenchmarkResult result =
        bench
            .closedLoop(bench.server(ServerSpec.delayed(delay)))
            .clients(clients)
            .payload(Payload.parse("64B"))
            .duration(Duration.ofSeconds(3))
            .run();
    double ideal = clients * 1e9 / delay.toNanos();
    // What this machine gives the same delay and load without Callosum: bare jeromq, the same
    // frames, the same wait, its I/O threads and JIT under the same policies while it measures; on
    // a VM
    // whose idle cores wake slowly, its tail is the machine's.
    LoadResult raw;
    String rawCpus;
    try (RawZeroMq.EchoServer rawServer = new RawZeroMq.EchoServer(delay);
        CpuSplit cpus =
            CpuSplit.ofThreadsNamed(bench.settings().cpus(), RawZeroMq.EchoServer.THREAD)) {
      rawCpus = cpus.describe();
      BatchPolicy.Scope io =
          bench.settings().batchIoThreads() ? BatchPolicy.measuring() : BatchPolicy.none();
      IdleJit.Scope jit =
          bench.settings().idleJit() ? IdleJit.measuring(OptionalLong.empty()) : IdleJit.none();
      try {
        raw =
            ClosedLoop.rawZeroMq(
                    rawServer.endpoint(),
                    ClosedLoad.DEFAULT
                        .clients(clients)
                        .payload(Payload.parse("64B"))
                        .duration(Duration.ofSeconds(3))
                        .warmup(200L * clients),
                    true)
                .run();
      } finally {
        jit.close();
        io.close();
      }
    }
    bench.note(
        "Calibration: a " + Quantities.compact(delay.toNanos()) + " delay",
        String.format(
            Locale.ROOT,
            "should be: p50 just over %s, throughput just under %.0f req/s%n"
                + "measured:  p50 %s, p90 %s, p99 %s, max %s, %.0f req/s (%.1f%% of ideal)%n"
                + "raw jeromq, same delay, load and frames, right after: p50 %s, p90 %s, p99 %s,"
                + " %.0f req/s, CPUs %s (the machine's own share of the tail)%n"
                + "p50 over the delay: %s; %s",
            Quantities.compact(delay.toNanos()),
            ideal,
            Quantities.compact(result.percentile(50).toNanos()),
            Quantities.compact(result.percentile(90).toNanos()),
            Quantities.compact(result.percentile(99).toNanos()),
            Quantities.compact(result.maxLatency().toNanos()),
            result.throughput(),
            100 * result.throughput() / ideal,
            Quantities.compact(raw.percentile(50).toNanos()),
            Quantities.compact(raw.percentile(90).toNanos()),
            Quantities.compact(raw.percentile(99).toNanos()),
            raw.throughput(),
            rawCpus,
            Quantities.compact(result.percentile(50).minus(delay).toNanos()),
            result.hiccups().map(Object::toString).orElse("no machine hiccups measured")));
    assertThat(raw.errorCount()).isZero();
    assertThat(raw.percentile(1)).as("nor for bare jeromq").isGreaterThanOrEqualTo(delay);
    assertThat(result.errorCount()).isZero();
    assertThat(result.percentile(1)).as("no call can beat the delay").isGreaterThanOrEqualTo(delay);
    assertThat(result.throughput()).as("nor can the calls per second").isLessThan(ideal * 1.02);
  }

  /**
   * A server that stops for 200 ms every 2 s, under an open loop of 200 req/s: a tenth of the
   * requests wait out a freeze, so p90 and above grow towards 200 ms and the maximum is about 200
   * ms. A closed loop would show one slow call per freeze; this is what counting from the intended
   * send time is for.
   */
  @Test
  void freezesOpenLoop(Bench bench) {
    ManagedServer server = bench.server(ServerSpec.handler("freezes 200 ms every 2 s", freezing()));
    BenchmarkResult result =
        bench
            .openLoop(server)
            .rate(200)
            .clients(1)
            .payload(Payload.parse("64B"))
            .duration(Duration.ofSeconds(10))
            .run();
    bench.note(
        "Calibration: a server that freezes 200 ms every 2 s",
        String.format(
            Locale.ROOT,
            "should be: p50 well under 1 ms, p95 near 100 ms, p99 near 180 ms, max near 200 ms"
                + " (a tenth of the requests wait out a freeze)%n"
                + "measured:  p50 %s, p90 %s, p95 %s, p99 %s, max %s, %.0f req/s completed",
            Quantities.compact(result.percentile(50).toNanos()),
            Quantities.compact(result.percentile(90).toNanos()),
            Quantities.compact(result.percentile(95).toNanos()),
            Quantities.compact(result.percentile(99).toNanos()),
            Quantities.compact(result.maxLatency().toNanos()),
            result.throughput()));
    assertThat(result.errorCount()).isZero();
    assertThat(result.maxLatency()).as("a freeze is seen whole").isGreaterThan(ms(150));
    assertThat(result.percentile(99))
        .as("and by every request due while it lasted")
        .isGreaterThan(ms(100));
  }

  /** An open loop at a rate an echo server holds: it completes what it was sent. */
  @Test
  void openLoopAtARateItHolds(Bench bench) {
    BenchmarkResult result =
        bench
            .openLoop(bench.server(ServerSpec.echo()))
            .rate(500)
            .clients(2)
            .payload(Payload.parse("64B"))
            .duration(Duration.ofSeconds(10))
            .run();
    bench.note(
        "Calibration: 500 req/s against echo",
        String.format(
            Locale.ROOT,
            "should be: 500 req/s completed, sent on time, not saturated%n"
                + "measured:  %.0f req/s completed, sent %.0f req/s, %.1f%% of sends over 1 ms late,"
                + " %s; p50 %s, p99 %s",
            result.throughput(),
            result.sendRate(),
            100 * result.lateShare(),
            result.limit() == LoadResult.Limit.NONE ? "held" : result.limit().label(),
            Quantities.compact(result.percentile(50).toNanos()),
            Quantities.compact(result.percentile(99).toNanos())));
    assertThat(result.errorCount()).isZero();
    assertThat(result.limit()).isNotEqualTo(LoadResult.Limit.SATURATED);
    assertThat(result.throughput()).isGreaterThan(450).isLessThan(510);
  }

  /**
   * A server of known capacity (one order key on KeySerialized, a 5 ms handler: one call at a time,
   * at most 200/s) offered twice that: throughput is its capacity, and the run says so.
   */
  @Test
  void knownCapacityOfferedTwice(Bench bench) {
    ManagedServer server =
        bench.server(ServerSpec.delayed(ms(5)).scheduler(Scheduler.KEY_SERIALIZED));
    BenchmarkResult result =
        bench
            .openLoop(server)
            .rate(400)
            .clients(1)
            .payload(Payload.parse("64B"))
            .duration(Duration.ofSeconds(4))
            .run();
    bench.note(
        "Calibration: capacity 200/s offered 400/s",
        String.format(
            Locale.ROOT,
            "should be: just under 200 req/s completed, sent 400 req/s, saturated%n"
                + "measured:  %.0f req/s completed, sent %.0f req/s, %s",
            result.throughput(),
            result.sendRate(),
            result.limit().label()));
    assertThat(result.errorCount()).isZero();
    assertThat(result.throughput()).isLessThan(205);
    assertThat(result.limit()).isEqualTo(LoadResult.Limit.SATURATED);
  }

  /**
   * What the hiccup meter costs: echo throughput with and without it, alternating, in one run. It
   * wakes two threads a millisecond; the ratio should be within the run's noise of 100 %.
   */
  @Test
  void hiccupMeterCost(Bench bench) {
    ManagedServer server = bench.server(ServerSpec.echo());
    ClosedLoad load =
        bench
            .settings()
            .applyTo(
                ClosedLoad.DEFAULT.clients(10).payload(Payload.parse("1KiB")).requests(40_000));
    List<Double> with = new ArrayList<>();
    List<Double> without = new ArrayList<>();
    for (int round = 0; round < (bench.settings().quick() ? 2 : 5); round++) {
      without.add(ClosedLoop.against(server.clientConfig().build(), load).run().throughput());
      HiccupMeter meter = HiccupMeter.start();
      try {
        with.add(ClosedLoop.against(server.clientConfig().build(), load).run().throughput());
      } finally {
        meter.stop();
      }
    }
    double a = median(without);
    double b = median(with);
    bench.note(
        "Calibration: the hiccup meter's cost",
        String.format(
            Locale.ROOT,
            "echo, 1 KiB, 10 clients, %d requests a run, alternating: median %.0f req/s without"
                + " the meter, %.0f req/s with it: %.1f%%; runs without: %s, with: %s",
            load.requests(),
            a,
            b,
            100 * b / a,
            without,
            with));
    assertThat(b).isPositive();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  /** Echo, except that the first call after each 2 s mark holds the server's thread 200 ms. */
  private static Handler freezing() {
    AtomicLong nextFreeze = new AtomicLong(System.nanoTime() + 2_000_000_000L);
    return Handler.of(
        body -> {
          long now = System.nanoTime();
          long due = nextFreeze.get();
          if (now - due >= 0 && nextFreeze.compareAndSet(due, now + 2_000_000_000L)) {
            Thread.sleep(200);
          }
          return body;
        });
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }
}
