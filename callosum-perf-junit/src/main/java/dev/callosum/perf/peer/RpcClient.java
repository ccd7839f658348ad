package dev.callosum.perf.peer;

import dev.callosum.perf.protocol.OrderKey;
import dev.callosum.perf.protocol.RpcMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apiguardian.api.API;
import org.zeromq.ZContext;

/**
 * A thread-safe Callosum client: calls from any thread, many in flight, each answered by a {@link
 * CompletableFuture}. Its connection lives on its own I/O thread; futures complete there, so keep
 * dependent actions short or use the {@code ...Async} variants.
 *
 * <pre>{@code
 * try (RpcClient client = RpcClient.connect(server.endpoint())) {
 *   byte[] reply = client.call("echo", payload);                        // blocking
 *   CompletableFuture<byte[]> later = client.invoke("delay", "10".getBytes(US_ASCII));
 * }
 * }</pre>
 *
 * <p>Each outcome other than RESULT fails the future with an {@link RpcException} whose {@link
 * RpcException#kind() kind} says which: FAILURE, ERROR, CANCELLED, TIMEOUT (after which CANCEL is
 * sent, as Python's client does) or TRANSPORT. Sequence ids count from 0 and wrap at 2^32.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class RpcClient implements AutoCloseable {
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final ClientConfig config;
  private final ZContext context;
  private final EventLoop loop;
  private final AtomicInteger inFlight = new AtomicInteger();
  // Loop thread only:
  private final Map<Long, Pending> pending = new HashMap<>();
  private final TreeSet<Pending> deadlines = new TreeSet<>();
  private LoopThread.Timer sweep;
  private long sweepAt;
  private Connection connection;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RpcClient(ClientConfig config) {
    this.config = config;
    this.context = SharedContext.acquire();
    this.loop = new EventLoop("callosum-client-" + CLIENTS.incrementAndGet());
  }

  /** Connects to the server at {@code endpoint} with default settings. */
  public static RpcClient connect(String endpoint) {
    return connect(ClientConfig.builder(endpoint).build());
  }

  /**
   * Connects and completes the PING/PONG handshake.
   *
   * @throws HandshakeException if no PONG arrives within the handshake timeout, saying why
   */
  public static RpcClient connect(ClientConfig config) {
    RpcClient client = new RpcClient(config);
    try {
      client.loop.start(
          () -> {
            client.connection = Connection.open(client.context, config);
            client.loop.register(client.connection.socket(), client::drainReplies);
          });
    } catch (RuntimeException e) {
      SharedContext.release(client.context);
      throw e;
    }
    return client;
  }

  public ClientConfig config() {
    return config;
  }

  /** How long the PING/PONG handshake took. */
  public Duration handshakeLatency() {
    return connection.handshakeLatency();
  }

  /** Calls a method with no order key. */
  public CompletableFuture<byte[]> invoke(String method, byte[] body) {
    return invoke(method, OrderKey.NONE, body, config.invokeTimeout());
  }

  /** Calls a method with an order key. */
  public CompletableFuture<byte[]> invoke(String method, OrderKey key, byte[] body) {
    return invoke(method, key, body, config.invokeTimeout());
  }

  /**
   * Calls a method; the future fails with {@link RpcException} (kind TIMEOUT) if no reply comes
   * within {@code timeout}, and CANCEL is sent.
   */
  public CompletableFuture<byte[]> invoke(
      String method, OrderKey key, byte[] body, Duration timeout) {
    Pending call = new Pending(method, key, body, timeout.toNanos());
    if (closed.get()) {
      call.future.completeExceptionally(closedError());
      return call.future;
    }
    if (inFlight.incrementAndGet() > config.maxInFlight()) {
      inFlight.decrementAndGet();
      call.future.completeExceptionally(
          new RpcException(
              RpcException.Kind.TRANSPORT,
              "client to "
                  + config.endpoint()
                  + " already has "
                  + config.maxInFlight()
                  + " calls in flight (maxInFlight); wait for some to finish"));
      return call.future;
    }
    call.future.whenComplete((v, t) -> inFlight.decrementAndGet());
    loop.execute(() -> start(call));
    return call.future;
  }

  /** Calls a method with no order key and waits for the result. */
  public byte[] call(String method, byte[] body) {
    return call(method, OrderKey.NONE, body);
  }

  /**
   * Calls a method and waits for the result.
   *
   * @throws RpcException for every outcome but RESULT
   */
  public byte[] call(String method, OrderKey key, byte[] body) {
    try {
      return invoke(method, key, body).get();
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException(
          RpcException.Kind.TRANSPORT, "interrupted while calling '" + method + "'", e);
    }
  }

  /** How many times this client's loop has polled its sockets: what tests watch for spinning. */
  long loopPolls() {
    return loop.polls();
  }

  /** How many calls are in flight now. */
  public int inFlight() {
    return inFlight.get();
  }

  private static RpcException unwrap(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    return cause instanceof RpcException r
        ? r
        : new RpcException(RpcException.Kind.TRANSPORT, String.valueOf(cause.getMessage()), cause);
  }

  // ---------------------------------------------------------------- loop thread

  private void start(Pending call) {
    if (closed.get()) {
      call.future.completeExceptionally(closedError());
      return;
    }
    long seq = connection.nextSeq();
    call.request =
        RpcMessage.function(call.method, call.key, seq, call.body)
            .withCompression(config.compress());
    call.body = null;
    Pending previous = pending.put(seq, call);
    if (previous != null) { // 2^32 calls later, the oldest is still waiting: it cannot be matched
      forget(previous);
      previous.future.completeExceptionally(
          new RpcException(
              RpcException.Kind.TRANSPORT,
              "seq " + seq + " wrapped around while the call was still in flight"));
    }
    call.deadline = System.nanoTime() + call.timeoutNanos;
    deadlines.add(call);
    armSweep(call.deadline);
    boolean sent =
        connection.sendEncoded(
            connection.codec().encodeHeader(call.request),
            connection.codec().encodeBody(call.request),
            false);
    if (!sent) {
      forget(call);
      call.future.completeExceptionally(
          new RpcException(
              RpcException.Kind.TRANSPORT,
              "the send queue to " + config.endpoint() + " is full; the server is not reading"));
    }
  }

  private boolean drainReplies() {
    RpcMessage reply;
    while ((reply = connection.receiveNow()) != null) {
      Pending call = pending.get(reply.seq());
      if (call == null || !reply.answers(call.request)) {
        continue; // a late reply to a call that timed out: Python drops it too
      }
      forget(call);
      try {
        call.future.complete(Connection.outcome(reply));
      } catch (RpcException e) {
        call.future.completeExceptionally(e);
      }
    }
    return false;
  }

  private void forget(Pending call) {
    pending.remove(call.request.seq(), call);
    deadlines.remove(call);
  }

  private void armSweep(long deadline) {
    if (sweep == null || deadline - sweepAt < 0) {
      if (sweep != null) {
        sweep.cancel();
      }
      sweepAt = deadline;
      sweep = loop.schedule(Math.max(0, deadline - System.nanoTime()), this::expire);
    }
  }

  private void expire() {
    sweep = null;
    long now = System.nanoTime();
    while (!deadlines.isEmpty() && deadlines.first().deadline - now <= 0) {
      Pending call = deadlines.pollFirst();
      pending.remove(call.request.seq(), call);
      connection.sendCancel(call.request);
      call.future.completeExceptionally(
          new RpcException(
              RpcException.Kind.TIMEOUT,
              "no reply to '"
                  + call.method
                  + "' (seq "
                  + call.request.seq()
                  + ") from "
                  + config.endpoint()
                  + " within "
                  + Duration.ofNanos(call.timeoutNanos)
                  + "; sent CANCEL"));
    }
    if (!deadlines.isEmpty()) {
      armSweep(deadlines.first().deadline);
    }
  }

  private RpcException closedError() {
    return new RpcException(
        RpcException.Kind.TRANSPORT, "client to " + config.endpoint() + " is closed");
  }

  /** Fails the calls still in flight, closes the connection and stops the I/O thread. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    loop.execute(
        () -> {
          for (Pending call : pending.values()) {
            call.future.completeExceptionally(closedError());
          }
          pending.clear();
          deadlines.clear();
          if (connection != null) {
            loop.unregister(connection.socket());
            connection.close();
          }
        });
    loop.close();
    SharedContext.release(context);
  }

  /** A call between {@link #invoke} and its outcome. */
  private static final class Pending implements Comparable<Pending> {
    private static final AtomicInteger ORDER = new AtomicInteger();
    final String method;
    final OrderKey key;
    final long timeoutNanos;
    final int order = ORDER.incrementAndGet();
    final CompletableFuture<byte[]> future = new CompletableFuture<>();
    byte[] body;
    RpcMessage request;
    long deadline;

    Pending(String method, OrderKey key, byte[] body, long timeoutNanos) {
      this.method = method;
      this.key = key;
      this.body = body;
      this.timeoutNanos = timeoutNanos;
    }

    @Override
    public int compareTo(Pending o) {
      int c = Long.compare(deadline - o.deadline, 0);
      return c != 0 ? c : Integer.compare(order, o.order);
    }
  }
}
