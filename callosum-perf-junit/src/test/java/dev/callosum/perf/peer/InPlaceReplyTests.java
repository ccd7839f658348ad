package dev.callosum.perf.peer;

import static dev.callosum.perf.peer.Bytes.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.protocol.MessageCodec;
import dev.callosum.perf.protocol.MessageType;
import dev.callosum.perf.protocol.OrderKey;
import dev.callosum.perf.protocol.RpcMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A large request is received with room before it, and an inline handler's reply is built in the
 * request's own array (Multipart.WITH_ROOM, RpcServer.sendInPlace): the reply must be byte for byte
 * what the copying path (and Python callosum) sends, for every size around the thresholds.
 */
class InPlaceReplyTests {
  private static final MessageCodec CODEC = new MessageCodec();

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(
      ints = {0, 100, 255, 256, 16 * 1024 - 1, 16 * 1024, 65_535, 65_536, 300_000, 1 << 20})
  void anEchoIsByteForByteTheReplyTheCopyingPathSends(int size) {
    byte[] payload = random(size, size);
    RpcMessage request =
        new RpcMessage(
            MessageType.FUNCTION, "echo", OrderKey.of("k"), 7, null, payload, false); // meta c4 00
    List<byte[]> expected =
        List.of(
            ascii("UPPER"),
            CODEC.encodeHeader(request.result(payload)),
            CODEC.encodeBody(request.result(payload)));
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RawDealer raw = new RawDealer(server.endpoint())) {
      raw.send(ascii("UPPER"), CODEC.encodeHeader(request), CODEC.encodeBody(request));

      List<byte[]> reply = raw.receive(10_000);

      assertThat(reply).as("a reply").isNotNull().hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertThat(reply.get(i)).as("frame %d", i).isEqualTo(expected.get(i));
      }
    }
  }

  @Test
  void aSliceOfALargeRequestIsAnsweredAndEachRequestGetsItsOwnAnswer() {
    Handler.Inline secondHalf =
        body ->
            new Handler.Slice(
                body.array(), body.offset() + body.length() / 2, body.length() - body.length() / 2);
    try (RpcServer server = ServerConfig.builder().handler("half", secondHalf).start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      for (int i = 0; i < 5; i++) {
        byte[] body = random(200_000 + i, i);
        byte[] half = java.util.Arrays.copyOfRange(body, body.length / 2, body.length);
        assertThat(client.call("half", body)).as("call %d", i).isEqualTo(half);
      }
    }
  }

  @Test
  void largeBodiesEchoUnderCurveAndWithCompressionBothWays() {
    CurveKeyPair serverKeys = CurveKeyPair.generate();
    CurveKeyPair clientKeys = CurveKeyPair.generate();
    byte[] body = random(500_000, 3);
    try (RpcServer server =
            ServerConfig.builder()
                .testHandlers()
                .curve(serverKeys, clientKeys.publicKey())
                .start();
        RpcClient client =
            RpcClient.connect(
                ClientConfig.builder(server.endpoint())
                    .curve(serverKeys.publicKey(), clientKeys)
                    .build())) {
      assertThat(client.call("echo", body)).isEqualTo(body);
    }
    try (RpcServer server = ServerConfig.builder().testHandlers().compress(true).start();
        RpcClient client = RpcClient.connect(server.endpoint())) {
      assertThat(client.call("echo", body)).isEqualTo(body);
    }
  }

  @Test
  void aLargePingIsEchoedExactly() {
    byte[] big = random(100_000, 5);
    try (RpcServer server = ServerConfig.builder().testHandlers().start();
        RawDealer raw = new RawDealer(server.endpoint())) {
      raw.send(ascii("PING"), ascii("abc"), big);

      List<byte[]> pong = raw.receive(10_000);

      assertThat(pong).isNotNull().hasSize(3);
      assertThat(pong.get(0)).isEqualTo(ascii("PONG"));
      assertThat(pong.get(2)).isEqualTo(big);
    }
  }

  @Test
  void onlyLargeFramesFromTheWireComeWithRoom() {
    try (ZContext context = new ZContext()) {
      ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
      Sockets.roomyMessages(router);
      int port = router.bindToRandomPort("tcp://127.0.0.1");
      ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
      dealer.connect("tcp://127.0.0.1:" + port);
      byte[] large = random(Multipart.ROOMY_FROM, 1);
      byte[] small = random(Multipart.ROOMY_FROM - 1, 2);
      List<byte[]> frames = new ArrayList<>();
      Multipart.Last last = new Multipart.Last();

      dealer.send(small, ZMQ.SNDMORE);
      dealer.send(large, 0);
      router.setReceiveTimeOut(10_000);
      assertThat(Multipart.read(router, 0, frames, last)).isTrue();
      assertThat(frames).hasSize(2); // the peer id, then the small frame, exact
      assertThat(frames.get(1)).isEqualTo(small);
      assertThat(last.roomy()).isTrue();
      assertThat(last.offset()).isEqualTo(Multipart.ROOM);
      assertThat(last.array()).hasSize(Multipart.ROOM + large.length);
      assertThat(frameOf(last)).isEqualTo(large);

      dealer.send(small, 0);
      assertThat(Multipart.read(router, 0, frames, last)).isTrue();
      assertThat(last.roomy()).isFalse();
      assertThat(last.offset()).isZero();
      assertThat(frameOf(last)).isEqualTo(small);

      router.setReceiveTimeOut(50);
      assertThat(Multipart.read(router, 0, frames, last)).as("nothing more").isFalse();
    }
  }

  private static byte[] frameOf(Multipart.Last last) {
    return java.util.Arrays.copyOfRange(last.array(), last.offset(), last.offset() + last.length());
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
