package dev.callosum.perf.peer;

import dev.callosum.perf.protocol.MessageCodec;
import java.time.Duration;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * How a client connects: the server's endpoint, compression, CURVE, and its timeouts.
 *
 * <p>Unlike Python's client, whose invoke timeout defaults to forever, every call here has a
 * timeout (30 s unless set), so that nothing waits without bound.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class ClientConfig {

  private final String endpoint;
  private final boolean compress;
  private final Duration handshakeTimeout;
  private final Duration invokeTimeout;
  private final int maxBodySize;
  private final int maxInFlight;
  private final Duration zmtpHandshakeInterval;
  private final String serverPublicKey;
  private final CurveKeyPair clientKeys;

  private ClientConfig(Builder b) {
    this.endpoint = b.endpoint;
    this.compress = b.compress;
    this.handshakeTimeout = b.handshakeTimeout;
    this.invokeTimeout = b.invokeTimeout;
    this.maxBodySize = b.maxBodySize;
    this.maxInFlight = b.maxInFlight;
    this.zmtpHandshakeInterval = b.zmtpHandshakeInterval;
    this.serverPublicKey = b.serverPublicKey;
    this.clientKeys = b.clientKeys;
  }

  /** A configuration for the server at {@code endpoint}, such as {@code tcp://127.0.0.1:5020}. */
  public static Builder builder(String endpoint) {
    return new Builder(endpoint);
  }

  public String endpoint() {
    return endpoint;
  }

  /** Whether requests are snappy-compressed. Replies are decoded either way. */
  public boolean compress() {
    return compress;
  }

  /** How long to wait for the PONG that establishes the connection; 5 s as in Python. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** How long a call waits for its reply before it sends CANCEL and fails. */
  public Duration invokeTimeout() {
    return invokeTimeout;
  }

  public int maxBodySize() {
    return maxBodySize;
  }

  /** How many calls one client may have in flight; more are refused at once. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /**
   * How long ZeroMQ's own handshake (greeting, security) may take before ZeroMQ drops the TCP
   * connection and dials again; 500 ms unless set. Short, because jeromq sometimes stalls a fresh
   * connection until then (see the README's troubleshooting).
   */
  public Duration zmtpHandshakeInterval() {
    return zmtpHandshakeInterval;
  }

  /** The server's CURVE public key (Z85), or {@code null} without security. */
  public String serverPublicKey() {
    return serverPublicKey;
  }

  /** The client's CURVE key pair, or {@code null} without security. */
  public CurveKeyPair clientKeys() {
    return clientKeys;
  }

  /** Builds a {@link ClientConfig}. */
  public static final class Builder {
    private String endpoint;
    private boolean compress;
    private Duration handshakeTimeout = Duration.ofSeconds(5);
    private Duration invokeTimeout = Duration.ofSeconds(30);
    private int maxBodySize = MessageCodec.DEFAULT_MAX_BODY_SIZE;
    private int maxInFlight = 65_536;
    private Duration zmtpHandshakeInterval = Duration.ofMillis(500);
    private String serverPublicKey;
    private CurveKeyPair clientKeys;

    private Builder(String endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    public Builder compress(boolean compress) {
      this.compress = compress;
      return this;
    }

    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = positive(timeout, "handshakeTimeout");
      return this;
    }

    public Builder invokeTimeout(Duration timeout) {
      this.invokeTimeout = positive(timeout, "invokeTimeout");
      return this;
    }

    public Builder maxBodySize(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxBodySize must be positive, was " + bytes);
      }
      this.maxBodySize = bytes;
      return this;
    }

    public Builder maxInFlight(int calls) {
      if (calls <= 0) {
        throw new IllegalArgumentException("maxInFlight must be positive, was " + calls);
      }
      this.maxInFlight = calls;
      return this;
    }

    public Builder zmtpHandshakeInterval(Duration interval) {
      this.zmtpHandshakeInterval = positive(interval, "zmtpHandshakeInterval");
      return this;
    }

    /** Connects with CURVE: the server's public key, and this client's key pair. */
    public Builder curve(String serverPublicKey, CurveKeyPair clientKeys) {
      new CurveKeyPair(Objects.requireNonNull(serverPublicKey, "serverPublicKey"), null);
      Objects.requireNonNull(clientKeys, "clientKeys").secretKeyBytes();
      this.serverPublicKey = serverPublicKey;
      this.clientKeys = clientKeys;
      return this;
    }

    public ClientConfig build() {
      return new ClientConfig(this);
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
      }
      return d;
    }
  }
}
