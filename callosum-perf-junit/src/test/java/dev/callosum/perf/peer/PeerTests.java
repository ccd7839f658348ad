package dev.callosum.perf.peer;

import static dev.callosum.perf.peer.Bytes.ascii;
import static dev.callosum.perf.peer.Bytes.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callosum.perf.protocol.MessageCodec;
import dev.callosum.perf.protocol.MessageType;
import dev.callosum.perf.protocol.OrderKey;
import dev.callosum.perf.protocol.PythonJson;
import dev.callosum.perf.protocol.RpcMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** A Java client against a Java server over loopback: every outcome, as the caller sees it. */
class PeerTests {
  private static final MessageCodec CODEC = new MessageCodec();

  @Test
  void echoesThroughTheAsyncClientAndTheConnection() throws Exception {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RpcClient client = RpcClient.connect(server.endpoint());
        Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build())) {
      byte[] payload = new byte[1000];
      for (int i = 0; i < payload.length; i++) {
        payload[i] = (byte) (i * 7 + 3);
      }

      assertThat(client.invoke("echo", payload).get()).isEqualTo(payload);
      assertThat(client.call("echo", new byte[0])).isEmpty();
      assertThat(connection.call("echo", OrderKey.of("k1"), payload)).isEqualTo(payload);
      assertThat(client.handshakeLatency()).isPositive();
      assertThat(server.endpoint()).startsWith("tcp://127.0.0.1:");
      assertThat(server.stats().replies()).isEqualTo(3);
    }
  }

  @Test
  void manyCallsInFlightOnOneClientAllComeBack() throws Exception {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      List<CompletableFuture<byte[]>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        calls.add(client.invoke("echo", ascii(Integer.toString(i))));
      }
      for (int i = 0; i < calls.size(); i++) {
        assertThat(calls.get(i).get()).isEqualTo(ascii(Integer.toString(i)));
      }
      assertThat(client.inFlight()).isZero();
    }
  }

  @Test
  void serverEchoesTheOrderKeyWithItsMsgpackType() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RawDealer raw = new RawDealer(server.endpoint())) {
      for (OrderKey key :
          List.of(
              OrderKey.NONE,
              OrderKey.of(""),
              OrderKey.of("k1"),
              OrderKey.ofBytes(ascii("k1")),
              OrderKey.nil())) {
        RpcMessage request = RpcMessage.function("echo", key, 7, ascii("x"));
        raw.send(ascii("UPPER"), CODEC.encodeHeader(request), CODEC.encodeBody(request));

        RpcMessage reply = decode(raw.receive(5000));

        assertThat(reply.type()).isEqualTo(MessageType.RESULT);
        assertThat(reply.orderKey()).isEqualTo(key);
        assertThat(reply.orderKey().kind()).isEqualTo(key.kind());
        assertThat(reply.answers(request)).isTrue();
      }
    }
  }

  @Test
  void serverEchoesOutOfRangeSeqsUnchanged() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RawDealer raw = new RawDealer(server.endpoint())) {
      for (long seq : new long[] {0, 127, 128, 65536, 4294967295L, 4294967296L, -1}) {
        RpcMessage request = RpcMessage.function("echo", OrderKey.NONE, seq, ascii("s"));
        raw.send(ascii("UPPER"), CODEC.encodeHeader(request), CODEC.encodeBody(request));

        assertThat(decode(raw.receive(5000)).seq()).isEqualTo(seq);
      }
    }
  }

  @Test
  void sequenceIdsWrapAtTwoToThe32() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build())) {
      connection.seedSeq(4294967294L);

      assertThat(connection.send("echo", OrderKey.NONE, ascii("a")).seq()).isEqualTo(4294967294L);
      assertThat(connection.send("echo", OrderKey.NONE, ascii("b")).seq()).isEqualTo(4294967295L);
      assertThat(connection.send("echo", OrderKey.NONE, ascii("c")).seq()).isZero();
      assertThat(
              List.of(
                  connection.receive(5_000_000_000L).seq(),
                  connection.receive(5_000_000_000L).seq(),
                  connection.receive(5_000_000_000L).seq()))
          .containsExactly(4294967294L, 4294967295L, 0L);
      assertThat(connection.call("echo", ascii("after the wrap")))
          .isEqualTo(ascii("after the wrap"));
    }
  }

  @Test
  void aFailingHandlerIsAFailureWithTheExceptionDescribed() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      assertThatThrownBy(() -> client.call("fail", ascii("x")))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RpcException.Kind.FAILURE);
                assertThat(e.error().name()).isEqualTo("IllegalStateException");
                assertThat(e.error().repr())
                    .isEqualTo("IllegalStateException('failing on purpose')");
                assertThat(e.error().traceback()).contains("at dev.callosum.perf.peer.Handlers");
              })
          .hasMessage("handler of 'fail' failed: IllegalStateException('failing on purpose')");
    }
  }

  @Test
  void inlineHandlersAnswerFromTheFrameAndFailLikeOthers() {
    Handler.Inline firstHalf =
        body -> new Handler.Slice(body.array(), body.offset(), body.length() / 2);
    Handler.Inline broken =
        body -> {
          throw new IllegalArgumentException("cannot take " + body.length() + " bytes");
        };
    try (RpcServer server =
            ServerConfig.builder().handler("half", firstHalf).handler("broken", broken).start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      assertThat(client.call("half", ascii("abcdef"))).isEqualTo(ascii("abc"));
      assertThatThrownBy(() -> client.call("broken", ascii("xy")))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RpcException.Kind.FAILURE);
                assertThat(e.error().repr())
                    .isEqualTo("IllegalArgumentException('cannot take 2 bytes')");
              });
    }
  }

  @Test
  void anInlineHandlerRunThroughHandleAnswersTheSame() throws Exception {
    // As a scheduler runs it when an earlier request of its key is still running.
    Handler.Inline firstHalf =
        body -> new Handler.Slice(body.array(), body.offset(), body.length() / 2);
    Request request =
        new Request() {
          @Override
          public String method() {
            return "half";
          }

          @Override
          public dev.callosum.perf.protocol.OrderKey orderKey() {
            return dev.callosum.perf.protocol.OrderKey.NONE;
          }

          @Override
          public long seq() {
            return 1;
          }

          @Override
          public byte[] body() {
            return ascii("abcdef");
          }

          @Override
          public java.util.concurrent.ExecutorService workers() {
            throw new UnsupportedOperationException();
          }

          @Override
          public java.util.concurrent.ScheduledExecutorService timer() {
            throw new UnsupportedOperationException();
          }
        };
    assertThat(firstHalf.handle(request).toCompletableFuture().getNow(null))
        .isEqualTo(ascii("abc"));
  }

  @Test
  void aHandlerThatThrowsBeforeReturningAStageIsAFailureToo() {
    Handler throwing =
        request -> {
          throw new java.io.IOException("disk on fire");
        };
    try (RpcServer server = ServerConfig.builder().handler("t", throwing).start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      assertThatThrownBy(() -> client.call("t", ascii("x")))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> assertThat(e.error().repr()).isEqualTo("IOException('disk on fire')"));
    }
  }

  @Test
  void anUnknownMethodIsAnErrorNamingTheServedMethods() {
    try (RpcServer server = ServerConfig.builder().handler("echo", Handlers.echo()).start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      assertThatThrownBy(() -> client.call("nope", ascii("x")))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RpcException.Kind.ERROR);
                assertThat(e.error().name()).isEqualTo("UnknownMethodError");
              })
          .hasMessageContaining("no handler for method 'nope'; this server serves [echo]");
      assertThat(client.call("echo", ascii("still up"))).isEqualTo(ascii("still up"));
    }
  }

  @Test
  void aHandlerReturningNullIsAnErrorNotSilence() {
    try (RpcServer server = ServerConfig.builder().handler("none", Handler.of(b -> null)).start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      assertThatThrownBy(() -> client.call("none", ascii("x")))
          .isInstanceOfSatisfying(
              RemoteException.class, e -> assertThat(e.error().name()).isEqualTo("NoResultError"))
          .hasMessageContaining("returned null");
    }
  }

  @Test
  void aTimeoutFailsTheCallAndSendsCancel() throws Exception {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      CompletableFuture<byte[]> call =
          client.invoke("delay", OrderKey.NONE, ascii("2000"), Duration.ofMillis(100));

      assertThatThrownBy(call::get)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              RpcException.class, e -> assertThat(e.kind()).isEqualTo(RpcException.Kind.TIMEOUT))
          .hasMessageContaining("no reply to 'delay' (seq 0)")
          .hasMessageContaining("sent CANCEL");
      Awaiting.until(() -> server.stats().cancels() == 1, "the server received the CANCEL");
      // The exit-ordered handler keeps running, as in Python; the late reply is dropped.
      assertThat(client.call("echo", ascii("next"))).isEqualTo(ascii("next"));
    }
  }

  @Test
  void theBlockingConnectionTimesOutAndCancelsToo() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build())) {
      assertThatThrownBy(
              () -> connection.call("delay", OrderKey.NONE, ascii("1000"), Duration.ofMillis(50)))
          .isInstanceOfSatisfying(
              RpcException.class, e -> assertThat(e.kind()).isEqualTo(RpcException.Kind.TIMEOUT));
      Awaiting.until(() -> server.stats().cancels() == 1, "the server received the CANCEL");
      // The late RESULT of the cancelled call is skipped, not taken for this call's reply.
      assertThat(connection.call("echo", ascii("fresh"))).isEqualTo(ascii("fresh"));
    }
  }

  @Test
  void cancelHasNoEffectUnderExitOrdered() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build())) {
      RpcMessage request = connection.send("delay", OrderKey.NONE, ascii("200"));
      connection.sendCancel(request);

      RpcMessage reply = connection.receive(10_000_000_000L);

      assertThat(reply.type()).isEqualTo(MessageType.RESULT);
      assertThat(reply.body()).isEqualTo(ascii("200"));
    }
  }

  @Test
  void cancelUnderKeySerializedCancelsTheRunningHandler() throws Exception {
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
    Handler sleeper =
        Handler.blocking(
            body -> {
              try {
                Thread.sleep(60_000);
                interrupted.complete(false);
              } catch (InterruptedException e) {
                interrupted.complete(true);
                throw e;
              }
              return body;
            });
    try (RpcServer server =
            ServerConfig.builder().handler("sleep", sleeper).keySerialized(true).start();
        Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build())) {
      RpcMessage request = connection.send("sleep", OrderKey.NONE, ascii("x"));
      Awaiting.until(() -> server.stats().pending() == 1, "the handler is running");
      connection.sendCancel(request);

      RpcMessage reply = connection.receive(10_000_000_000L);

      assertThat(reply.type()).isEqualTo(MessageType.CANCELLED);
      assertThat(reply.answers(request)).isTrue();
      assertThat(interrupted.get()).isTrue();
      assertThatThrownBy(() -> Connection.outcome(reply))
          .isInstanceOfSatisfying(
              RpcException.class, e -> assertThat(e.kind()).isEqualTo(RpcException.Kind.CANCELLED));
      Awaiting.until(
          () -> server.stats().pending() == 0 && server.stats().keyQueues() == 0,
          "the server holds nothing");
    }
  }

  @Test
  void cancelUnderKeySerializedRemovesAQueuedRequest() {
    try (RpcServer server = ServerConfig.builder().testHandlers().keySerialized(true).start();
        Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build())) {
      RpcMessage first = connection.send("delay", OrderKey.of("k"), ascii("300"));
      RpcMessage second = connection.send("delay", OrderKey.of("k"), ascii("300"));
      Awaiting.until(() -> server.stats().pending() == 2, "both requests arrived");
      connection.sendCancel(second);

      RpcMessage cancelled = connection.receive(10_000_000_000L);
      RpcMessage result = connection.receive(10_000_000_000L);

      assertThat(cancelled.type()).isEqualTo(MessageType.CANCELLED);
      assertThat(cancelled.answers(second)).isTrue();
      assertThat(result.type()).isEqualTo(MessageType.RESULT);
      assertThat(result.answers(first)).isTrue();
      assertThat(server.stats().keyQueues()).isZero();
    }
  }

  @Test
  void compressionIsRealBothWaysAndBothSidesDecodeEither() {
    try (RpcServer server = ServerConfig.builder().testHandlers().compress(true).start();
        RpcClient zipping =
            RpcClient.connect(ClientConfig.builder(server.endpoint()).compress(true).build());
        RpcClient plain = RpcClient.connect(server.endpoint());
        RawDealer raw = new RawDealer(server.endpoint())) {
      byte[] text = utf8("compressible ".repeat(10_000));

      assertThat(zipping.call("echo", text)).isEqualTo(text);
      assertThat(plain.call("echo", text)).isEqualTo(text);

      RpcMessage request = RpcMessage.function("echo", OrderKey.NONE, 1, text);
      raw.send(ascii("UPPER"), CODEC.encodeHeader(request), CODEC.encodeBody(request));
      List<byte[]> frames = raw.receive(5000);
      RpcMessage reply = decode(frames);
      assertThat(reply.compressed()).isTrue();
      assertThat(frames.get(2).length).isLessThan(text.length / 10);
      assertThat(reply.body()).isEqualTo(text);
    }
  }

  @Test
  void bodiesOverTheMaximumAreRefusedWithAnError() {
    try (RpcServer server = ServerConfig.builder().testHandlers().maxBodySize(4096).start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      assertThatThrownBy(() -> client.call("echo", new byte[5000]))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RpcException.Kind.ERROR);
                assertThat(e.error().name()).isEqualTo("WireFormatError");
              })
          .hasMessageContaining("exceeds the maximum body size of 4096 bytes");
      assertThat(client.call("echo", new byte[4000])).hasSize(4000);
    }
  }

  @Test
  void theDefaultMaximumIsTenMebibytesAndTwelveIsRefused() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RpcClient client =
            RpcClient.connect(
                ClientConfig.builder(server.endpoint()).maxBodySize(32 << 20).build())) {
      assertThatThrownBy(() -> client.call("echo", new byte[12 << 20]))
          .hasMessageContaining("exceeds the maximum body size of 10485760 bytes");
      assertThat(client.call("echo", new byte[9 << 20])).hasSize(9 << 20);
    }
  }

  @Test
  void jsonBodiesAreAnOption() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      byte[] reply = client.call("echo", PythonJson.encode(Map.of("sent", "abc")));

      assertThat(reply).isEqualTo(utf8("{\"sent\": \"abc\"}"));
      assertThat(PythonJson.decode(reply, Map.class).get("sent")).isEqualTo("abc");
    }
  }

  @Test
  void tooManyCallsInFlightAreRefusedAtOnce() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RpcClient client =
            RpcClient.connect(ClientConfig.builder(server.endpoint()).maxInFlight(2).build())) {
      client.invoke("delay", ascii("300"));
      client.invoke("delay", ascii("300"));

      assertThatThrownBy(() -> client.call("echo", ascii("x")))
          .isInstanceOfSatisfying(
              RpcException.class, e -> assertThat(e.kind()).isEqualTo(RpcException.Kind.TRANSPORT))
          .hasMessageContaining("already has 2 calls in flight (maxInFlight)");
    }
  }

  @Test
  void aServerOverItsPendingLimitAnswersOverloaded() {
    try (RpcServer server = ServerConfig.builder().testHandlers().maxPendingRequests(1).start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      CompletableFuture<byte[]> slow = client.invoke("delay", ascii("300"));
      Awaiting.until(() -> server.stats().pending() == 1, "the slow call is pending");

      assertThatThrownBy(() -> client.call("sized", ascii("3")))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> assertThat(e.error().name()).isEqualTo("OverloadedError"));
      // An echo holds nothing, so the server still answers it at once.
      assertThat(client.call("echo", ascii("x"))).isEqualTo(ascii("x"));
      assertThat(slow.join()).isEqualTo(ascii("300"));
    }
  }

  @Test
  void closingTheClientFailsWhatIsStillInFlight() {
    RpcServer server = ServerConfig.builder().testHandlers().start();
    try (server) {
      RpcClient client = RpcClient.connect(server.endpoint());
      CompletableFuture<byte[]> call = client.invoke("delay", ascii("5000"));
      client.close();

      assertThatThrownBy(call::join)
          .cause()
          .isInstanceOfSatisfying(
              RpcException.class, e -> assertThat(e.kind()).isEqualTo(RpcException.Kind.TRANSPORT))
          .hasMessageContaining("is closed");
      assertThatThrownBy(() -> client.call("echo", ascii("x"))).hasMessageContaining("is closed");
    }
  }

  @Test
  void aConnectionRefusesUseFromAnotherThread() throws Exception {
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        Connection connection = Connection.open(ClientConfig.builder(server.endpoint()).build())) {
      CompletableFuture<Throwable> failure = new CompletableFuture<>();
      Thread other =
          new Thread(
              () -> {
                try {
                  connection.call("echo", ascii("x"));
                  failure.complete(null);
                } catch (Throwable t) {
                  failure.complete(t);
                }
              },
              "some-other-thread");
      other.start();
      other.join();

      assertThat(failure.get())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("used from some-other-thread; use RpcClient");
    }
  }

  static RpcMessage decode(List<byte[]> frames) {
    assertThat(frames).as("a reply within the timeout").isNotNull().hasSize(3);
    assertThat(frames.get(0)).isEqualTo(ascii("UPPER"));
    try {
      return CODEC.decode(frames.get(1), frames.get(2));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
