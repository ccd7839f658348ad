package dev.callosum.perf.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import org.apiguardian.api.API;

/**
 * The JSON body serializer of callosum's examples: UTF-8 JSON with Python's default separators
 * ({@code {"sent": "abc"}}, with spaces) and non-ASCII escaped, as {@code json.dumps} writes it.
 *
 * <p>It is an option, not part of the protocol: bodies are raw bytes unless both sides agree on a
 * serializer.
 *
 * <pre>{@code
 * byte[] body = PythonJson.encode(Map.of("sent", "abc"));   // {"sent": "abc"}
 * Map<?, ?> reply = PythonJson.decode(client.call("echo", body), Map.class);
 * }</pre>
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class PythonJson {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private static final ObjectWriter WRITER =
      MAPPER.writer(
          new DefaultPrettyPrinter()
              .withSeparators(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                      .withObjectEntrySpacing(Separators.Spacing.AFTER)
                      .withArrayValueSpacing(Separators.Spacing.AFTER)
                      .withObjectEmptySeparator("")
                      .withArrayEmptySeparator(""))
              .withObjectIndenter(new DefaultIndenter("", ""))
              .withArrayIndenter(new DefaultIndenter("", "")));

  private PythonJson() {}

  /** Serializes a value as Python's {@code json.dumps(value).encode()} would. */
  public static byte[] encode(Object value) {
    try {
      return WRITER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot write " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Reads a JSON body. */
  public static <T> T decode(byte[] body, Class<T> type) {
    try {
      return MAPPER.readValue(body, type);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "body is not JSON of " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
