package dev.callosum.perf.peer;

import static dev.callosum.perf.peer.Bytes.ascii;
import static dev.callosum.perf.testing.PeerThreads.awaitNoPeerThreads;
import static dev.callosum.perf.testing.PeerThreads.peerThreads;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.zeromq.ZContext;
import zmq.ZError;

/** Closing leaves nothing behind, and one server holds a hundred clients on two cores. */
class LifecycleTests {

  @Test
  void aHundredClientsCallOneServerAtOnceAndCloseCleanly() throws Exception {
    runHundredClients(); // warm up: load classes and open what the JVM keeps open
    Map<String, Long> before = openDescriptors();

    runHundredClients();

    awaitNoPeerThreads();
    Awaiting.until(
        () -> noMoreThan(before, openDescriptors()),
        "descriptors back to " + before + ", now " + openDescriptors());
  }

  @Test
  void zeroMqIoThreadExceptionsAreLoggedNotPrintedAndTheClosingRaceOnlyAtDebug() {
    try (ZContext context = SharedContext.newContext("callosum-test");
        ZContext plain = new ZContext(1)) {
      assertThat(context.getNotificationExceptionHandler())
          .as("jeromq's default prints the stack on standard error")
          .isNotNull()
          .isNotSameAs(plain.getNotificationExceptionHandler());
      Thread io = new Thread(() -> {}, "callosum-test-zmq-iothread-1");
      // What jeromq's Signaler throws when TcpListener.processTerm signals a closed mailbox.
      ZError.IOException race = new ZError.IOException(new ClosedChannelException());
      IllegalStateException other = new IllegalStateException("a handler broke");

      List<LogRecord> logged =
          logged(
              () -> {
                context.getNotificationExceptionHandler().uncaughtException(io, race);
                context.getNotificationExceptionHandler().uncaughtException(io, other);
              });

      assertThat(logged).hasSize(2);
      assertThat(logged.get(0).getLevel()).isEqualTo(Level.FINE);
      assertThat(logged.get(0).getMessage())
          .isEqualTo(
              "callosum-test-zmq-iothread-1: a ZeroMQ I/O thread met a channel closed by the"
                  + " context ending; going on");
      assertThat(logged.get(0).getThrown()).isSameAs(race);
      assertThat(logged.get(1).getLevel()).isEqualTo(Level.WARNING);
      assertThat(logged.get(1).getMessage())
          .isEqualTo("callosum-test-zmq-iothread-1: a ZeroMQ I/O thread failed and went on");
      assertThat(logged.get(1).getThrown()).isSameAs(other);
    }
  }

  /** What {@link SharedContext} logs while {@code action} runs, at every level. */
  private static List<LogRecord> logged(Runnable action) {
    Logger logger = Logger.getLogger(SharedContext.class.getName());
    List<LogRecord> records = new ArrayList<>();
    java.util.logging.Handler capture =
        new java.util.logging.Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Level level = logger.getLevel();
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false); // captured, not printed too
    logger.addHandler(capture);
    try {
      action.run();
    } finally {
      logger.removeHandler(capture);
      logger.setUseParentHandlers(true);
      logger.setLevel(level);
    }
    return records;
  }

  @Test
  void closingWithCallsInFlightAndHandlersRunningLeavesNoThreads() {
    RpcServer server =
        ServerConfig.builder()
            .testHandlers()
            .handler(
                "block",
                Handler.blocking(
                    body -> {
                      Thread.sleep(60_000);
                      return body;
                    }))
            .start();
    RpcClient client = RpcClient.connect(server.endpoint());
    CompletableFuture<byte[]> blocked = client.invoke("block", ascii("x"));
    CompletableFuture<byte[]> delayed = client.invoke("delay", ascii("60000"));
    Awaiting.until(() -> server.stats().pending() == 2, "both calls are running");

    server.close();
    client.close();

    assertThat(blocked).isCompletedExceptionally();
    assertThat(delayed).isCompletedExceptionally();
    awaitNoPeerThreads();
  }

  @Test
  void aCurveServerStopsItsAuthenticatorThreadToo() {
    CurveKeyPair keys = CurveKeyPair.generate();
    CurveKeyPair client = CurveKeyPair.generate();
    try (RpcServer server =
            ServerConfig.builder().testHandlers().curve(keys, client.publicKey()).start();
        RpcClient rpc =
            RpcClient.connect(
                ClientConfig.builder(server.endpoint()).curve(keys.publicKey(), client).build())) {
      assertThat(peerThreads()).anyMatch(name -> name.endsWith("-zap"));
      assertThat(rpc.call("echo", ascii("x"))).isEqualTo(ascii("x"));
    }
    awaitNoPeerThreads();
  }

  @Test
  void closeIsIdempotent() {
    RpcServer server = ServerConfig.builder().testHandlers().start();
    RpcClient client = RpcClient.connect(server.endpoint());
    Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build());

    connection.close();
    connection.close();
    client.close();
    client.close();
    server.close();
    server.close();

    awaitNoPeerThreads();
  }

  @Test
  void aServerThatCannotBindSaysWhereAndLeavesNothing() {
    try (RpcServer first = ServerConfig.builder().testHandlers().start()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> ServerConfig.builder().testHandlers().bind(first.endpoint()).start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot bind a Callosum server at " + first.endpoint());
    }
    awaitNoPeerThreads();
  }

  private static void runHundredClients() throws Exception {
    try (RpcServer server = ServerConfig.builder().testHandlers().start()) {
      List<RpcClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 100; i++) {
          clients.add(RpcClient.connect(server.endpoint()));
        }
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
          for (int i = 0; i < clients.size(); i++) {
            calls.add(clients.get(i).invoke("echo", ascii(i + "/" + round)));
          }
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).get();
        assertThat(calls).allSatisfy(c -> assertThat(c.get()).isNotEmpty());
        assertThat(server.stats().replies()).isEqualTo(1000);
      } finally {
        clients.forEach(RpcClient::close);
      }
    }
  }

  /** Open file descriptors by kind: socket, pipe, anon_inode (selectors), file. */
  static Map<String, Long> openDescriptors() {
    Map<String, Long> kinds = new TreeMap<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      fds.forEach(
          fd -> {
            try {
              String target = Files.readSymbolicLink(fd).toString();
              String kind =
                  target.startsWith("socket:")
                      ? "socket"
                      : target.startsWith("pipe:")
                          ? "pipe"
                          : target.startsWith("anon_inode:") ? "anon_inode" : "file";
              kinds.merge(kind, 1L, Long::sum);
            } catch (IOException e) {
              // closed while listing
            }
          });
    } catch (IOException e) {
      throw new AssertionError("cannot list /proc/self/fd", e);
    }
    return kinds;
  }

  private static boolean noMoreThan(Map<String, Long> before, Map<String, Long> after) {
    return Stream.of("socket", "pipe", "anon_inode")
        .allMatch(k -> after.getOrDefault(k, 0L) <= before.getOrDefault(k, 0L));
  }
}
