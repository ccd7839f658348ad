package dev.callosum.perf.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.xerial.snappy.Snappy;

/** Round trips of generated messages, msgpack-core as an independent oracle, and every refusal. */
class MessageCodecTests {
  private final MessageCodec codec = new MessageCodec();

  @Test
  void generatedMessagesRoundTrip() throws Exception {
    Random random = new Random(42);
    for (int i = 0; i < 3000; i++) {
      RpcMessage message = randomMessage(random);

      RpcMessage decoded = codec.decode(codec.encodeHeader(message), codec.encodeBody(message));

      assertThat(decoded).as("message %d: %s", i, message).isEqualTo(message);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 31, 32, 255, 256, 65535, 65536, 70000})
  void stringAndBinWidthsMatchMsgpackCore(int length) throws IOException {
    String method = "m".repeat(length);
    byte[] body = new byte[length];
    RpcMessage message =
        new RpcMessage(
            MessageType.RESULT, method, OrderKey.of(method), length, List.of(method), body, false);

    try (MessageBufferPacker header = MessagePack.newDefaultBufferPacker();
        MessageBufferPacker meta = MessagePack.newDefaultBufferPacker();
        MessageBufferPacker packed = MessagePack.newDefaultBufferPacker()) {
      header
          .packMapHeader(5)
          .packString("type")
          .packInt(2)
          .packString("meth")
          .packString(method)
          .packString("okey")
          .packString(method)
          .packString("seq")
          .packLong(length)
          .packString("zip")
          .packBoolean(false);
      meta.packArrayHeader(1).packString(method);
      byte[] metaBytes = meta.toByteArray();
      packed
          .packMapHeader(2)
          .packString("meta")
          .packBinaryHeader(metaBytes.length)
          .writePayload(metaBytes)
          .packString("body")
          .packBinaryHeader(length)
          .writePayload(body);

      assertThat(codec.encodeHeader(message)).isEqualTo(header.toByteArray());
      assertThat(codec.packBody(message)).isEqualTo(packed.toByteArray());
    }
  }

  @ParameterizedTest
  @ValueSource(
      longs = {
        0,
        127,
        128,
        255,
        256,
        65535,
        65536,
        4294967295L,
        4294967296L,
        Long.MAX_VALUE,
        -1,
        -32,
        -33,
        -128,
        -129,
        -32768,
        -32769,
        Integer.MIN_VALUE,
        Long.MIN_VALUE
      })
  void integersUseTheSmallestFormLikeMsgpackCore(long seq) throws Exception {
    RpcMessage message = RpcMessage.function("f", OrderKey.NONE, seq, new byte[0]);
    try (MessageBufferPacker expected = MessagePack.newDefaultBufferPacker()) {
      expected
          .packMapHeader(5)
          .packString("type")
          .packInt(1)
          .packString("meth")
          .packString("f")
          .packString("okey")
          .packBinaryHeader(0)
          .packString("seq")
          .packLong(seq)
          .packString("zip")
          .packBoolean(false);

      assertThat(codec.encodeHeader(message)).isEqualTo(expected.toByteArray());
      assertThat(codec.decodeHeader(codec.encodeHeader(message)).seq()).isEqualTo(seq);
    }
  }

