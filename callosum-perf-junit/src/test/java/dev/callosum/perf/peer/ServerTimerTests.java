package dev.callosum.perf.peer;

import static dev.callosum.perf.peer.Bytes.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Request#timer()}: its tasks run on the server's own thread, so a reply due after a delay
 * is sent by the thread that woke for it (no timer thread to wake first), and never early.
 */
class ServerTimerTests {

  @Test
  void timerTasksRunOnTheServersThreadAndNeverBeforeTheirDelay() throws Exception {
    AtomicReference<String> ranOn = new AtomicReference<>();
    AtomicReference<Long> waitedNanos = new AtomicReference<>();
    Handler handler =
        request -> {
          CompletableFuture<byte[]> reply = new CompletableFuture<>();
          long scheduled = System.nanoTime();
          request
              .timer()
              .schedule(
                  () -> {
                    waitedNanos.set(System.nanoTime() - scheduled);
                    ranOn.set(Thread.currentThread().getName());
                    reply.complete(request.body());
                  },
                  3,
                  TimeUnit.MILLISECONDS);
          return reply;
        };
    try (RpcServer server = ServerConfig.builder().handler("later", handler).start();
        Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build())) {
      assertThat(connection.call("later", ascii("x"))).isEqualTo(ascii("x"));
      assertThat(ranOn.get()).isEqualTo(server.threadName());
      assertThat(waitedNanos.get()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(3));
    }
  }

  @Test
  void delayedRepliesFromManyClientsAllComeBackAfterTheirDelay() throws Exception {
    try (RpcServer server =
            ServerConfig.builder()
                .handler("echo", Handlers.delayed(Duration.ofMillis(2), Handlers.echo()))
                .start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      List<CompletableFuture<byte[]>> calls = new java.util.ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < 500; i++) {
        calls.add(client.invoke("echo", ascii(Integer.toString(i))));
      }
      for (int i = 0; i < calls.size(); i++) {
        assertThat(calls.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(ascii(Integer.toString(i)));
      }
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(2_000_000);
    }
  }

  @Test
  void aCancelledTaskDoesNotRunAndAPeriodicTaskRepeatsUntilCancelled() throws Exception {
    AtomicInteger ticks = new AtomicInteger();
    CountDownLatch threeTicks = new CountDownLatch(3);
    List<String> cancelledRan = new CopyOnWriteArrayList<>();
    AtomicReference<ScheduledFuture<?>> periodic = new AtomicReference<>();
    Handler handler =
        request -> {
          if (new String(request.body(), java.nio.charset.StandardCharsets.US_ASCII)
              .equals("start")) {
            request
                .timer()
                .schedule(() -> cancelledRan.add("ran"), 1, TimeUnit.MILLISECONDS)
                .cancel(false);
            periodic.set(
                request
                    .timer()
                    .scheduleAtFixedRate(
                        () -> {
                          ticks.incrementAndGet();
                          threeTicks.countDown();
                        },
                        0,
                        1,
                        TimeUnit.MILLISECONDS));
          } else {
            periodic.get().cancel(false); // on the server's thread: no tick can follow
          }
          return CompletableFuture.completedFuture(ascii(Integer.toString(ticks.get())));
        };
    try (RpcServer server = ServerConfig.builder().handler("tick", handler).start();
        Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build())) {
      connection.call("tick", ascii("start"));
      assertThat(threeTicks.await(10, TimeUnit.SECONDS)).isTrue();
      int atCancel =
          Integer.parseInt(
              new String(
                  connection.call("tick", ascii("stop")),
                  java.nio.charset.StandardCharsets.US_ASCII));
      Thread.sleep(30);
      assertThat(ticks.get()).isEqualTo(atCancel);
      assertThat(periodic.get().isCancelled()).isTrue();
      assertThat(cancelledRan).isEmpty();
    }
  }

  @Test
  void handlersCannotShutTheServersTimerDown() throws Exception {
    AtomicReference<Throwable> refused = new AtomicReference<>();
    Handler handler =
        request -> {
          try {
            request.timer().shutdownNow();
          } catch (UnsupportedOperationException e) {
            refused.set(e);
          }
          return CompletableFuture.completedFuture(request.body());
        };
    try (RpcServer server = ServerConfig.builder().handler("stop", handler).start();
        Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build())) {
      assertThat(connection.call("stop", ascii("x"))).isEqualTo(ascii("x"));
      assertThat(refused.get())
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("closes with the server");
    }
  }
}
