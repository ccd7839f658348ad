package dev.callosum.perf.peer;

import org.apiguardian.api.API;

/**
 * A client could not establish its connection: no PONG answered its PING within the handshake
 * timeout. Unlike Python's bare {@code AuthenticationError}, it says what most likely went wrong,
 * read from the ZeroMQ socket's own events.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class HandshakeException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** The most likely cause of a failed handshake. */
  public enum Reason {
    /** Nothing accepted the TCP connection. */
    NO_SERVER,
    /** One side uses CURVE and the other does not. */
    SECURITY_MISMATCH,
    /** The server's authenticator refused this client's public key. */
    CLIENT_KEY_REFUSED,
    /** The CURVE handshake failed: most likely the client has the wrong server public key. */
    WRONG_SERVER_KEY,
    /** Connected and secured, but nothing answered PING: not a Callosum server, or a dead one. */
    NO_PONG
  }

  private final Reason reason;

  public HandshakeException(Reason reason, String message) {
    super(Kind.TRANSPORT, message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
