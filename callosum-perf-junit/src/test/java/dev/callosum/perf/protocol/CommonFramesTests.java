package dev.callosum.perf.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The straight reading of common frames gives what the general msgpack reading gives, or steps
 * aside (null) — for every golden vector, and for many thousands of broken copies of them.
 */
class CommonFramesTests {

  private static final List<JsonNode> VECTORS = new ArrayList<>();

  static {
    WireVectorsTests.load().get("vectors").forEach(VECTORS::add);
  }

  private final MessageCodec codec = new MessageCodec();

  private static byte[] header(JsonNode vector) {
    return WireVectorsTests.b64(vector.get("header_b64"));
  }

  private static byte[] body(JsonNode vector) {
    return WireVectorsTests.b64(vector.get("body_b64"));
  }

  /** What the codec's general reader makes of a header, or the exception it throws. */
  private Object generally(byte[] header) {
    try {
      return codec.readHeader(header);
    } catch (WireFormatException e) {
      return e;
    }
  }

  private Object generally(byte[] body, int offset, int length) {
    try {
      return codec.readBodyView(body, offset, length);
    } catch (WireFormatException e) {
      return e;
    }
  }

  @Test
  void everyGoldenHeaderReadsAsTheGeneralReaderReadsIt() {
    int common = 0;
    for (JsonNode vector : VECTORS) {
      byte[] h = header(vector);
      RpcMessage quick = new CommonFrames().header(h);
      if (quick != null) {
        common++;
        assertThat(quick).as(vector.get("name").asText()).isEqualTo(generally(h));
      }
    }
    // Each vector's header is one a Python peer wrote; all but the one with a method name over 31
    // bytes and the one with a non-ASCII name are of the common shape.
    assertThat(common).isEqualTo(VECTORS.size() - 2);
  }

  @Test
  void everyGoldenBodyWithoutMetadataReadsAsTheGeneralReaderReadsIt() {
    int common = 0;
    int uncompressed = 0;
    for (JsonNode vector : VECTORS) {
      if (vector.get("logical").get("compressed").asBoolean()) {
        continue;
      }
      uncompressed++;
      byte[] b = body(vector);
      BodyView quick = CommonFrames.body(b, 0, b.length);
      boolean metadata = !vector.get("logical").get("metadata").get("class").isNull();
      if (!metadata) {
        assertThat(quick).as(vector.get("name").asText()).isNotNull();
      }
      if (quick != null) {
        common++;
        assertThat(quick).as(vector.get("name").asText()).isEqualTo(generally(b, 0, b.length));
      }
    }
    assertThat(common).isPositive().isLessThanOrEqualTo(uncompressed);
  }

  @Test
  void aPythonRequestAndAJavaReplyAreOfTheCommonShape() throws Exception {
    RpcMessage request = RpcMessage.function("echo", OrderKey.NONE, 7, new byte[] {1, 2, 3});
    RpcMessage reply = request.result(new byte[1000]);
    for (RpcMessage m : List.of(request, reply)) {
      byte[] h = codec.encodeHeader(m);
      byte[] b = codec.encodeBody(m);
      assertThat(new CommonFrames().header(h)).isEqualTo(codec.readHeader(h));
      assertThat(CommonFrames.body(b, 0, b.length)).isEqualTo(codec.readBodyView(b, 0, b.length));
    }
  }

  @Test
  void seqsOfEveryWidthUpTo32BitsAndBothZipsAreOfTheCommonShape() throws Exception {
    for (long seq : List.of(0L, 127L, 128L, 255L, 256L, 65_535L, 65_536L, 0xFFFF_FFFFL)) {
      for (boolean zip : List.of(false, true)) {
        byte[] h =
            codec.encodeHeader(
                RpcMessage.function("echo", OrderKey.of("key"), seq, new byte[0])
                    .withCompression(zip));
        RpcMessage quick = new CommonFrames().header(h);
        assertThat(quick).as("seq %d zip %s", seq, zip).isEqualTo(codec.readHeader(h));
        assertThat(quick.seq()).isEqualTo(seq);
        assertThat(quick.compressed()).isEqualTo(zip);
      }
    }
  }

