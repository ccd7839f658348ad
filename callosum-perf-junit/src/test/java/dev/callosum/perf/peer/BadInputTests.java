package dev.callosum.perf.peer;

import static dev.callosum.perf.peer.Bytes.ascii;
import static dev.callosum.perf.peer.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.protocol.MessageCodec;
import dev.callosum.perf.protocol.MessageType;
import dev.callosum.perf.protocol.OrderKey;
import dev.callosum.perf.protocol.RpcMessage;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * WIRE.md §8: the inputs that end the Python server's receive loop for good, the ones it tolerates,
 * and random frames. The Java server answers ERROR where it knows whom to answer, drops the rest,
 * and keeps serving.
 */
class BadInputTests {
  private static final MessageCodec CODEC = new MessageCodec();
  private static final byte[] UPPER = ascii("UPPER");
  private static final byte[] GOOD_BODY = hex("82 a4 6d657461 c4 00 a4 626f6479 c4 01 78");

  private RpcServer server;
  private RawDealer raw;

  @BeforeEach
  void start() {
    server = ServerConfig.builder().testHandlers().start();
    raw = new RawDealer(server.endpoint());
  }

  @AfterEach
  void stop() {
    raw.close();
    server.close();
  }

  // ------------------------------------------------ what kills the Python server (§8)

  @Test
  void anUnknownMethodIsAnsweredWithError() {
    raw.send(UPPER, header(h -> std(h, 1, "missing", 1, false)), GOOD_BODY);

    RpcMessage reply = PeerTests.decode(raw.receive(5000));
    assertThat(reply.type()).isEqualTo(MessageType.ERROR);
    assertThat(reply.errorInfo().name()).isEqualTo("UnknownMethodError");
    assertStillServing();
  }

  @Test
  void aMethodSentAsBinIsDropped() {
    raw.send(
        UPPER,
        header(
            h -> {
              h.packMapHeader(5);
              kv(h, "type").packInt(1);
              kv(h, "meth").packBinaryHeader(4).writePayload(ascii("echo"));
              kv(h, "okey").packBinaryHeader(0);
              kv(h, "seq").packInt(1);
              kv(h, "zip").packBoolean(false);
            }),
        GOOD_BODY);

    assertDroppedBecause("header 'meth' is a msgpack binary, expected a str");
  }

  @Test
  void aHeaderThatIsNotMsgpackIsDropped() {
    raw.send(UPPER, hex("c1 ff 00"), GOOD_BODY);

    assertDroppedBecause("header is not valid msgpack");
  }

  @Test
  void aHeaderMissingAKeyIsDropped() {
    raw.send(
        UPPER,
        header(
            h -> {
              h.packMapHeader(4);
              kv(h, "type").packInt(1);
              kv(h, "meth").packString("echo");
              kv(h, "okey").packBinaryHeader(0);
              kv(h, "seq").packInt(1);
            }),
        GOOD_BODY);

    assertDroppedBecause("header lacks 'zip'");
  }

  @Test
  void aTypeOutsideZeroToSixIsDropped() {
    raw.send(UPPER, header(h -> std(h, 7, "echo", 1, false)), GOOD_BODY);

    assertDroppedBecause("header 'type' is 7, expected 0-6");
  }

  @Test
  void zipWithABodyThatIsNotSnappyIsAnsweredWithError() {
    raw.send(UPPER, header(h -> std(h, 1, "echo", 3, true)), ascii("definitely not snappy"));

    RpcMessage reply = PeerTests.decode(raw.receive(5000));
    assertThat(reply.type()).isEqualTo(MessageType.ERROR);
    assertThat(reply.seq()).isEqualTo(3);
    assertThat(reply.errorInfo().repr()).contains("is not a valid snappy raw block");
    assertStillServing();
  }

