package dev.callosum.perf.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.apiguardian.api.API;

/**
 * The order key of a request ({@code okey}), with the msgpack type it travels as.
 *
 * <p>The type matters: Python's client matches replies by (method, key, seq) including the key's
 * type, and the key-serialized scheduler treats {@code "k1"} and {@code b"k1"} as different keys
 * (WIRE.md §3). So a key is bytes plus a {@link Kind}, and equality compares both.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class OrderKey {

  /** How the key is encoded in msgpack. */
  public enum Kind {
    /** msgpack bin: Python {@code bytes}. */
    BIN,
    /** msgpack str: Python {@code str}. */
    STR,
    /** msgpack nil: Python {@code None}. */
    NIL
  }

  private static final byte[] EMPTY = new byte[0];

  /**
   * What Python's {@code Peer.invoke} sends when the caller gives no key: empty bin {@code c4 00}.
   */
  public static final OrderKey NONE = new OrderKey(Kind.BIN, EMPTY);

  private static final OrderKey NIL = new OrderKey(Kind.NIL, EMPTY);

  private final Kind kind;
  private final byte[] bytes;
  private final int hash;

  private OrderKey(Kind kind, byte[] bytes) {
    this.kind = kind;
    this.bytes = bytes;
    this.hash = 31 * kind.hashCode() + Arrays.hashCode(bytes);
  }

  /** A str key, as a Python caller passing {@code order_key="k1"} sends. */
  public static OrderKey of(String key) {
    return new OrderKey(Kind.STR, key.getBytes(StandardCharsets.UTF_8));
  }

  /** A bin key, as a Python caller passing {@code order_key=b"k1"} sends. */
  public static OrderKey ofBytes(byte[] key) {
    return key.length == 0 ? NONE : new OrderKey(Kind.BIN, key.clone());
  }

  /** A nil key. Stock Python clients never send it, but servers echo it. */
  public static OrderKey nil() {
    return NIL;
  }

  /** Builds a key from decoded wire bytes without copying them. */
  static OrderKey wrap(Kind kind, byte[] bytes) {
    if (kind == Kind.NIL) {
      return NIL;
    }
    if (kind == Kind.BIN && bytes.length == 0) {
      return NONE;
    }
    return new OrderKey(kind, bytes);
  }

  public Kind kind() {
    return kind;
  }

  /** The key's bytes (UTF-8 for a str key, empty for nil). */
  public byte[] bytes() {
    return bytes.clone();
  }

  int length() {
    return bytes.length;
  }

  byte[] unsafeBytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OrderKey other && kind == other.kind && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Python's notation: {@code b'k1'}, {@code 'k1'} or {@code None}. */
  @Override
  public String toString() {
    return switch (kind) {
      case NIL -> "None";
      case STR -> "'" + new String(bytes, StandardCharsets.UTF_8) + "'";
      case BIN ->
          isPrintable()
              ? "b'" + new String(bytes, StandardCharsets.US_ASCII) + "'"
              : "b'\\x" + HexFormat.ofDelimiter("\\x").formatHex(bytes) + "'";
    };
  }

  private boolean isPrintable() {
    for (byte b : bytes) {
      if (b < 0x20 || b > 0x7e || b == '\'' || b == '\\') {
        return false;
      }
    }
    return true;
  }
}
