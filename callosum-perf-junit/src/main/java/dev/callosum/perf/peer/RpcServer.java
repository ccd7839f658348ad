package dev.callosum.perf.peer;

import dev.callosum.perf.protocol.BodyView;
import dev.callosum.perf.protocol.ErrorInfo;
import dev.callosum.perf.protocol.Frames;
import dev.callosum.perf.protocol.MessageCodec;
import dev.callosum.perf.protocol.OrderKey;
import dev.callosum.perf.protocol.RpcMessage;
import dev.callosum.perf.protocol.WireFormatException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apiguardian.api.API;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A Callosum server: a bound ROUTER that answers PING with PONG and requests with the replies of
 * its handlers, ordered by its scheduler (exit-ordered, or key-serialized), wire-compatible with
 * Python's callosum 1.0.3.
 *
 * <p>Unlike the Python server, it survives malformed input (WIRE.md §8): it answers ERROR where it
 * knows whom to answer (unknown method, undecodable body, too large, overloaded) and drops, counts
 * and logs what it cannot parse, and keeps serving everyone else. Every queue is bounded by {@link
 * ServerConfig#maxPendingRequests()}.
 *
 * <p>One thread owns the sockets; handlers that complete at once run on it, and so do the timers of
 * {@link Request#timer()}; handlers on worker threads hand their replies back to it.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class RpcServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RpcServer.class.getName());
  private static final AtomicInteger SERVERS = new AtomicInteger();

  /** How every server thread's name begins: its loop's, workers' and ZeroMQ threads'. */
  public static final String THREAD_PREFIX = "callosum-server-";

  private static final byte[] NO_BYTES = new byte[0];
  private static final List<String> EMPTY_METADATA = List.of();

  private final ServerConfig config;
  private final MessageCodec codec;
  private final ZContext context;
  private final ServerLoop loop;
  private final ExecutorService workers;
  private final LoopScheduler timer;
  private final Dispatch dispatch;
  private final String name;
  private ZMQ.Socket router;
  private ZapHandler zap;
  private String endpoint;
  private final AtomicBoolean closed = new AtomicBoolean();

  // Counters: written on the loop thread only.
  private long requests;
  private long replies;
  private long malformed;
  private long ignored;
  private long cancels;
  private int pending;
  private String lastMalformed;

  private RpcServer(ServerConfig config) {
    this.config = config;
    this.codec = new MessageCodec(config.maxBodySize());
    int id = SERVERS.incrementAndGet();
    this.name = THREAD_PREFIX + id;
    this.context = SharedContext.newContext(name);
    this.loop = new ServerLoop(name, context);
    this.workers = Executors.newFixedThreadPool(config.workerThreads(), daemon(name + "-worker-"));
    this.timer = new LoopScheduler(loop);
    this.dispatch = config.keySerialized() ? new KeySerialized() : new ExitOrdered();
  }

  /**
   * Binds and starts a server; returns once it accepts connections.
   *
   * @throws IllegalStateException if it cannot bind, saying where
   */
  public static RpcServer start(ServerConfig config) {
    RpcServer server = new RpcServer(config);
    try {
      server.loop.start(server::open, server::onMessage);
    } catch (RuntimeException e) {
      server.shutdownExecutors();
      server.context.close();
      throw e;
    }
    return server;
  }

  private ZMQ.Socket open() {
    if (config.curveKeys() != null) {
      zap = new ZapHandler(context, config.authenticator(), name + "-zap");
    }
    router = context.createSocket(SocketType.ROUTER);
    router.setLinger(0);
    Sockets.roomyMessages(router);
    // Memory stays bounded by these and the pending limit, whatever a client does: requests
    // beyond the receive limit wait in the client's TCP buffers (the client's sends block, nothing
    // is lost); replies queue up to the send limit for a client slow to read them.
    router.setRcvHWM(config.receiveQueueLimit());
    router.setSndHWM(config.sendQueueLimit());
    // Frames a little over the limit are read and answered with ERROR; absurd ones are cut off.
    router.setMaxMsgSize(4L * config.maxBodySize() + (1 << 20));
    if (config.curveKeys() != null) {
      router.setCurveServer(true);
      router.setCurvePublicKey(config.curveKeys().publicKeyBytes());
      router.setCurveSecretKey(config.curveKeys().secretKeyBytes());
      router.setZapDomain(config.zapDomain());
    }
    try {
      if (!router.bind(config.bindAddress())) {
        throw new IllegalStateException("cannot bind " + config.bindAddress());
      }
    } catch (RuntimeException e) {
      router.close();
      if (zap != null) {
        zap.close();
      }
      throw new IllegalStateException(
          "cannot bind a Callosum server at " + config.bindAddress() + ": " + e.getMessage(), e);
    }
    endpoint = router.getLastEndpoint();
    return router;
  }

  /** The address clients connect to, such as {@code tcp://127.0.0.1:41234}. */
  /** Who answers, for reports: {@code callosum-perf 0.1.0 java 17.0.15}. */
  public static String identity() {
    String version = RpcServer.class.getPackage().getImplementationVersion();
    return "callosum-perf "
        + (version == null ? "(development)" : version)
        + " java "
        + System.getProperty("java.version");
  }

  /** The name of its loop thread, the beginning of its other threads' names. */
  public String threadName() {
    return name;
  }

  /** Whether a thread is this server's: its loop, workers and ZeroMQ threads carry its name. */
  public boolean ownsThread(String threadName) {
    return threadName.equals(name) || threadName.startsWith(name + "-");
  }

  /** Whether a thread belongs to any server of this project in this JVM. */
  public static boolean isServerThread(String threadName) {
    return threadName.startsWith(THREAD_PREFIX);
  }

  public String endpoint() {
    return endpoint;
  }

  /** The TCP port the server is bound to. */
  public int port() {
    return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
  }

  public ServerConfig config() {
    return config;
  }

  /** The server's CURVE public key (Z85), or {@code null} without security. */
  public String publicKey() {
    return config.curveKeys() == null ? null : config.curveKeys().publicKey();
  }

  /** A consistent snapshot of the server's counters, taken on its thread. */
  public ServerStats stats() {
    CompletableFuture<ServerStats> snapshot = new CompletableFuture<>();
    loop.execute(
        () ->
            snapshot.complete(
                new ServerStats(
                    requests,
                    replies,
                    malformed,
                    ignored,
                    cancels,
                    pending,
                    dispatch.keyQueues(),
                    zap == null ? 0 : zap.denied(),
                    lastMalformed)));
    try {
      return snapshot.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading server stats", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "server "
              + endpoint
              + " did not report its stats within"
              + " 10 s: its thread is stuck or gone",
          e);
    }
  }

  // ---------------------------------------------------------------- receiving

  /** One message from the ROUTER; whatever it does, it does not end the loop (WIRE.md §8). */
  private void onMessage(List<byte[]> frames, Multipart.Last last) {
    try {
      handleMessage(frames, last);
    } catch (RuntimeException e) {
      dropMalformed("message", new WireFormatException(String.valueOf(e), e));
      LOG.log(System.Logger.Level.WARNING, "a message could not be handled; dropped it", e);
    }
  }

  /** {@code frames}: the peer id and every frame but the last, which is {@code last}. */
  private void handleMessage(List<byte[]> frames, Multipart.Last last) {
    int n = frames.size(); // the body frame is last, not among them
    if (n < 3) {
      ignored++; // the ROUTER's peer id plus fewer than 3 frames cannot be split (WIRE.md §1)
      return;
    }
    byte[] type = frames.get(n - 2);
    if (Frames.isPing(type)) {
      for (int i = 0; i < n - 2; i++) {
        router.send(frames.get(i), ZMQ.SNDMORE | ZMQ.DONTWAIT);
      }
      router.send(Frames.PONG, ZMQ.SNDMORE | ZMQ.DONTWAIT);
      router.send(frames.get(n - 1), ZMQ.SNDMORE | ZMQ.DONTWAIT);
      last.send(router, ZMQ.DONTWAIT);
      return;
    }
    if (!Frames.isUpper(type)) {
      ignored++;
      return;
    }
    byte[] peer = frames.get(0);
    RpcMessage header;
    try {
      header = codec.decodeHeader(frames.get(n - 1));
    } catch (WireFormatException e) {
      dropMalformed("header", e);
      return;
    }
    switch (header.type()) {
      case FUNCTION -> onFunction(peer, header, last);
      case CANCEL -> {
        cancels++;
        dispatch.cancel(new CallId(peer, header));
      }
      default -> ignored++;
    }
  }

  private void dropMalformed(String part, WireFormatException e) {
    malformed++;
    lastMalformed = part + ": " + e.getMessage();
    LOG.log(System.Logger.Level.DEBUG, () -> "dropped a message with a malformed " + lastMalformed);
  }

  private void onFunction(byte[] peer, RpcMessage header, Multipart.Last frame) {
    requests++;
    BodyView body;
    try {
      body = codec.decodeBodyView(header, frame.array(), frame.offset(), frame.length());
    } catch (WireFormatException e) {
      malformed++;
      lastMalformed = "body: " + e.getMessage();
      reply(peer, header.error(peerError("WireFormatError", e.getMessage())));
      return;
    }
    Handler handler = config.handlers().get(header.method());
    if (handler == null) {
      reply(
          peer,
          header.error(
              peerError(
                  "UnknownMethodError",
                  "no handler for method '"
                      + header.method()
                      + "'; this server serves "
                      + config.handlers().keySet())));
      return;
    }
    if (handler instanceof Handler.Inline inline
        && !body.isNil()
        && dispatch.idle(header.orderKey())) {
      // Answer from the request's own frame: the body is copied once, into the reply, or not at
      // all when the reply's body lies in a frame that came with room for the reply's prefix.
      Handler.Slice out;
      try {
        out = inline.reply(new Handler.Slice(body.array(), body.offset(), body.length()));
      } catch (Exception e) {
        reply(peer, header.failure(ErrorInfo.of(e)));
        return;
      }
      if (out.array() == null) { // as a handler returning null: no result
        reply(
            peer,
            header.error(
                peerError(
                    "NoResultError",
                    "handler of '"
                        + header.method()
                        + "' returned a nil body; return an empty one for an empty result")));
        return;
      }
      RpcMessage reply = header.result(NO_BYTES).withCompression(config.compress());
      byte[] replyHeader = codec.encodeHeader(reply);
      int start =
          frame.roomy() && out.array() == frame.array() && !config.compress()
              ? codec.packBodyPrefixBefore(
                  EMPTY_METADATA, out.array(), out.offset(), out.length(), 0)
              : -1;
      if (start >= 0) {
        sendInPlace(peer, replyHeader, frame, start, out.offset() + out.length());
      } else {
        send(
            peer,
            replyHeader,
            codec.encodeBody(
                EMPTY_METADATA, out.array(), out.offset(), out.length(), config.compress()));
      }
      return;
    }
    if (pending >= config.maxPendingRequests()) {
      reply(
          peer,
          header.error(
              peerError(
                  "OverloadedError",
                  "the server already holds "
                      + pending
                      + " requests (maxPendingRequests); try again later")));
      return;
    }
    RpcMessage request =
        new RpcMessage(
            header.type(),
            header.method(),
            header.orderKey(),
            header.seq(),
            body.metadata(),
            body.copy(),
            header.compressed());
    pending++;
    dispatch.submit(new Call(peer, request, handler));
  }

  private static ErrorInfo peerError(String name, String message) {
    return ErrorInfo.of(name, message, "callosum-perf Java server");
  }

  private void reply(byte[] peer, RpcMessage reply) {
    RpcMessage message = reply.withCompression(config.compress());
    send(peer, codec.encodeHeader(message), codec.encodeBody(message));
  }

  /** Sends a reply whose body frame is {@code frame.array()[start, end)}, without copying it. */
  private void sendInPlace(byte[] peer, byte[] header, Multipart.Last frame, int start, int end) {
    boolean sent =
        router.send(peer, ZMQ.SNDMORE | ZMQ.DONTWAIT)
            && router.send(Frames.UPPER, ZMQ.SNDMORE | ZMQ.DONTWAIT)
            && router.send(header, ZMQ.SNDMORE | ZMQ.DONTWAIT)
            && frame.send(router, start, end, ZMQ.DONTWAIT);
    if (sent) {
      replies++;
    }
  }

  private void send(byte[] peer, byte[] header, byte[] body) {
    // No ROUTER_MANDATORY: a reply to a peer that has gone is dropped, as in Python.
    boolean sent =
        router.send(peer, ZMQ.SNDMORE | ZMQ.DONTWAIT)
            && router.send(Frames.UPPER, ZMQ.SNDMORE | ZMQ.DONTWAIT)
            && router.send(header, ZMQ.SNDMORE | ZMQ.DONTWAIT)
            && router.send(body, ZMQ.DONTWAIT);
    if (sent) {
      replies++;
    }
  }

  // ---------------------------------------------------------------- running handlers

  /** A request in the server, from arrival until its reply leaves. */
  private final class Call implements Request {
    final byte[] peer;
    final RpcMessage request;
    final Handler handler;
    CompletableFuture<byte[]> running;
    boolean done;

    Call(byte[] peer, RpcMessage request, Handler handler) {
      this.peer = peer;
      this.request = request;
      this.handler = handler;
    }

    @Override
    public String method() {
      return request.method();
    }

    @Override
    public OrderKey orderKey() {
      return request.orderKey();
    }

    @Override
    public long seq() {
      return request.seq();
    }

    @Override
    public byte[] body() {
      return request.body();
    }

    @Override
    public ExecutorService workers() {
      return workers;
    }

    @Override
    public ScheduledExecutorService timer() {
      return timer;
    }

    boolean is(CallId id) {
      return Arrays.equals(peer, id.peer) && request.answers(id.header);
    }
  }

  /** What a CANCEL names: the peer and the request's method, order key and seq. */
  private record CallId(byte[] peer, RpcMessage header) {}

  /**
   * Starts a call's handler; returns whether it finished at once. Otherwise its completion comes
   * back to the loop thread and ends in {@link #finish}.
   */
  private boolean run(Call call) {
    CompletableFuture<byte[]> stage;
    try {
      stage = call.handler.handle(call).toCompletableFuture();
    } catch (Throwable t) {
      stage = CompletableFuture.failedFuture(t);
    }
    call.running = stage;
    if (stage.isDone()) {
      complete(call, stage);
      return true;
    }
    stage.whenComplete(
        (v, t) ->
            loop.execute(
                () -> {
                  if (!call.done) {
                    complete(call, call.running);
                    dispatch.finished(call);
                  }
                }));
    return false;
  }

  private void complete(Call call, CompletableFuture<byte[]> stage) {
    RpcMessage reply;
    try {
      byte[] result = stage.getNow(null);
      reply =
          result != null
              ? call.request.result(result)
              : call.request.error(
                  peerError(
                      "NoResultError",
                      "handler of '"
                          + call.method()
                          + "' returned null; return an empty array for an empty result"));
    } catch (CancellationException e) {
      reply = call.request.cancelled();
    } catch (CompletionException e) {
      Throwable cause =
          e.getCause() instanceof CompletionException c && c.getCause() != null
              ? c.getCause()
              : e.getCause();
      reply =
          cause instanceof CancellationException
              ? call.request.cancelled()
              : call.request.failure(ErrorInfo.of(cause));
    }
    finish(call, reply);
  }

  private void finish(Call call, RpcMessage reply) {
    call.done = true;
    pending--;
    reply(call.peer, reply);
  }

  /** The scheduler's part: when to start calls, and what CANCEL does. */
  private interface Dispatch {
    void submit(Call call);

    /** A call that did not finish at once has finished. */
    void finished(Call call);

    void cancel(CallId id);

    int keyQueues();

    /** Whether a request with this key may run at once, ahead of nothing. */
    boolean idle(OrderKey key);
  }

  /** Start at once; reply when done; CANCEL has no effect (WIRE.md §6). */
  private final class ExitOrdered implements Dispatch {
    @Override
    public void submit(Call call) {
      run(call);
    }

    @Override
    public void finished(Call call) {}

    @Override
    public void cancel(CallId id) {}

    @Override
    public int keyQueues() {
      return 0;
    }

    @Override
    public boolean idle(OrderKey key) {
      return true;
    }
  }

  /** One call at a time per order key, in arrival order across all clients. */
  private final class KeySerialized implements Dispatch {
    private final Map<OrderKey, ArrayDeque<Call>> queues = new HashMap<>();

    @Override
    public void submit(Call call) {
      ArrayDeque<Call> queue = queues.computeIfAbsent(call.orderKey(), k -> new ArrayDeque<>());
      queue.addLast(call);
      if (queue.size() == 1) {
        drain(call.orderKey(), queue);
      }
    }

    @Override
    public void finished(Call call) {
      ArrayDeque<Call> queue = queues.get(call.orderKey());
      if (queue != null && queue.peekFirst() == call) {
        queue.pollFirst();
        drain(call.orderKey(), queue);
      }
    }

    /** Runs the queue's head; as long as heads finish at once, the next one. No recursion. */
    private void drain(OrderKey key, ArrayDeque<Call> queue) {
      Call head;
      while ((head = queue.peekFirst()) != null) {
        if (head.running != null || !run(head)) {
          return;
        }
        queue.pollFirst();
      }
      queues.remove(key);
    }

    @Override
    public void cancel(CallId id) {
      ArrayDeque<Call> queue = queues.get(id.header.orderKey());
      if (queue == null) {
        return;
      }
      for (Iterator<Call> it = queue.iterator(); it.hasNext(); ) {
        Call call = it.next();
        if (call.is(id) && !call.done) {
          boolean wasHead = call == queue.peekFirst();
          it.remove();
          if (call.running != null) {
            call.running.cancel(true);
          }
          finish(call, call.request.cancelled());
          if (wasHead) {
            drain(id.header.orderKey(), queue);
          } else if (queue.isEmpty()) {
            queues.remove(id.header.orderKey());
          }
          return;
        }
      }
    }

    @Override
    public int keyQueues() {
      return queues.size();
    }

    @Override
    public boolean idle(OrderKey key) {
      return !queues.containsKey(key);
    }
  }

  // ---------------------------------------------------------------- closing

  /**
   * Stops serving: cancels running handlers, closes the sockets and stops every thread the server
   * started. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    loop.close(); // closes the ROUTER on its own thread
    if (zap != null) {
      zap.close();
    }
    shutdownExecutors();
    context.close();
  }

  private void shutdownExecutors() {
    timer.stop();
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public String toString() {
    return "RpcServer["
        + endpoint
        + ", "
        + (config.keySerialized() ? "KeySerialized" : "ExitOrdered")
        + (config.compress() ? ", snappy" : "")
        + (config.curveKeys() != null ? ", CURVE" : "")
        + "]";
  }
}
