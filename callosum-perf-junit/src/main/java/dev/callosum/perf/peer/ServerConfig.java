package dev.callosum.perf.peer;

import dev.callosum.perf.protocol.MessageCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * How to run an {@link RpcServer}: where to bind, the handlers, the scheduler, compression, CURVE
 * and the limits that keep it bounded.
 *
 * <pre>{@code
 * try (RpcServer server = ServerConfig.builder()
 *     .handler("echo", Handlers.echo())
 *     .keySerialized(true)
 *     .start()) {
 *   String endpoint = server.endpoint();   // tcp://127.0.0.1:<ephemeral port>
 * }
 * }</pre>
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class ServerConfig {

  /** Loopback, on a port the system picks. */
  public static final String DEFAULT_BIND = "tcp://127.0.0.1:*";

  private final String bindAddress;
  private final Map<String, Handler> handlers;
  private final boolean keySerialized;
  private final boolean compress;
  private final int maxBodySize;
  private final int maxPendingRequests;
  private final int receiveQueueLimit;
  private final int sendQueueLimit;
  private final int workerThreads;
  private final CurveKeyPair curveKeys;
  private final ClientAuthenticator authenticator;
  private final String zapDomain;

  private ServerConfig(Builder b) {
    this.bindAddress = b.bindAddress;
    this.handlers = Map.copyOf(b.handlers);
    this.keySerialized = b.keySerialized;
    this.compress = b.compress;
    this.maxBodySize = b.maxBodySize;
    this.maxPendingRequests = b.maxPendingRequests;
    this.receiveQueueLimit = b.receiveQueueLimit;
    this.sendQueueLimit = b.sendQueueLimit;
    this.workerThreads = b.workerThreads;
    this.curveKeys = b.curveKeys;
    this.authenticator = b.authenticator;
    this.zapDomain = b.zapDomain;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String bindAddress() {
    return bindAddress;
  }

  public Map<String, Handler> handlers() {
    return handlers;
  }

  public boolean keySerialized() {
    return keySerialized;
  }

  /** Whether replies are snappy-compressed. Requests are decoded either way. */
  public boolean compress() {
    return compress;
  }

  public int maxBodySize() {
    return maxBodySize;
  }

  /** How many requests may wait or run at once before new ones are refused with ERROR. */
  public int maxPendingRequests() {
    return maxPendingRequests;
  }

  /**
   * How many requests ZeroMQ queues per client before the server reads them (the ROUTER's receive
   * high-water mark, in whole messages): 1,000 by default, ZeroMQ's own and so Python Callosum's.
   * Beyond it requests wait in the client's TCP buffers and its sends block: nothing is lost, and a
   * client that floods the server cannot make it hold more.
   */
  public int receiveQueueLimit() {
    return receiveQueueLimit;
  }

  /**
   * How many replies ZeroMQ queues per client that has not read them yet (the ROUTER's send
   * high-water mark, in whole messages): 30,000 by default, room for a burst of pipelined replies.
   * A client that never reads loses the replies beyond it (ZeroMQ's ROUTER drops them, as Python
   * Callosum's does at its 1,000) rather than the server its memory.
   */
  public int sendQueueLimit() {
    return sendQueueLimit;
  }

  /** Threads for {@link Handler#blocking} handlers. */
  public int workerThreads() {
    return workerThreads;
  }

  /** The server's CURVE key pair, or {@code null} when the server runs without security. */
  public CurveKeyPair curveKeys() {
    return curveKeys;
  }

  public ClientAuthenticator authenticator() {
    return authenticator;
  }

  public String zapDomain() {
    return zapDomain;
  }

  /** Builds a {@link ServerConfig}. */
  public static final class Builder {
    private String bindAddress = DEFAULT_BIND;
    private final Map<String, Handler> handlers = new LinkedHashMap<>();
    private boolean keySerialized;
    private boolean compress;
    private int maxBodySize = MessageCodec.DEFAULT_MAX_BODY_SIZE;
    private int maxPendingRequests = 100_000;
    private int receiveQueueLimit = 1_000;
    private int sendQueueLimit = 30_000;
    private int workerThreads = 16;
    private CurveKeyPair curveKeys;
    private ClientAuthenticator authenticator;
    private String zapDomain = "callosum";

    private Builder() {}

    /** A ZeroMQ endpoint such as {@code tcp://127.0.0.1:*} or {@code tcp://127.0.0.1:5020}. */
    public Builder bind(String address) {
      this.bindAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Serves {@code method} with {@code handler}. */
    public Builder handler(String method, Handler handler) {
      handlers.put(Objects.requireNonNull(method, "method"), Objects.requireNonNull(handler));
      return this;
    }

    /**
     * Registers {@code echo}, {@code sized}, {@code delay} and {@code fail} (see {@link Handlers}).
     */
    public Builder testHandlers() {
      handler("echo", Handlers.echo());
      handler("sized", Handlers.sizedByRequest());
      handler("delay", Handlers.delayByRequest());
      return handler("fail", Handlers.failing("failing on purpose"));
    }

    public Builder keySerialized(boolean value) {
      this.keySerialized = value;
      return this;
    }

    public Builder compress(boolean compress) {
      this.compress = compress;
      return this;
    }

    public Builder maxBodySize(int bytes) {
      this.maxBodySize = positive(bytes, "maxBodySize");
      return this;
    }

    public Builder maxPendingRequests(int count) {
      this.maxPendingRequests = positive(count, "maxPendingRequests");
      return this;
    }

    /** See {@link ServerConfig#receiveQueueLimit()}. */
    public Builder receiveQueueLimit(int messages) {
      this.receiveQueueLimit = positive(messages, "receiveQueueLimit");
      return this;
    }

    /** See {@link ServerConfig#sendQueueLimit()}. */
    public Builder sendQueueLimit(int messages) {
      this.sendQueueLimit = positive(messages, "sendQueueLimit");
      return this;
    }

    public Builder workerThreads(int count) {
      this.workerThreads = positive(count, "workerThreads");
      return this;
    }

    /** Requires CURVE with these server keys, admitting the listed client public keys. */
    public Builder curve(CurveKeyPair serverKeys, String... allowedClientKeys) {
      return curve(
          serverKeys,
          ClientAuthenticator.allowing(Stream.of(allowedClientKeys).collect(Collectors.toSet())));
    }

    /** Requires CURVE with these server keys, admitting whom the authenticator admits. */
    public Builder curve(CurveKeyPair serverKeys, ClientAuthenticator authenticator) {
      Objects.requireNonNull(serverKeys, "serverKeys").secretKeyBytes();
      this.curveKeys = serverKeys;
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /** The ZAP domain handed to the authenticator; {@code callosum} unless set. */
    public Builder zapDomain(String domain) {
      this.zapDomain = Objects.requireNonNull(domain, "domain");
      return this;
    }

    public ServerConfig build() {
      if (handlers.isEmpty()) {
        throw new IllegalStateException("a server needs at least one handler");
      }
      return new ServerConfig(this);
    }

    /** Builds the configuration and starts a server with it. */
    public RpcServer start() {
      return RpcServer.start(build());
    }

    private static int positive(int value, String name) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
