package dev.callosum.perf.protocol;

import java.util.Arrays;
import java.util.List;
import org.apiguardian.api.API;

/**
 * A decoded body frame whose body still lies inside the frame it came in: the metadata, and where
 * the body's bytes are. It lets a peer pass a large body on, or count it, without copying it.
 *
 * @param metadata the metadata strings, or {@code null} for none
 * @param array the array holding the body, or {@code null} when the body is nil
 * @param offset where the body starts in {@code array}
 * @param length the body's length in bytes
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public record BodyView(List<String> metadata, byte[] array, int offset, int length) {

  /** Whether the body is nil rather than bytes. */
  public boolean isNil() {
    return array == null;
  }

  /** The body's bytes as an array of their own; {@code null} when the body is nil. */
  public byte[] copy() {
    if (array == null) {
      return null;
    }
    return offset == 0 && length == array.length
        ? array
        : Arrays.copyOfRange(array, offset, offset + length);
  }
}
