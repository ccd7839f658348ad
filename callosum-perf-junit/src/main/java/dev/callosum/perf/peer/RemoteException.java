package dev.callosum.perf.peer;

import dev.callosum.perf.protocol.ErrorInfo;
import org.apiguardian.api.API;

/**
 * A FAILURE (the handler failed) or ERROR (the server peer failed) reply, with the exception the
 * server described: its class name, representation and stack trace.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class RemoteException extends RpcException {
  private static final long serialVersionUID = 1L;

  private final transient ErrorInfo error;

  public RemoteException(Kind kind, String method, ErrorInfo error) {
    super(
        kind,
        (kind == Kind.FAILURE ? "handler of '" : "server, calling '")
            + method
            + (kind == Kind.FAILURE ? "' failed: " : "', failed: ")
            + error.repr());
    this.error = error;
  }

  /** What the server said about the exception. */
  public ErrorInfo error() {
    return error;
  }
}
