package dev.callosum.perf.peer;

import static dev.callosum.perf.peer.Bytes.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.Scheduler;
import dev.callosum.perf.protocol.OrderKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * The two schedulers' orderings, shown with handlers of mixed delays. The delays differ by hundreds
 * of milliseconds so that ordering, not timing, is what the tests assert.
 */
class SchedulerTests {

  @Test
  void exitOrderedRepliesAsHandlersFinish() {
    assertThat(completionOrder(Scheduler.EXIT_ORDERED, OrderKey.NONE, OrderKey.NONE, OrderKey.NONE))
        .containsExactly("20", "250", "500");
  }

  @Test
  void keySerializedRunsRequestsWithOneKeyInArrivalOrder() {
    assertThat(
            completionOrder(
                Scheduler.KEY_SERIALIZED, OrderKey.of("k"), OrderKey.of("k"), OrderKey.of("k")))
        .containsExactly("500", "20", "250");
  }

  @Test
  void keySerializedSerializesRequestsWithNoKey() {
    assertThat(
            completionOrder(Scheduler.KEY_SERIALIZED, OrderKey.NONE, OrderKey.NONE, OrderKey.NONE))
        .containsExactly("500", "20", "250");
  }

  @Test
  void keySerializedRunsDifferentKeysConcurrently() {
    assertThat(
            completionOrder(
                Scheduler.KEY_SERIALIZED, OrderKey.of("a"), OrderKey.of("b"), OrderKey.of("c")))
        .containsExactly("20", "250", "500");
  }

  @Test
  void keySerializedTellsAStrKeyFromABinKeyWithTheSameBytes() {
    assertThat(
            completionOrder(
                Scheduler.KEY_SERIALIZED,
                OrderKey.of("k1"),
                OrderKey.ofBytes(ascii("k1")),
                OrderKey.nil()))
        .containsExactly("20", "250", "500");
  }

  @Test
  void keySerializedOrdersAcrossClients() throws Exception {
    try (RpcServer server = ServerConfig.builder().testHandlers().keySerialized(true).start();
        RpcClient first = RpcClient.connect(server.endpoint());
        RpcClient second = RpcClient.connect(server.endpoint())) {
      Queue<String> done = new ConcurrentLinkedQueue<>();
      CompletableFuture<byte[]> slow = record(first.invoke("delay", ascii("400")), done);
      Awaiting.until(() -> server.stats().pending() == 1, "the first client's call arrived");
      CompletableFuture<byte[]> quick = record(second.invoke("delay", ascii("10")), done);
      CompletableFuture.allOf(slow, quick).get();

      assertThat(done).containsExactly("400", "10");
    }
  }

  @Test
  void aLongQueueOfInstantHandlersDrainsWithoutDeepRecursion() throws Exception {
    try (RpcServer server = ServerConfig.builder().testHandlers().keySerialized(true).start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      CompletableFuture<byte[]> gate = client.invoke("delay", ascii("300"));
      List<CompletableFuture<byte[]>> queued = new java.util.ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        queued.add(client.invoke("echo", ascii(Integer.toString(i))));
      }
      gate.get();
      for (int i = 0; i < queued.size(); i++) {
        assertThat(queued.get(i).get()).isEqualTo(ascii(Integer.toString(i)));
      }
      assertThat(server.stats().keyQueues()).isZero();
      assertThat(server.stats().pending()).isZero();
    }
  }

  /** Sends delay 500, 20 and 250 ms with the given keys, in that order; returns finish order. */
  private static List<String> completionOrder(Scheduler scheduler, OrderKey... keys) {
    try (RpcServer server =
            ServerConfig.builder()
                .testHandlers()
                .keySerialized(scheduler == Scheduler.KEY_SERIALIZED)
                .start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      Queue<String> done = new ConcurrentLinkedQueue<>();
      String[] delays = {"500", "20", "250"};
      CompletableFuture<?>[] calls = new CompletableFuture<?>[3];
      for (int i = 0; i < 3; i++) {
        calls[i] = record(client.invoke("delay", keys[i], ascii(delays[i])), done);
      }
      CompletableFuture.allOf(calls).join();
      assertThat(server.stats().pending()).isZero();
      return List.copyOf(done);
    }
  }

  private static CompletableFuture<byte[]> record(
      CompletableFuture<byte[]> call, Queue<String> done) {
    return call.whenComplete((v, t) -> done.add(new String(v, StandardCharsets.US_ASCII)));
  }
}
