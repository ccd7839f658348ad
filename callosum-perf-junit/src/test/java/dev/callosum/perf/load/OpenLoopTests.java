package dev.callosum.perf.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.Payload;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.TimeSeries;
import dev.callosum.perf.peer.ClientConfig;
import dev.callosum.perf.peer.Handler;
import dev.callosum.perf.peer.Handlers;
import dev.callosum.perf.peer.RpcServer;
import dev.callosum.perf.peer.ServerConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Open-loop load: on schedule, latency from the intended send time. Assertions compare runs within
 * one test, or bound from below by a stall the test itself causes; none asserts a machine's speed.
 */
class OpenLoopTests {

  @Test
  void theAchievedRateIsCloseToTheTarget() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start()) {
      LoadResult result =
          OpenLoop.against(
                  ClientConfig.builder(server.endpoint()).build(),
                  OpenLoad.DEFAULT
                      .rate(400)
                      .duration(Duration.ofSeconds(2))
                      .clients(2)
                      .payload(Payload.parse("256B")))
              .run();

      assertThat(result.closedLoop()).isFalse();
      assertThat(result.targetRate()).isEqualTo(400);
      assertThat(result.errorCount()).isZero();
      assertThat(result.requests()).isEqualTo(800);
      assertThat(result.throughput()).isBetween(400 * 0.8, 400 * 1.2);
      assertThat(result.sent()).isEqualTo(800);
      assertThat(result.sendRate()).isBetween(400 * 0.8, 400 * 1.2);
    }
  }

  @Test
  void againstAServerOfKnownCapacityThroughputIsWhatItCompletedAndTheRunSaysSaturated() {
    // One key on KeySerialized and a 5 ms handler: one call at a time, at most 200 a second.
    try (RpcServer server =
        ServerConfig.builder()
            .handler("echo", Handlers.delayed(Duration.ofMillis(5), Handlers.echo()))
            .keySerialized(true)
            .start()) {
      LoadResult result =
          OpenLoop.against(
                  ClientConfig.builder(server.endpoint()).build(),
                  OpenLoad.DEFAULT
                      .rate(400)
                      .duration(Duration.ofSeconds(3))
                      .payload(Payload.parse("64B")))
              .run();

      assertThat(result.errorCount()).isZero();
      assertThat(result.requests()).isEqualTo(1200);
      // Offered 400/s for 3 s, completed at the server's pace: not the offered rate.
      assertThat(result.throughput()).isLessThan(200 * 1.1).isGreaterThan(200 * 0.4);
      assertThat(result.sendRate()).isBetween(400 * 0.8, 400 * 1.2);
      assertThat(result.elapsed()).isGreaterThan(Duration.ofMillis(5500));
      assertThat(result.limit()).isEqualTo(LoadResult.Limit.SATURATED);
      assertThat(result.limit().label()).isEqualTo("saturated");
    }
  }

  @Test
  void aServerStallShowsInOpenLoopPercentilesWhereAClosedLoopHidesIt() {
    LoadResult open;
    LoadResult closed;
    try (RpcServer server = stallingServer()) {
      open =
          OpenLoop.against(
                  ClientConfig.builder(server.endpoint()).build(),
                  OpenLoad.DEFAULT
                      .rate(200)
                      .duration(Duration.ofSeconds(3))
                      .payload(Payload.parse("64B")))
              .run();
    }
    try (RpcServer server = stallingServer()) {
      closed =
          ClosedLoop.against(
                  ClientConfig.builder(server.endpoint()).build(),
                  ClosedLoad.DEFAULT.requests(600).payload(Payload.parse("64B")))
              .run();
    }

    // Every request due during the 200 ms stall waited for it, counted from its intended time.
    assertThat(open.percentile(99)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    assertThat(open.percentile(95)).isGreaterThanOrEqualTo(Duration.ofMillis(20));
    // The closed loop's one client simply waited once: the stall is one sample in 600.
    assertThat(closed.maxLatency()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(closed.percentile(99)).isLessThan(open.percentile(99).dividedBy(2));
    // Second by second, the stall stands out in the one interval it fell in.
    List<TimeSeries.Point> points = open.timeSeries().points();
    assertThat(points).hasSizeGreaterThanOrEqualTo(3);
    assertThat(points.stream().mapToLong(TimeSeries.Point::calls).sum()).isEqualTo(open.requests());
    assertThat(points.stream().mapToLong(TimeSeries.Point::p99Nanos).max().orElse(0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(closed.timeSeries().points().stream().mapToLong(TimeSeries.Point::calls).sum())
        .isEqualTo(closed.requests());
  }

  /** A server whose thread freezes for 200 ms at its 300th echo. */
  private static RpcServer stallingServer() {
    AtomicInteger calls = new AtomicInteger();
    return ServerConfig.builder()
        .handler(
            "echo",
            Handler.of(
                body -> {
                  if (calls.incrementAndGet() == 300) {
                    Thread.sleep(200);
                  }
                  return body;
                }))
        .start();
  }
}
