package dev.callosum.perf;

import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * A request body size, written the way people write sizes: {@code 64B}, {@code 1KiB}, {@code 1MiB}.
 * {@code KB} and {@code MB} mean 1024 and 1024², as in the old Python suite.
 *
 * @param bytes the size in bytes
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record Payload(int bytes) {
  private static final Pattern SIZE =
      Pattern.compile("\\s*(\\d+)\\s*(b|k|kb|kib|m|mb|mib)?\\s*", Pattern.CASE_INSENSITIVE);

  public Payload {
    if (bytes < 0) {
      throw new IllegalArgumentException("a payload size is >= 0 bytes, got " + bytes);
    }
  }

  /** A payload of this many bytes. */
  public static Payload ofBytes(int bytes) {
    return new Payload(bytes);
  }

  /**
   * Parses {@code 64B}, {@code 256}, {@code 1KiB}, {@code 16KB}, {@code 1MiB} and the like.
   *
   * @throws IllegalArgumentException with what is accepted, if the text is no size
   */
  public static Payload parse(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a size; write it like 64B, 1KiB"
              + " or 1MiB (KB and MB are 1024 and 1024*1024 too)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long factor = unit.startsWith("m") ? 1 << 20 : unit.startsWith("k") ? 1 << 10 : 1;
    long bytes = n * factor;
    if (n > Integer.MAX_VALUE || bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("'" + text + "' is larger than 2 GiB");
    }
    return new Payload((int) bytes);
  }

  /** What a payload's bytes are, which decides what compression can do with them. */
  public enum Content {
    /** Random bytes from a fixed seed: snappy cannot shrink them. */
    RANDOM,
    /** JSON-like records, as RPC bodies often are: snappy shrinks them several times. */
    COMPRESSIBLE;

    /** {@code random}, {@code compressible}: for reports. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Bytes of this size with this content. */
  public byte[] bytes(Content content) {
    return content == Content.RANDOM ? randomBytes() : compressibleBytes();
  }

  /**
   * JSON-like records of this size, numbered so that no two are alike (snappy compresses them about
   * 4 to 6 times, not infinitely as it would a run of one byte).
   */
  public byte[] compressibleBytes() {
    StringBuilder text = new StringBuilder(bytes + 128);
    Random random = new Random(bytes);
    for (int i = 0; text.length() < bytes; i++) {
      text.append("{\"id\":")
          .append(i)
          .append(",\"kind\":\"session\",\"state\":\"")
          .append(i % 3 == 0 ? "RUNNING" : "PENDING")
          .append("\",\"score\":")
          .append(random.nextInt(1000))
          .append(",\"tags\":[\"gpu\",\"batch\"]}\n");
    }
    byte[] body = new byte[bytes];
    System.arraycopy(
        text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, body, 0, bytes);
    return body;
  }

  /** Random bytes of this size: what snappy cannot compress, from a fixed seed. */
  public byte[] randomBytes() {
    byte[] body = new byte[bytes];
    new Random(bytes).nextBytes(body);
    return body;
  }

  /** {@code 64 B}, {@code 1 KiB}, {@code 1.5 KiB}, {@code 1 MiB}. */
  @Override
  public String toString() {
    if (bytes >= 1 << 20 && bytes % (1 << 10) == 0) {
      return trim(bytes / (double) (1 << 20)) + " MiB";
    }
    if (bytes >= 1 << 10) {
      return trim(bytes / (double) (1 << 10)) + " KiB";
    }
    return bytes + " B";
  }

  private static String trim(double value) {
    return value == Math.rint(value)
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.1f", value);
  }
}
