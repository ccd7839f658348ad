package dev.callosum.perf.protocol;

import org.apiguardian.api.API;

/**
 * The kind of a Callosum message, carried as the header's {@code type} (WIRE.md §3).
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public enum MessageType {
  /** Ignored by every peer. */
  NULL(0),
  /** A request: client to server. */
  FUNCTION(1),
  /** The handler's return value. */
  RESULT(2),
  /** The user's handler failed. */
  FAILURE(3),
  /** The peer itself failed (unknown method, bad request, overload), not the handler. */
  ERROR(4),
  /** The client gave up on a request: client to server. */
  CANCEL(5),
  /** The server cancelled the handler. */
  CANCELLED(6);

  private static final MessageType[] BY_CODE = values();

  private final int code;

  MessageType(int code) {
    this.code = code;
  }

  /** The value on the wire. */
  public int code() {
    return code;
  }

  /** Whether this type answers a FUNCTION. */
  public boolean isReply() {
    return this == RESULT || this == FAILURE || this == ERROR || this == CANCELLED;
  }

  /**
   * Returns the type for a wire value.
   *
   * @throws WireFormatException if the value is outside 0–6
   */
  public static MessageType ofCode(long code) throws WireFormatException {
    if (code < 0 || code >= BY_CODE.length) {
      throw new WireFormatException(
          "header 'type' is " + code + ", expected 0-6 (NULL..CANCELLED)");
    }
    return BY_CODE[(int) code];
  }
}