  @Test
  void aBodyWithoutMetaOrBodyIsAnsweredWithError() {
    raw.send(UPPER, header(h -> std(h, 1, "echo", 4, false)), hex("81 a4 626f6479 c4 01 78"));
    raw.send(UPPER, header(h -> std(h, 1, "echo", 5, false)), hex("81 a4 6d657461 c4 00"));

    assertThat(PeerTests.decode(raw.receive(5000)).errorInfo().repr()).contains("lacks 'meta'");
    assertThat(PeerTests.decode(raw.receive(5000)).errorInfo().repr()).contains("lacks 'body'");
    assertStillServing();
  }

  // ------------------------------------------------ what Python tolerates

  @Test
  void unknownTypeFramesTooFewFramesAndPongsAreIgnored() {
    raw.send(ascii("HELLO"), header(h -> std(h, 1, "echo", 1, false)), GOOD_BODY);
    raw.send(UPPER);
    raw.send(ascii("PING"), new byte[0]); // two frames: the peer id becomes the type frame
    raw.send(ascii("PONG"), new byte[0], new byte[0]);
    raw.send(ascii("PING"), ascii("a"), ascii("b"), ascii("c")); // type frame is 'a'

    Awaiting.until(() -> server.stats().ignored() == 5, "five messages ignored");
    assertThat(raw.receive(200)).isNull();
    assertStillServing();
  }

  @Test
  void pingIsAnsweredWithPongEchoingFramesTwoAndThree() {
    raw.send(ascii("PING"), ascii("abc"), hex("00 01"));

    List<byte[]> pong = raw.receive(5000);
    assertThat(pong).hasSize(3);
    assertThat(pong.get(0)).isEqualTo(ascii("PONG"));
    assertThat(pong.get(1)).isEqualTo(ascii("abc"));
    assertThat(pong.get(2)).isEqualTo(hex("00 01"));
  }

  @Test
  void extraPrefixFramesAreAnsweredToThePeer() {
    raw.send(ascii("X"), UPPER, header(h -> std(h, 1, "echo", 9, false)), GOOD_BODY);

    assertThat(PeerTests.decode(raw.receive(5000)).body()).isEqualTo(ascii("x"));
  }

  @Test
  void extraAndReorderedHeaderKeysAnIntZipAndNilOrEmptyMetaAreAnswered() {
    raw.send(
        UPPER,
        header(
            h -> {
              h.packMapHeader(6);
              kv(h, "zip").packInt(0);
              kv(h, "extra").packInt(1);
              kv(h, "seq").packInt(11);
              kv(h, "okey").packNil();
              kv(h, "meth").packString("echo");
              kv(h, "type").packInt(1);
            }),
        hex("82 a4 6d657461 c0 a4 626f6479 c4 01 78"));
    raw.send(
        UPPER,
        header(h -> std(h, 1, "echo", 12, false)),
        hex("82 a4 6d657461 c4 01 90 a4 626f6479 c4 01 79"));

    RpcMessage first = PeerTests.decode(raw.receive(5000));
    assertThat(first.seq()).isEqualTo(11);
    assertThat(first.orderKey()).isEqualTo(OrderKey.nil());
    assertThat(PeerTests.decode(raw.receive(5000)).body()).isEqualTo(ascii("y"));
  }

  @Test
  void nullRepliesAndCancelsForUnknownRequestsAreIgnored() {
    for (int type : new int[] {0, 2, 3, 4, 6, 5}) {
      raw.send(UPPER, header(h -> std(h, type, "echo", 1, false)), GOOD_BODY);
    }

    Awaiting.until(
        () -> server.stats().ignored() == 5 && server.stats().cancels() == 1,
        "five messages ignored and one CANCEL received");
    assertThat(raw.receive(200)).isNull();
    assertStillServing();
  }

  @Test
  void aStrBodyIsAnsweredWithErrorInsteadOfSilence() {
    raw.send(
        UPPER,
        header(h -> std(h, 1, "echo", 2, false)),
        hex("82 a4 6d657461 c4 00 a4 626f6479 a1 78"));

    assertThat(PeerTests.decode(raw.receive(5000)).errorInfo().repr())
        .contains("body 'body' is a msgpack string, expected bin or nil");
  }

  // ------------------------------------------------ random frames

