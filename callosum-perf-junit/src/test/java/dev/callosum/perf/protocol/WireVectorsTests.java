package dev.callosum.perf.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xerial.snappy.Snappy;

/**
 * The codec against the 157 golden messages that callosum 1.0.3 itself encoded ({@code
 * callosum-wire-vectors.json}, copied from the shared wire capture).
 */
class WireVectorsTests {

  private static final JsonNode VECTORS = load();
  private final MessageCodec codec = new MessageCodec();

  static JsonNode load() {
    try (InputStream in =
        WireVectorsTests.class.getResourceAsStream("/wire/callosum-wire-vectors.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<Arguments> vectors() {
    List<Arguments> all = new ArrayList<>();
    VECTORS.get("vectors").forEach(v -> all.add(Arguments.of(v.get("name").asText(), v)));
    return all.stream();
  }

  @Test
  void allVectorsArePresent() {
    assertThat(VECTORS.get("vectors")).hasSize(157);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void decodingGivesTheLogicalFields(String name, JsonNode vector) throws Exception {
    RpcMessage decoded = codec.decode(b64(vector.get("header_b64")), b64(vector.get("body_b64")));

    assertThat(decoded).isEqualTo(logical(vector.get("logical")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void encodingTheLogicalFieldsGivesTheBytes(String name, JsonNode vector) throws Exception {
    RpcMessage message = logical(vector.get("logical"));
    byte[] expectedPackedBody =
        vector.has("body_uncompressed_b64")
            ? b64(vector.get("body_uncompressed_b64"))
            : b64(vector.get("body_b64"));

    assertThat(codec.encodeHeader(message)).isEqualTo(b64(vector.get("header_b64")));
    assertThat(codec.packBody(message)).isEqualTo(expectedPackedBody);
    byte[] bodyFrame = codec.encodeBody(message);
    if (message.compressed()) {
      // Snappy output is not canonical: compare what it decompresses to.
      assertThat(Snappy.uncompress(bodyFrame)).isEqualTo(expectedPackedBody);
      assertThat(codec.decode(codec.encodeHeader(message), bodyFrame)).isEqualTo(message);
    } else {
      assertThat(bodyFrame).isEqualTo(b64(vector.get("body_b64")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void framesAreUpperHeaderBodyBehindThePeerId(String name, JsonNode vector) {
    JsonNode client = vector.get("client_frames_b64");
    JsonNode server = vector.get("server_frames_b64");

    assertThat(client).hasSize(3);
    assertThat(b64(client.get(0))).isEqualTo(Frames.UPPER);
    assertThat(b64(client.get(1))).isEqualTo(b64(vector.get("header_b64")));
    assertThat(b64(client.get(2))).isEqualTo(b64(vector.get("body_b64")));
    assertThat(server).hasSize(4);
    assertThat(b64(server.get(0))).isEqualTo(b64(VECTORS.get("sample_peer_id_b64")));
    for (int i = 0; i < 3; i++) {
      assertThat(b64(server.get(i + 1))).isEqualTo(b64(client.get(i)));
    }
  }

  @Test
  void pingAndPongFramesAreThePlainAsciiWords() {
    JsonNode ping = VECTORS.get("ping_pong");

    assertThat(b64(ping.get("client_sends_b64").get(0))).isEqualTo(Frames.PING);
    assertThat(b64(ping.get("server_sends_b64").get(1))).isEqualTo(Frames.PONG);
    assertThat(b64(ping.get("client_sends_b64").get(1))).isEmpty();
    assertThat(b64(ping.get("client_sends_b64").get(2))).isEmpty();
  }

  @Test
  void jsonBodiesUsePythonsSeparators() {
    for (JsonNode vector : VECTORS.get("vectors")) {
      JsonNode logical = vector.get("logical");
      if (logical.has("body_json")) {
        Object value = new ObjectMapper().convertValue(logical.get("body_json"), Map.class);
        assertThat(PythonJson.encode(value)).isEqualTo(b64(logical.get("body").get("b64")));
        assertThat((Object) PythonJson.decode(b64(logical.get("body").get("b64")), Map.class))
            .isEqualTo(value);
      }
    }
    assertThat(new String(PythonJson.encode(Map.of("k", List.of(1, "é"))), StandardCharsets.UTF_8))
        .isEqualTo("{\"k\": [1, \"\\u00E9\"]}");
  }

  /** The message a vector's logical fields describe. */
  static RpcMessage logical(JsonNode logical) {
    MessageType type = MessageType.valueOf(logical.get("msgtype_name").asText());
    assertThat(type.code()).isEqualTo(logical.get("msgtype").asInt());
    JsonNode okey = logical.get("order_key");
    OrderKey key =
        switch (okey.get("msgpack_type").asText()) {
          case "bin" -> OrderKey.ofBytes(b64(okey.get("value_b64")));
          case "str" -> OrderKey.of(okey.get("value").asText());
          case "nil" -> OrderKey.nil();
          default -> throw new IllegalArgumentException(okey.toString());
        };
    JsonNode meta = logical.get("metadata");
    List<String> metadata = null;
    if (!meta.get("class").isNull()) {
      metadata = new ArrayList<>();
      JsonNode fields = meta.get("fields");
      if (fields.has("name")) {
        metadata.add(fields.get("name").asText());
        metadata.add(fields.get("repr").asText());
        metadata.add(fields.get("traceback").asText());
      }
      assertThat(fields.size()).isEqualTo(metadata.size());
    }
    JsonNode body = logical.get("body");
    byte[] bytes = body.get("msgpack_type").asText().equals("bin") ? b64(body.get("b64")) : null;
    if (bytes != null) {
      assertThat(bytes).hasSize(body.get("len").asInt());
    }
    return new RpcMessage(
        type,
        logical.get("method").asText(),
        key,
        logical.get("seq").asLong(),
        metadata,
        bytes,
        logical.get("compressed").asBoolean());
  }

  static byte[] b64(JsonNode node) {
    return Base64.getDecoder().decode(node.asText());
  }
}