  @Test
  void compressedBodiesAreSnappyRawBlocks() throws Exception {
    byte[] text = "abc".repeat(1000).getBytes(StandardCharsets.US_ASCII);
    RpcMessage message = RpcMessage.function("echo", OrderKey.NONE, 0, text).withCompression(true);

    byte[] frame = codec.encodeBody(message);

    assertThat(frame.length).isLessThan(text.length / 10);
    assertThat(Snappy.uncompress(frame)).isEqualTo(codec.packBody(message));
    assertThat(codec.decodeHeader(codec.encodeHeader(message)).compressed()).isTrue();
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, 255, 256, 65_535, 65_536, 200_000})
  void aPrefixWrittenBeforeABodyMakesTheFrameEncodeBodyMakes(int size) throws Exception {
    byte[] body = new byte[size];
    new Random(size).nextBytes(body);
    for (List<String> metadata : List.of(List.<String>of(), List.of("a", "bé"))) {
      byte[] expected = codec.encodeBody(metadata, body, 0, size, false);
      int room = 40;
      byte[] array = new byte[room + size + 3];
      System.arraycopy(body, 0, array, room, size);

      int start = codec.packBodyPrefixBefore(metadata, array, room, size, 0);

      assertThat(start).isGreaterThanOrEqualTo(0);
      assertThat(java.util.Arrays.copyOfRange(array, start, room + size)).isEqualTo(expected);
      assertThat(codec.packBodyPrefixBefore(metadata, array, room, size, start + 1))
          .as("no room after minStart")
          .isEqualTo(-1);
      assertThat(codec.packBodyPrefixBefore(metadata, array, expected.length - size - 1, size, 0))
          .as("no room before the array")
          .isEqualTo(-1);
    }
  }

  @Test
  void aBodyFrameInsideALargerArrayDecodesAsTheFrameAlone() throws Exception {
    RpcMessage plain = RpcMessage.function("echo", OrderKey.NONE, 0, "abc".repeat(500).getBytes());
    for (RpcMessage message : List.of(plain, plain.withCompression(true))) {
      byte[] frame = codec.encodeBody(message);
      byte[] array = new byte[7 + frame.length + 5];
      System.arraycopy(frame, 0, array, 7, frame.length);

      BodyView alone = codec.decodeBodyView(message, frame);
      BodyView inside = codec.decodeBodyView(message, array, 7, frame.length);

      assertThat(inside.copy()).isEqualTo(alone.copy()).isEqualTo(message.body());
      assertThat(inside.metadata()).isEqualTo(alone.metadata());
      if (!message.compressed()) {
        assertThat(inside.array()).isSameAs(array);
        assertThat(inside.offset()).isEqualTo(alone.offset() + 7);
      }
    }
    assertRefused(
        () -> codec.decodeBodyView(plain, new byte[] {(byte) 0x82, 1, 2}, 1, 1),
        "body is a msgpack integer, expected a map");
  }

  @Test
  void refusalsSayWhatWasWrong() {
    byte[] goodHeader = codec.encodeHeader(RpcMessage.function("e", OrderKey.NONE, 0, new byte[0]));
    assertRefused(() -> codec.decodeHeader(new byte[0]), "header frame is empty");
    assertRefused(
        () -> codec.decodeHeader(hex("93 01 02 03")), "header is a msgpack array, expected a map");
    assertRefused(
        () -> codec.decodeHeader(hex("81 a4 74797065 a1 78")),
        "header 'type' is a msgpack string, expected an integer");
    assertRefused(
        () -> codec.decodeHeader(hex("81 a4 6f6b6579 01")),
        "header 'okey' is a msgpack integer, expected bin, str or nil");
    assertRefused(
        () -> codec.decodeHeader(hex("81 a3 7a6970 a1 78")),
        "header 'zip' is a msgpack string, expected a bool");
    assertRefused(
        () -> codec.decodeHeader(hex("81 a4 6d657468 a2 c3 28")),
        "header 'meth' is a msgpack str that is not valid UTF-8");
    assertRefused(
        () -> codec.decodeHeader(hex("81 a4 6d657468 db 7f ff ff ff")),
        "declares 2147483647 bytes but only 0 are left");
    assertRefused(
        () -> codec.decodeHeader(concat(goodHeader, hex("c0"))),
        "header has 1 bytes after its msgpack value");
    assertRefused(
        () -> codec.decodeHeader(hex("80")), "header lacks 'type', 'meth', 'okey', 'seq', 'zip'");
    RpcMessage header = RpcMessage.function("e", OrderKey.NONE, 0, new byte[0]);
    assertRefused(
        () -> codec.decodeBody(header, hex("82 a4 6d657461 01 a4 626f6479 c0")),
        "body 'meta' is a msgpack integer, expected a bin holding packed metadata");
    assertRefused(
        () -> codec.decodeBody(header, hex("82 a4 6d657461 c4 01 01 a4 626f6479 c0")),
        "body 'meta' holds a msgpack integer, expected an array of str");
    assertRefused(
        () -> codec.decodeBody(header, hex("82 a4 6d657461 c4 02 91 01 a4 626f6479 c0")),
        "body 'meta' item 0 is a msgpack integer, expected a str");
    assertRefused(
        () -> new MessageCodec(10).decodeBody(header, new byte[11]),
        "body of 11 bytes exceeds the maximum body size of 10 bytes");
  }

  @Test
  void aDecompressionBombIsRefusedBeforeItIsInflated() throws IOException {
    RpcMessage zipped =
        RpcMessage.function("e", OrderKey.NONE, 0, new byte[0]).withCompression(true);
    byte[] bomb = Snappy.compress(new byte[5 << 20]);

    assertThat(bomb.length).isLessThan(1 << 20);
    assertRefused(
        () -> new MessageCodec(1 << 20).decodeBody(zipped, bomb),
        "body of 5242880 bytes exceeds the maximum body size of 1048576 bytes");
  }

  @Test
  void aCodecNeedsAPositiveLimit() {
    assertThatThrownBy(() -> new MessageCodec(0)).hasMessage("maxBodySize must be positive, was 0");
  }

  @Test
  void orderKeysPrintAsPythonWouldAndCompareByType() {
    assertThat(OrderKey.NONE).hasToString("b''");
    assertThat(OrderKey.of("k1")).hasToString("'k1'");
    assertThat(OrderKey.ofBytes(new byte[] {0, 1})).hasToString("b'\\x00\\x01'");
    assertThat(OrderKey.nil()).hasToString("None");
    assertThat(OrderKey.of("k1"))
        .isNotEqualTo(OrderKey.ofBytes("k1".getBytes(StandardCharsets.UTF_8)));
    assertThat(OrderKey.of("")).isNotEqualTo(OrderKey.NONE);
  }

  private static void assertRefused(ThrowingCall call, String reason) {
    assertThatThrownBy(call::run)
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining(reason);
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }

  static RpcMessage randomMessage(Random random) {
    MessageType type = MessageType.values()[random.nextInt(7)];
    String method = randomText(random, random.nextInt(4) == 0 ? 300 : 12);
    OrderKey key =
        switch (random.nextInt(4)) {
          case 0 -> OrderKey.NONE;
          case 1 -> OrderKey.of(randomText(random, 8));
          case 2 -> OrderKey.ofBytes(randomBytes(random, 8));
          default -> OrderKey.nil();
        };
    long seq = random.nextInt(3) == 0 ? random.nextLong() : random.nextLong() & 0xFFFF_FFFFL;
    List<String> metadata = null;
    if (random.nextBoolean()) {
      metadata = new ArrayList<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        metadata.add(randomText(random, 60));
      }
    }
    byte[] body =
        random.nextInt(4) == 0 ? null : randomBytes(random, random.nextInt(8) == 0 ? 70_000 : 300);
    return new RpcMessage(type, method, key, seq, metadata, body, random.nextBoolean());
  }

  private static String randomText(Random random, int max) {
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(max + 1); i > 0; i--) {
      s.appendCodePoint(
          random.nextInt(5) == 0 ? 0x400 + random.nextInt(0x2000) : 0x20 + random.nextInt(0x5f));
    }
    return s.toString();
  }

  private static byte[] randomBytes(Random random, int max) {
    byte[] bytes = new byte[random.nextInt(max + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
