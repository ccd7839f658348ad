package dev.callosum.perf.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.measurement.CpuSplit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The client's {@link EventLoop}: it sleeps between replies instead of polling. */
class ClientLoopTests {

  /**
   * A client waiting on a delayed server polls a few times per call (the request handed over, the
   * reply), however its loop and ZeroMQ's I/O thread share a CPU. With the load generator's threads
   * on one CPU (as benchmarks run them), a loop that polled again whenever a signal found the
   * socket still empty kept that I/O thread from finishing its signal: hundreds of empty polls per
   * call.
   */
  @Test
  void aClientWaitingForDelayedRepliesSleepsInsteadOfPolling() throws Exception {
    int calls = 200;
    try (RpcServer server =
            ServerConfig.builder()
                .handler("later", Handlers.delayed(Duration.ofMillis(5), Handlers.echo()))
                .start();
        RpcClient client = RpcClient.connect(server.endpoint());
        CpuSplit split = CpuSplit.ofThreadsNamed(CpuSplit.Mode.SPLIT, RpcServer.THREAD_PREFIX)) {
      for (int i = 0; i < 20; i++) {
        client.call("later", new byte[64]); // connected and compiled
      }
      long before = client.loopPolls();
      for (int i = 0; i < calls; i++) {
        assertThat(client.call("later", new byte[64])).hasSize(64);
      }
      double pollsPerCall = (client.loopPolls() - before) / (double) calls;
      assertThat(pollsPerCall)
          .as("client loop polls per call (%s)", split.describe())
          .isLessThan(10);
    }
  }
}