  @Test
  void aBodyInsideALargerArrayIsReadAtItsOffset() throws Exception {
    byte[] frame = codec.encodeBody(RpcMessage.function("echo", OrderKey.NONE, 1, new byte[300]));
    byte[] array = new byte[frame.length + 20];
    System.arraycopy(frame, 0, array, 9, frame.length);
    array[8] = (byte) 0x81; // what lies before and after is not the frame's
    array[9 + frame.length] = (byte) 0xc4;

    BodyView view = CommonFrames.body(array, 9, frame.length);

    assertThat(view).isEqualTo(codec.readBodyView(array, 9, frame.length));
    assertThat(view.length()).isEqualTo(300);
  }

  @Test
  void methodNamesOfTheSameLengthAreNotTakenForTheLastOne() throws Exception {
    CommonFrames frames = new CommonFrames();
    for (String method : List.of("echo", "echo", "ping", "echo", "e", "echo")) {
      byte[] h = codec.encodeHeader(RpcMessage.function(method, OrderKey.NONE, 1, new byte[0]));
      assertThat(frames.header(h).method()).isEqualTo(method);
    }
  }

  @Test
  void uncommonButValidFramesAreLeftToTheGeneralReader() throws Exception {
    CommonFrames frames = new CommonFrames();
    // A non-ASCII method or order key, a seq beyond 32 bits, metadata in the body.
    for (RpcMessage m :
        List.of(
            RpcMessage.function("échø", OrderKey.NONE, 1, new byte[0]),
            RpcMessage.function("echo", OrderKey.of("ké"), 1, new byte[0]),
            RpcMessage.function("echo", OrderKey.NONE, 1L << 33, new byte[0]))) {
      byte[] h = codec.encodeHeader(m);
      assertThat(frames.header(h)).as(m.toString()).isNull();
      assertThat(codec.decodeHeader(h)).isEqualTo(codec.readHeader(h));
    }
    RpcMessage failure =
        new RpcMessage(
            MessageType.FAILURE,
            "echo",
            OrderKey.NONE,
            1,
            List.of("ValueError", "ValueError()", "Traceback"),
            null,
            false);
    byte[] b = codec.encodeBody(failure);
    assertThat(CommonFrames.body(b, 0, b.length)).isNull();
    assertThat(codec.decodeBodyView(failure, b).metadata()).hasSize(3);
  }

  @Test
  void brokenCopiesOfGoldenFramesAreReadAsTheGeneralReaderReadsThemOrLeftToIt() {
    Random random = new Random(20261207);
    int checked = 0;
    for (int i = 0; i < 40_000; i++) {
      JsonNode vector = VECTORS.get(random.nextInt(VECTORS.size()));
      boolean header = random.nextBoolean();
      if (!header && vector.get("logical").get("compressed").asBoolean()) {
        continue;
      }
      byte[] frame = mutate(header ? header(vector) : body(vector), random);
      if (header) {
        RpcMessage quick = new CommonFrames().header(frame);
        if (quick != null) {
          assertThat(quick).as(Arrays.toString(frame)).isEqualTo(generally(frame));
          checked++;
        }
      } else {
        BodyView quick = CommonFrames.body(frame, 0, frame.length);
        if (quick != null) {
          assertThat(quick).as(Arrays.toString(frame)).isEqualTo(generally(frame, 0, frame.length));
          checked++;
        }
      }
    }
    // Many mutations (a seq's digit, a body's byte) leave a frame of the common shape.
    assertThat(checked).isGreaterThan(500);
  }

  /** One byte changed, the frame cut short, or a byte added. */
  private static byte[] mutate(byte[] frame, Random random) {
    if (frame.length == 0) {
      return new byte[] {(byte) random.nextInt(256)};
    }
    return switch (random.nextInt(3)) {
      case 0 -> {
        byte[] copy = frame.clone();
        copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        yield copy;
      }
      case 1 -> Arrays.copyOf(frame, random.nextInt(frame.length));
      default -> {
        byte[] copy = Arrays.copyOf(frame, frame.length + 1);
        copy[frame.length] = (byte) random.nextInt(256);
        yield copy;
      }
    };
  }

  @Test
  void aMalformedHeaderStillGetsTheGeneralReadersMessage() {
    byte[] h = codec.encodeHeader(RpcMessage.function("echo", OrderKey.NONE, 1, new byte[0]));
    byte[] truncated = Arrays.copyOf(h, h.length - 1);

    assertThat(new CommonFrames().header(truncated)).isNull();
    assertThatThrownBy(() -> codec.decodeHeader(truncated))
        .isInstanceOf(WireFormatException.class)
        .hasMessageStartingWith("header is not valid msgpack");
  }
}
