package dev.callosum.perf.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callosum.perf.Payload;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.peer.ClientConfig;
import dev.callosum.perf.peer.RpcException;
import dev.callosum.perf.peer.RpcServer;
import dev.callosum.perf.peer.ServerConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClosedLoopTests {

  @Test
  void severalCallsInFlightPerClientAreAllCountedOnce() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start()) {
      LoadResult result =
          ClosedLoop.against(
                  ClientConfig.builder(server.endpoint()).build(),
                  ClosedLoad.DEFAULT
                      .clients(3)
                      .inFlight(8)
                      .requests(3000)
                      .payload(Payload.parse("128B")))
              .run();

      assertThat(result.requests()).isEqualTo(3000);
      assertThat(result.errorCount()).isZero();
      assertThat(result.latencyHistogram().getTotalCount()).isEqualTo(3000);
      assertThat(server.stats().requests()).isEqualTo(3000);
    }
  }

  @Test
  void failedCallsAreCountedByKindWithOneOrManyInFlight() {
    try (RpcServer server = ServerConfig.builder().testHandlers().keySerialized(true).start()) {
      ClientConfig client = ClientConfig.builder(server.endpoint()).build();
      LoadResult one =
          ClosedLoop.against(client, ClosedLoad.DEFAULT.method("fail").inFlight(1).requests(20))
              .run();
      LoadResult four =
          ClosedLoop.against(client, ClosedLoad.DEFAULT.method("fail").inFlight(4).requests(20))
              .run();

      assertThat(one.errors()).isEqualTo(Map.of(RpcException.Kind.FAILURE, 20L));
      assertThat(four.errors()).isEqualTo(Map.of(RpcException.Kind.FAILURE, 20L));
      assertThat(one.requests() + four.requests()).isZero();
    }
  }

  @Test
  void aDurationMeasuresForThatLong() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start()) {
      LoadResult result =
          ClosedLoop.against(
                  ClientConfig.builder(server.endpoint()).build(),
                  ClosedLoad.DEFAULT
                      .clients(2)
                      .duration(Duration.ofSeconds(1))
                      .payload(Payload.parse("64B")))
              .run();

      assertThat(result.requests()).isPositive();
      assertThat(result.elapsed()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
      assertThat(result.timeSeries().points()).isNotEmpty();
    }
  }

  @Test
  void wrongSettingsAreRefusedWithTheirName() {
    ClosedLoad loop = ClosedLoad.DEFAULT;

    assertThatThrownBy(() -> loop.clients(0)).hasMessage("clients must be positive, was 0");
    assertThatThrownBy(() -> loop.inFlight(0))
        .hasMessage("requests in flight per client must be 1 to 4096, was 0");
    assertThatThrownBy(() -> ClosedLoop.rawZeroMq("tcp://127.0.0.1:1", loop.inFlight(2)))
        .hasMessage("the raw ZeroMQ baseline keeps one request in flight");
    assertThatThrownBy(() -> loop.duration(Duration.ZERO))
        .hasMessage("duration must be positive, was PT0S");
  }
}
