package dev.callosum.perf.peer;

import dev.callosum.perf.protocol.BodyView;
import dev.callosum.perf.protocol.ErrorInfo;
import dev.callosum.perf.protocol.Frames;
import dev.callosum.perf.protocol.MessageCodec;
import dev.callosum.perf.protocol.MessageType;
import dev.callosum.perf.protocol.OrderKey;
import dev.callosum.perf.protocol.RpcMessage;
import dev.callosum.perf.protocol.WireFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apiguardian.api.API;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor.Event;

/**
 * One client connection to a Callosum server, used by the one thread that opened it: a DEALER
 * socket that has completed the PING/PONG handshake.
 *
 * <p>It is the cheapest way to drive a server, with no hand-over between threads, and what load
 * generators use: each load thread opens its connections and calls, or sends several requests and
 * then reads their replies. For a thread-safe client with futures, use {@link RpcClient}.
 *
 * <pre>{@code
 * try (Connection connection = Connection.open(ClientConfig.builder(endpoint).build())) {
 *   byte[] reply = connection.call("echo", OrderKey.NONE, payload);
 * }
 * }</pre>
 *
 * <p>It answers PINGs from the server and drops messages that are not replies, as Python's peer
 * does. Not thread-safe.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class Connection implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Connection.class.getName());
  private static final AtomicLong MONITORS = new AtomicLong();
  private static final byte[] EMPTY = new byte[0];
  private static final int HANDSHAKE_EVENTS =
      ZMQ.EVENT_CONNECTED
          | ZMQ.EVENT_DISCONNECTED
          | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
          | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
          | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
          | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_SUCCEEDED;

  private final ZContext context;
  private final boolean ownsContext;
  private final ClientConfig config;
  private final MessageCodec codec;
  private final ZMQ.Socket socket;
  private final Thread owner;
  private final List<byte[]> frames = new ArrayList<>(4);
  private final Duration handshakeLatency;
  private long nextSeq;
  private long dropped;
  private int receiveTimeout = Integer.MIN_VALUE;
  private static final long ABORT_CHECK_NANOS = 100_000_000;
  private Supplier<Optional<String>> abortReason = Optional::empty;
  private boolean abortable;
  private int sendTimeout = Integer.MIN_VALUE;
  private RpcMessage replyHeader;
  private BodyView replyBody;
  private boolean closed;

  private Connection(ZContext context, boolean ownsContext, ClientConfig config) {
    this.context = context;
    this.ownsContext = ownsContext;
    this.config = config;
    this.codec = new MessageCodec(config.maxBodySize());
    this.owner = Thread.currentThread();
    this.socket = context.createSocket(SocketType.DEALER);
    try {
      socket.setLinger(0);
      // jeromq 0.6.0 leaves about 1-6 % of fresh outgoing TCP connections without a ZMTP
      // handshake (zeromq/jeromq PR #1022: a stale selection key on the connect hand-off). The
      // stuck connection is torn down and redialled after the ZMTP handshake interval, 30 s by
      // default; a short one makes the stall cost at most this long, and the queued PING survives.
      socket.setHandshakeIvl((int) config.zmtpHandshakeInterval().toMillis());
      Sockets.heapMessages(socket);
      socket.setSndHWM(100_000);
      socket.setRcvHWM(100_000);
      if (config.serverPublicKey() != null) {
        socket.setCurveServerKey(new CurveKeyPair(config.serverPublicKey(), null).publicKeyBytes());
        socket.setCurvePublicKey(config.clientKeys().publicKeyBytes());
        socket.setCurveSecretKey(config.clientKeys().secretKeyBytes());
      }
      this.handshakeLatency = handshake();
    } catch (RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Connects and completes the handshake on the calling thread, which then owns the connection.
   *
   * @throws HandshakeException if no PONG arrives within the handshake timeout, saying why
   */
  public static Connection open(ClientConfig config) {
    ZContext shared = SharedContext.acquire();
    try {
      return new Connection(shared, true, config);
    } catch (RuntimeException e) {
      SharedContext.release(shared);
      throw e;
    }
  }

  /** Opens a connection in a context the caller manages. */
  static Connection open(ZContext context, ClientConfig config) {
    return new Connection(context, false, config);
  }

  public ClientConfig config() {
    return config;
  }

  /** How long the PING/PONG handshake took, from connect to PONG. */
  public Duration handshakeLatency() {
    return handshakeLatency;
  }

  /** Replies and other messages dropped because they could not be decoded or matched. */
  public long dropped() {
    return dropped;
  }

  ZMQ.Socket socket() {
    return socket;
  }

  // ---------------------------------------------------------------- calls

  /** Calls a method with no order key and waits for the result. */
  public byte[] call(String method, byte[] body) {
    return call(method, OrderKey.NONE, body, config.invokeTimeout());
  }

  /** Calls a method and waits for the result. */
  public byte[] call(String method, OrderKey key, byte[] body) {
    return call(method, key, body, config.invokeTimeout());
  }

  /**
   * Calls a method and waits at most {@code timeout} for its reply; on timeout it sends CANCEL, as
   * Python's client does.
   *
   * @throws RpcException for every outcome but RESULT, its {@link RpcException#kind() kind} saying
   *     which
   */
  public byte[] call(String method, OrderKey key, byte[] body, Duration timeout) {
    RpcMessage request = send(method, key, body);
    awaitReply(request, timeout);
    return outcome(replyHeader, replyBody).copy();
  }

  /**
   * Calls a method with a body encoded beforehand and returns the length of the result, without
   * copying the result out of its frame: the cheapest call, for load generators that send the same
   * body again and again.
   *
   * @throws RpcException for every outcome but RESULT
   */
  public int call(String method, OrderKey key, PreparedBody body, Duration timeout) {
    if (body.compressed() != config.compress()) {
      throw new IllegalArgumentException(
          "the body was prepared "
              + (body.compressed() ? "with" : "without")
              + " compression, but this connection sends "
              + (config.compress() ? "compressed" : "uncompressed")
              + " requests");
    }
    RpcMessage request =
        new RpcMessage(MessageType.FUNCTION, method, key, nextSeq(), null, null, config.compress());
    sendEncoded(codec.encodeHeader(request), body.frame(), true);
    awaitReply(request, timeout);
    return outcome(replyHeader, replyBody).length();
  }

  /**
   * Sends a request with a prepared body without waiting for its reply; returns its seq. For
   * open-loop load, which sends on schedule whatever the replies do.
   */
  public long send(String method, OrderKey key, PreparedBody body) {
    RpcMessage request =
        new RpcMessage(MessageType.FUNCTION, method, key, nextSeq(), null, null, config.compress());
    sendEncoded(codec.encodeHeader(request), body.frame(), true);
    return request.seq();
  }

  /**
   * Waits up to {@code timeoutNanos} for the next reply and returns its header (type, method, order
   * key, seq) without copying its body; {@code null} if none came in time.
   */
  public RpcMessage receiveHeader(long timeoutNanos) {
    return timeoutNanos <= 0
        ? (receiveNowInto() ? replyHeader : null)
        : receiveInto(timeoutNanos) ? replyHeader : null;
  }

  private boolean receiveNowInto() {
    checkOwner();
    while (Multipart.read(socket, ZMQ.DONTWAIT, frames)) {
      if (interpret()) {
        return true;
      }
    }
    return false;
  }

  /** Encodes a request body once, for {@link #call(String, OrderKey, PreparedBody, Duration)}. */
  public PreparedBody prepare(byte[] body) {
    return new PreparedBody(
        codec.encodeBody(null, body, 0, body.length, config.compress()),
        body.length,
        config.compress());
  }

  /** Waits for the reply to {@code request} into {@link #replyHeader}; on timeout, cancels. */
  private void awaitReply(RpcMessage request, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!receiveUntil(deadline)) {
        sendCancel(request);
        throw new RpcException(
            RpcException.Kind.TIMEOUT,
            "no reply to '"
                + request.method()
                + "' (seq "
                + request.seq()
                + ") from "
                + config.endpoint()
                + " within "
                + timeout
                + "; sent CANCEL");
      }
      if (replyHeader.answers(request)) {
        return;
      }
      dropped++; // a late reply to an earlier call that timed out
    }
  }

  /** Sends a request and returns it, with the seq it was given. */
  public RpcMessage send(String method, OrderKey key, byte[] body) {
    RpcMessage request =
        RpcMessage.function(method, key, nextSeq(), body).withCompression(config.compress());
    sendEncoded(codec.encodeHeader(request), codec.encodeBody(request), true);
    return request;
  }

  /** Sends CANCEL for a request, as Python's client does when it gives up on it. */
  public void sendCancel(RpcMessage request) {
    RpcMessage cancel = request.cancel();
    sendEncoded(codec.encodeHeader(cancel), codec.encodeBody(cancel), false);
  }

  /** Sets the next sequence id; for tests of the wrap at 2^32. */
  void seedSeq(long seq) {
    nextSeq = seq & 0xFFFF_FFFFL;
  }

  long nextSeq() {
    long seq = nextSeq;
    nextSeq = (nextSeq + 1) & 0xFFFF_FFFFL;
    return seq;
  }

  MessageCodec codec() {
    return codec;
  }

  /**
   * Sends encoded frames. Blocking sends wait for room at most the invoke timeout; non-blocking
   * ones report a full queue.
   */
  boolean sendEncoded(byte[] header, byte[] body, boolean block) {
    checkOwner();
    int flags = block ? 0 : ZMQ.DONTWAIT;
    if (block
        && sendTimeout != (int) Math.min(Integer.MAX_VALUE, config.invokeTimeout().toMillis())) {
      sendTimeout = (int) Math.min(Integer.MAX_VALUE, config.invokeTimeout().toMillis());
      socket.setSendTimeOut(sendTimeout);
    }
    boolean sent =
        socket.send(Frames.UPPER, flags | ZMQ.SNDMORE)
            && socket.send(header, flags | ZMQ.SNDMORE)
            && socket.send(body, flags);
    if (!sent && block) {
      throw new RpcException(
          RpcException.Kind.TRANSPORT,
          "could not send to "
              + config.endpoint()
              + " within "
              + config.invokeTimeout()
              + ": its queue stays full");
    }
    return sent;
  }

  /**
   * Waits up to {@code timeoutNanos} for the next reply; answers PINGs and drops what is not a
   * reply on the way.
   *
   * @return the reply, or {@code null} if none came in time
   */
  public RpcMessage receive(long timeoutNanos) {
    return receiveInto(timeoutNanos) ? replyMessage() : null;
  }

  /** The next reply if one is already here, else {@code null}; never blocks. */
  public RpcMessage receiveNow() {
    return receiveNowInto() ? replyMessage() : null;
  }

  private RpcMessage replyMessage() {
    return new RpcMessage(
        replyHeader.type(),
        replyHeader.method(),
        replyHeader.orderKey(),
        replyHeader.seq(),
        replyBody.metadata(),
        replyBody.copy(),
        replyHeader.compressed());
  }

  /**
   * Makes every wait for a reply look at {@code reason} every 100 ms, and give up at once with a
   * TRANSPORT error saying it when it holds, such as "the server process died": calls in flight
   * then fail within that, not after their timeout.
   */
  public void abortWaitsWhen(Supplier<Optional<String>> reason) {
    this.abortReason = Objects.requireNonNull(reason, "reason");
    this.abortable = true;
  }

  /** Waits for the next reply into {@link #replyHeader} and {@link #replyBody}. */
  private boolean receiveInto(long timeoutNanos) {
    return receiveUntil(System.nanoTime() + timeoutNanos);
  }

  /**
   * Waits until {@code deadline} (a {@link System#nanoTime()}) for the next reply; a call reads the
   * clock twice, to set its deadline and to know what is left of it.
   */
  private boolean receiveUntil(long deadline) {
    checkOwner();
    while (true) {
      long left = deadline - System.nanoTime();
      long wait = abortable ? Math.min(left, ABORT_CHECK_NANOS) : left;
      // Whole milliseconds, rounded up, changed only when they change: ZeroMQ's timeout unit.
      int millis =
          wait <= 0
              ? 0
              : (int) Math.max(1, Math.min(Integer.MAX_VALUE, (wait + 999_999) / 1_000_000));
      if (millis != receiveTimeout) {
        socket.setReceiveTimeOut(millis);
        receiveTimeout = millis;
      }
      if (!Multipart.read(socket, 0, frames)) {
        if (!abortable || deadline - System.nanoTime() <= 0) {
          return false;
        }
        Optional<String> why = abortReason.get();
        if (why.isPresent()) {
          throw new RpcException(RpcException.Kind.TRANSPORT, why.get());
        }
        continue;
      }
      if (interpret()) {
        return true;
      }
    }
  }

  /**
   * Decodes the frames just read into {@link #replyHeader} and {@link #replyBody} and returns true,
   * or handles them (PING) or drops them and returns false.
   */
  private boolean interpret() {
    int n = frames.size();
    if (n < 3) {
      dropped++;
      return false;
    }
    byte[] type = frames.get(n - 3);
    if (Frames.isPing(type)) {
      socket.send(Frames.PONG, ZMQ.SNDMORE | ZMQ.DONTWAIT);
      socket.send(frames.get(n - 2), ZMQ.SNDMORE | ZMQ.DONTWAIT);
      socket.send(frames.get(n - 1), ZMQ.DONTWAIT);
      return false;
    }
    if (!Frames.isUpper(type)) {
      if (!Frames.isPong(type)) { // a PONG to a repeated PING is no news
        dropped++;
      }
      return false;
    }
    try {
      RpcMessage header = codec.decodeHeader(frames.get(n - 2));
      if (header.type().isReply()) {
        replyBody = codec.decodeBodyView(header, frames.get(n - 1));
        replyHeader = header;
        return true;
      }
    } catch (WireFormatException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "dropped a malformed reply: " + e.getMessage());
    }
    dropped++;
    return false;
  }

  /** The result of a reply, or the exception that stands for its outcome. */
  static byte[] outcome(RpcMessage reply) {
    byte[] body = reply.body();
    return outcome(reply, new BodyView(reply.metadata(), body, 0, body == null ? 0 : body.length))
        .copy();
  }

  private static BodyView outcome(RpcMessage header, BodyView body) {
    switch (header.type()) {
      case RESULT:
        return body.isNil() ? new BodyView(body.metadata(), EMPTY, 0, 0) : body;
      case FAILURE:
      case ERROR:
        ErrorInfo info = ErrorInfo.fromMetadata(body.metadata());
        if (info == null) {
          info = new ErrorInfo("UnknownError", "UnknownError()", "");
        }
        throw new RemoteException(
            header.type() == MessageType.FAILURE
                ? RpcException.Kind.FAILURE
                : RpcException.Kind.ERROR,
            header.method(),
            info);
      case CANCELLED:
        throw new RpcException(
            RpcException.Kind.CANCELLED,
            "the server cancelled '" + header.method() + "' (seq " + header.seq() + ")");
      default:
        throw new IllegalArgumentException("not a reply: " + header);
    }
  }

  // ---------------------------------------------------------------- handshake

  private Duration handshake() {
    String monitorAddress = "inproc://callosum-monitor-" + MONITORS.incrementAndGet();
    socket.monitor(monitorAddress, HANDSHAKE_EVENTS);
    ZMQ.Socket monitor = context.createSocket(SocketType.PAIR);
    List<Event> events = new ArrayList<>();
    try {
      monitor.setLinger(0);
      monitor.connect(monitorAddress);
      long start = System.nanoTime();
      socket.connect(config.endpoint());
      socket.send(Frames.PING, ZMQ.SNDMORE);
      socket.send(EMPTY, ZMQ.SNDMORE);
      socket.send(EMPTY, 0);
      long deadline = start + config.handshakeTimeout().toNanos();
      try (ZMQ.Poller poller = context.createPoller(2)) {
        poller.register(socket, ZMQ.Poller.POLLIN);
        poller.register(monitor, ZMQ.Poller.POLLIN);
        while (true) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          poller.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          if (poller.pollin(1)) {
            ZEvent event;
            while ((event = ZEvent.recv(monitor, ZMQ.DONTWAIT)) != null) {
              events.add(event.getEvent());
            }
          }
          if (poller.pollin(0) && Multipart.read(socket, ZMQ.DONTWAIT, frames)) {
            if (frames.size() == 3 && Frames.isPong(frames.get(0))) {
              return Duration.ofNanos(System.nanoTime() - start);
            }
            interpret(); // a PING from the server, or something to drop
          }
        }
      }
      HandshakeException failure = diagnose(events);
      throw new HandshakeException(
          failure.reason(),
          failure.getMessage()
              + " [socket events: "
              + (events.isEmpty()
                  ? "none"
                  : events.stream()
                      .map(Enum::name)
                      .distinct()
                      .collect(java.util.stream.Collectors.joining(", ")))
              + "]");
    } finally {
      socket.monitor(null, 0);
      monitor.close();
    }
  }

  /**
   * Names the likely cause from what the socket saw. jeromq reports a refused key
   * (HANDSHAKE_FAILED_AUTH), but a security mismatch or a wrong server key only as the server
   * hanging up (DISCONNECTED); a CURVE client then tells those two apart by trying the server
   * without CURVE.
   */
  private HandshakeException diagnose(List<Event> events) {
    String where = config.endpoint();
    String within = " within " + config.handshakeTimeout();
    boolean curve = config.serverPublicKey() != null;
    if (events.contains(Event.HANDSHAKE_FAILED_AUTH)) {
      return new HandshakeException(
          HandshakeException.Reason.CLIENT_KEY_REFUSED,
          "the server at "
              + where
              + " refused this client's CURVE public key "
              + config.clientKeys().publicKey()
              + " (ZAP said 400): add it to the server's"
              + " allowed keys");
    }
    if (!events.contains(Event.CONNECTED)) {
      return new HandshakeException(
          HandshakeException.Reason.NO_SERVER,
          "nothing accepted a connection at "
              + where
              + within
              + ": is the server running, and is this its address?");
    }
    // A server that refuses the handshake hangs up on every redial; one hang-up followed by a
    // connection that stays up is jeromq's own redial of a stalled connect (see the constructor).
    long hangUps =
        events.stream()
            .filter(
                e ->
                    e == Event.DISCONNECTED
                        || e == Event.HANDSHAKE_FAILED_PROTOCOL
                        || e == Event.HANDSHAKE_FAILED_NO_DETAIL)
            .count();
    boolean hungUp =
        hangUps >= 2 || (hangUps == 1 && events.get(events.size() - 1) != Event.CONNECTED);
    if (hungUp && !curve) {
      return new HandshakeException(
          HandshakeException.Reason.SECURITY_MISMATCH,
          "the server at "
              + where
              + " hung up during the ZeroMQ handshake: it most likely"
              + " requires CURVE, and this client has no CURVE keys");
    }
    if (hungUp && answersWithoutCurve()) {
      return new HandshakeException(
          HandshakeException.Reason.SECURITY_MISMATCH,
          "the server at "
              + where
              + " does not use CURVE, but this client does: connect"
              + " without CURVE keys, or start the server with CURVE");
    }
    if (hungUp) {
      return new HandshakeException(
          HandshakeException.Reason.WRONG_SERVER_KEY,
          "the CURVE handshake with "
              + where
              + " failed: most likely this client has the wrong"
              + " server public key ("
              + config.serverPublicKey()
              + ")");
    }
    return new HandshakeException(
        HandshakeException.Reason.NO_PONG,
        "connected to "
            + where
            + " but no PONG answered PING"
            + within
            + ": not a Callosum server, or its receive loop is dead");
  }

  /** Whether the server answers PING over a plain connection: the probe behind a diagnosis. */
  private boolean answersWithoutCurve() {
    ClientConfig plain =
        ClientConfig.builder(config.endpoint())
            .handshakeTimeout(
                Duration.ofMillis(Math.min(1000, config.handshakeTimeout().toMillis())))
            .zmtpHandshakeInterval(config.zmtpHandshakeInterval())
            .build();
    try (Connection probe = new Connection(context, false, plain)) {
      return probe.handshakeLatency() != null;
    } catch (HandshakeException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- closing

  private void checkOwner() {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException(
          "this Connection belongs to thread "
              + owner.getName()
              + " but was used from "
              + Thread.currentThread().getName()
              + "; use RpcClient to call from several threads");
    }
  }

  /** Closes the socket; idempotent. Call it from the owning thread. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    socket.close();
    if (ownsContext) {
      SharedContext.release(context);
    }
  }
}