  @Test
  void thousandsOfRandomAndMutatedFramesLeaveTheServerServingEveryone() throws Exception {
    Random random = new Random(20261127);
    RpcMessage valid = RpcMessage.function("echo", OrderKey.of("k"), 1, ascii("payload"));
    byte[] header = CODEC.encodeHeader(valid);
    byte[] body = CODEC.encodeBody(valid);
    byte[] zipBody = CODEC.encodeBody(valid.withCompression(true));
    try (RpcClient bystander = RpcClient.connect(server.endpoint())) {
      CompletableFuture<?>[] calls = new CompletableFuture<?>[50];
      for (int i = 0; i < 5000; i++) {
        switch (i % 4) {
          case 0 -> raw.send(randomFrames(random));
          case 1 -> raw.send(UPPER, mutate(header, random), body);
          case 2 -> raw.send(UPPER, header, mutate(random.nextBoolean() ? body : zipBody, random));
          default ->
              raw.send(
                  UPPER, CODEC.encodeHeader(valid.withCompression(true)), mutate(zipBody, random));
        }
        if (i % 100 == 0) {
          calls[i / 100] = bystander.invoke("echo", ascii("still " + i));
        }
      }
      CompletableFuture.allOf(calls).get();
    }
    while (raw.receive(200) != null) {
      // replies to the fuzz that happened to be answerable
    }
    assertStillServing();
    assertThat(server.stats().malformed()).isGreaterThan(500);
    assertThat(server.stats().pending()).isZero();
  }

  private static byte[][] randomFrames(Random random) {
    byte[][] frames = new byte[1 + random.nextInt(5)][];
    for (int i = 0; i < frames.length; i++) {
      frames[i] = new byte[random.nextInt(48)];
      random.nextBytes(frames[i]);
    }
    return frames;
  }

  private static byte[] mutate(byte[] original, Random random) {
    byte[] copy = original.clone();
    switch (random.nextInt(3)) {
      case 0 -> copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
      case 1 -> copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
      default -> {
        return java.util.Arrays.copyOf(copy, random.nextInt(copy.length));
      }
    }
    return copy;
  }

  // ------------------------------------------------ helpers

  private void assertDroppedBecause(String reason) {
    // The first message of a fresh connection may wait out jeromq's connect stall: wait for it.
    Awaiting.until(() -> server.stats().malformed() == 1, "the message was dropped");
    assertThat(raw.receive(200)).as("no reply to a message the server cannot parse").isNull();
    assertThat(server.stats().lastMalformed()).contains(reason);
    assertStillServing();
  }

  /** A normal call still works, from this connection and from a new client. */
  private void assertStillServing() {
    RpcMessage request = RpcMessage.function("echo", OrderKey.NONE, 99, ascii("alive"));
    raw.send(UPPER, CODEC.encodeHeader(request), CODEC.encodeBody(request));
    List<byte[]> frames;
    do {
      frames = raw.receive(5000);
      assertThat(frames).as("an answer to a normal call").isNotNull();
    } while (PeerTests.decode(frames).seq() != 99);
    try (RpcClient fresh = RpcClient.connect(server.endpoint())) {
      assertThat(fresh.call("echo", ascii("alive"))).isEqualTo(ascii("alive"));
    }
  }

  private static void std(MessagePacker h, int type, String method, int seq, boolean zip)
      throws IOException {
    h.packMapHeader(5);
    kv(h, "type").packInt(type);
    kv(h, "meth").packString(method);
    kv(h, "okey").packBinaryHeader(0);
    kv(h, "seq").packInt(seq);
    kv(h, "zip").packBoolean(zip);
  }

  private static MessagePacker kv(MessagePacker h, String key) throws IOException {
    return h.packString(key);
  }

  /** A header written with msgpack-core, independently of the codec under test. */
  private static byte[] header(IoConsumer<MessagePacker> writer) {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      writer.accept(packer);
      return packer.toByteArray();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @FunctionalInterface
  private interface IoConsumer<T> {
    void accept(T t) throws IOException;
  }
}
