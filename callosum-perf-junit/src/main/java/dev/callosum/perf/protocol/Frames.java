package dev.callosum.perf.protocol;

import java.nio.charset.StandardCharsets;
import org.apiguardian.api.API;

/**
 * The plain-ASCII type frames of Callosum over ZeroMQ (WIRE.md §1–2).
 *
 * <p>A DEALER sends {@code [type, header, body]}; the ROUTER sees the peer id in front. A message
 * is {@code UPPER} (an RPC message), {@code PING} (answered by {@code PONG}, echoing frames 2 and
 * 3), or anything else, which peers ignore.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class Frames {
  private static final byte[] UPPER_BYTES = "UPPER".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PING_BYTES = "PING".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PONG_BYTES = "PONG".getBytes(StandardCharsets.US_ASCII);

  /** The type frame of an RPC message. */
  public static final byte[] UPPER = UPPER_BYTES.clone();

  /** The type frame of a handshake request. */
  public static final byte[] PING = PING_BYTES.clone();

  /** The type frame of a handshake answer. */
  public static final byte[] PONG = PONG_BYTES.clone();

  private Frames() {}

  /** Whether a frame is {@code UPPER}. */
  public static boolean isUpper(byte[] frame) {
    return java.util.Arrays.equals(frame, UPPER_BYTES);
  }

  /** Whether a frame is {@code PING}. */
  public static boolean isPing(byte[] frame) {
    return java.util.Arrays.equals(frame, PING_BYTES);
  }

  /** Whether a frame is {@code PONG}. */
  public static boolean isPong(byte[] frame) {
    return java.util.Arrays.equals(frame, PONG_BYTES);
  }
}
