package dev.callosum.perf.peer;

import org.apiguardian.api.API;

/**
 * A call that did not produce a result. {@link #kind()} says which of the distinct outcomes it was,
 * so that load drivers can count errors by kind.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public class RpcException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The outcome of a call that did not return a result. */
  public enum Kind {
    /** The handler failed on the server: a FAILURE reply. */
    FAILURE,
    /** The server peer itself failed (unknown method, bad request, overload): an ERROR reply. */
    ERROR,
    /** The server cancelled the handler: a CANCELLED reply. */
    CANCELLED,
    /** No reply within the invoke timeout; a CANCEL was sent. */
    TIMEOUT,
    /** The connection could not carry the call: closed, refused, or never established. */
    TRANSPORT
  }

  private final Kind kind;

  public RpcException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public RpcException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
