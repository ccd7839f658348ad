package dev.callosum.perf.load;

import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.TimeSeries;
import dev.callosum.perf.peer.ClientConfig;
import dev.callosum.perf.peer.Connection;
import dev.callosum.perf.peer.PreparedBody;
import dev.callosum.perf.peer.RawZeroMq;
import dev.callosum.perf.peer.RpcException;
import dev.callosum.perf.protocol.OrderKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apiguardian.api.API;

/**
 * Closed-loop load: N clients, each on its own thread and connection, each sending its next request
 * as soon as the previous reply arrives, until R requests in all have been made.
 *
 * <pre>{@code
 * LoadResult result = ClosedLoop.against(ClientConfig.builder(endpoint).build())
 *     .clients(10).payload(Payload.parse("1KiB")).requests(10_000).run();
 * }</pre>
 *
 * <p>A closed loop measures service time as each client sees it and how much one set of clients can
 * push; it cannot show the queueing a fixed arrival rate would meet (coordinated omission), and its
 * results say {@link LoadResult#closedLoop() closed loop}. Recording a latency allocates nothing:
 * each client records into its own histogram, merged at the end.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class ClosedLoop {
  private Consumer<TimeSeries.Point> onInterval = point -> {};
  static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final ClientConfig client;
  private final boolean rawZeroMq;
  private int clients = 1;
  private Payload payload = Payload.parse("1KiB");
  private Payload.Content content = Payload.Content.RANDOM;
  private Duration sampleEvery = Duration.ofSeconds(1);
  private boolean rawSamples;
  private long requests = 10_000;
  private long warmupRequests;
  private String method = "echo";
  private OrderKeys orderKeys = OrderKeys.NONE;
  private Duration deadline = Duration.ofMinutes(10);
  private java.util.function.BooleanSupplier stopWhen = () -> false;
  private int inFlight = 1;
  private Duration measureFor;
  private volatile long measureUntil = Long.MAX_VALUE;

  private ClosedLoop(ClientConfig client, boolean rawZeroMq) {
    this.client = Objects.requireNonNull(client, "client");
    this.rawZeroMq = rawZeroMq;
  }

  /** A closed loop against the Callosum server that {@code client} describes. */
  public static ClosedLoop against(ClientConfig client) {
    return new ClosedLoop(client, false);
  }

  /**
   * A closed loop of bare ZeroMQ round trips against a {@link RawZeroMq.EchoServer}: the baseline
   * that shows what Callosum costs on top of ZeroMQ.
   */
  public static ClosedLoop rawZeroMq(String endpoint) {
    return new ClosedLoop(ClientConfig.builder(endpoint).build(), true);
  }

  /** How requests are keyed: no key, one key shared by all, or one key per client. */
  public enum OrderKeys {
    NONE,
    SHARED,
    PER_CLIENT
  }

  private int keyCount;

  public ClosedLoop clients(int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("clients must be positive, was " + count);
    }
    this.clients = count;
    return this;
  }

  public ClosedLoop payload(Payload size) {
    this.payload = Objects.requireNonNull(size, "payload");
    return this;
  }

  /** What the payload's bytes are: random (the default) or compressible. */
  public ClosedLoop content(Payload.Content kind) {
    this.content = Objects.requireNonNull(kind, "content");
    return this;
  }

  /**
   * Whether to keep every successful call's send time and latency ({@link
   * LoadResult#rawSamples()}); off unless set, as it costs memory.
   */
  public ClosedLoop rawSamples(boolean keep) {
    this.rawSamples = keep;
    return this;
  }

  /**
   * How long each interval of the time series is: 1 s unless set; shorter to see where in a short
   * run the outliers fall.
   */
  public ClosedLoop sampleEvery(Duration interval) {
    this.sampleEvery = Sampler.checkInterval(interval);
    return this;
  }

  /** Measured requests, over all clients. */
  public ClosedLoop requests(long count) {
    if (count <= 0) {
      throw new IllegalArgumentException("requests must be positive, was " + count);
    }
    this.requests = count;
    this.measureFor = null;
    return this;
  }

  /**
   * Measures for this long instead of a number of requests: every client goes on until the time is
   * up.
   */
  public ClosedLoop duration(Duration length) {
    if (length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException("duration must be positive, was " + length);
    }
    this.measureFor = length;
    this.requests = Long.MAX_VALUE;
    return this;
  }

  /**
   * How many requests each client keeps in flight: it sends the next one when any reply arrives. 1
   * (the default) is the classic closed loop.
   */
  public ClosedLoop inFlight(int perClient) {
    if (perClient < 1 || perClient > 4096) {
      throw new IllegalArgumentException(
          "requests in flight per client must be 1 to 4096, was " + perClient);
    }
    if (perClient > 1 && rawZeroMq) {
      throw new IllegalArgumentException("the raw ZeroMQ baseline keeps one request in flight");
    }
    this.inFlight = perClient;
    return this;
  }

  /** Requests made first and not measured, over all clients. */
  public ClosedLoop warmup(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("warm-up requests must be >= 0, was " + count);
    }
    this.warmupRequests = count;
    return this;
  }

  public ClosedLoop method(String name) {
    this.method = Objects.requireNonNull(name, "method");
    return this;
  }

  public ClosedLoop orderKeys(OrderKeys keys) {
    this.orderKeys = Objects.requireNonNull(keys, "orderKeys");
    this.keyCount = 0;
    return this;
  }

  /**
   * Spreads the clients over {@code count} str keys ({@code key-0} ...), client i using key i mod
   * count: what the key-serialized scheduler makes of K independent streams.
   */
  public ClosedLoop spreadOverKeys(int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("key count must be positive, was " + count);
    }
    this.keyCount = count;
    return this;
  }

  /**
   * A condition checked after every failed call, such as "the server process died": when it holds,
   * the run stops and reports what it has.
   */
  public ClosedLoop stopWhen(java.util.function.BooleanSupplier condition) {
    this.stopWhen = Objects.requireNonNull(condition, "condition");
    return this;
  }

  /** How long the whole run may take before it stops and reports what it has. */
  public ClosedLoop deadline(Duration limit) {
    this.deadline = Objects.requireNonNull(limit, "deadline");
    return this;
  }

  /**
   * Called with each second's interval as the run goes (on the thread that runs it): for progress
   * lines. It sees warm-up intervals too.
   */
  public ClosedLoop onInterval(Consumer<TimeSeries.Point> listener) {
    this.onInterval = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Connects the clients, runs the warm-up, then the measured requests.
   *
   * @throws RpcException if a client cannot connect (its handshake fails)
   */
  public LoadResult run() {
    byte[] body = payload.bytes(content);
    AtomicLong warmupTickets = new AtomicLong(warmupRequests);
    AtomicLong tickets = new AtomicLong(requests);
    CyclicBarrier connected = new CyclicBarrier(clients + 1);
    Sampler sampler = new Sampler(onInterval);
    long[] start = new long[1];
    // The clock starts as the last party arrives, before any client is released: no measured
    // request leaves before it, and the time series counts from it.
    CyclicBarrier warmedUp =
        new CyclicBarrier(
            clients + 1,
            () -> {
              start[0] = System.nanoTime();
              sampler.start(start[0]);
              if (measureFor != null) {
                measureUntil = start[0] + measureFor.toNanos();
              }
            });
    CountDownLatch finished = new CountDownLatch(clients);
    List<Worker> workers = new ArrayList<>();
    long stopAt = System.nanoTime() + deadline.toNanos();
    for (int i = 0; i < clients; i++) {
      OrderKey key =
          keyCount > 0
              ? OrderKey.of("key-" + (i % keyCount))
              : switch (orderKeys) {
                case NONE -> OrderKey.NONE;
                case SHARED -> OrderKey.of("shared");
                case PER_CLIENT -> OrderKey.of("client-" + i);
              };
      Worker worker =
          new Worker(
              key,
              body,
              warmupTickets,
              tickets,
              connected,
              warmedUp,
              finished,
              stopAt,
              sampler.newRecorder());
      workers.add(worker);
      Thread thread = new Thread(worker, "callosum-load-" + i);
      thread.setDaemon(true);
      thread.start();
    }
    try {
      await(connected, stopAt);
      for (Worker w : workers) {
        if (w.failure != null) {
          warmupTickets.set(0);
          tickets.set(0);
          warmedUp.reset(); // releases the others, which find no tickets and close
          finished.await(client.handshakeTimeout().toNanos() * 2, TimeUnit.NANOSECONDS);
          throw w.failure;
        }
      }
      await(warmedUp, stopAt);
      if (start[0] == 0) { // the barrier broke (deadline): measure from now, as the clients do
        start[0] = System.nanoTime();
        sampler.start(start[0]);
      }
      while (!finished.await(
          Math.max(1, Math.min(stopAt - System.nanoTime(), sampleEvery.toNanos())),
          TimeUnit.NANOSECONDS)) {
        sampler.sample(System.nanoTime());
        if (System.nanoTime() - stopAt >= 0) {
          tickets.set(0);
          finished.await(client.invokeTimeout().toNanos() + 1_000_000_000L, TimeUnit.NANOSECONDS);
          break;
        }
      }
      sampler.sample(System.nanoTime());
      long end = workers.stream().mapToLong(w -> w.lastReply).max().orElse(start[0]);
      LoadResult result = merge(workers, Duration.ofNanos(Math.max(1, end - start[0])), sampler);
      return rawSamples
          ? result.withRawSamples(
              SampleLog.merge(workers.stream().map(w -> w.samples).toList(), start[0]))
          : result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tickets.set(0);
      throw new IllegalStateException("interrupted while running the load", e);
    }
  }

  private static void await(CyclicBarrier barrier, long stopAt) throws InterruptedException {
    try {
      barrier.await(Math.max(1, stopAt - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.BrokenBarrierException
        | java.util.concurrent.TimeoutException e) {
      // a client failed to connect: reported by the caller from its failure
    }
  }

  private LoadResult merge(List<Worker> workers, Duration elapsed, Sampler sampler) {
    Histogram latency = sampler.total();
    Histogram handshake = newHistogram();
    Map<RpcException.Kind, Long> errors = new EnumMap<>(RpcException.Kind.class);
    long ok = 0;
    for (Worker w : workers) {
      if (w.handshakeNanos > 0) {
        handshake.recordValue(Math.min(HIGHEST_NANOS, w.handshakeNanos));
      }
      ok += w.ok;
      for (RpcException.Kind kind : RpcException.Kind.values()) {
        if (w.errors[kind.ordinal()] > 0) {
          errors.merge(kind, w.errors[kind.ordinal()], Long::sum);
        }
      }
    }
    long bytes = ok * (long) payload.bytes();
    return new LoadResult(
        true,
        clients,
        payload.bytes(),
        ok,
        errors,
        elapsed,
        bytes,
        bytes,
        latency,
        handshake,
        Double.NaN,
        0,
        sampler.series());
  }

  static Histogram newHistogram() {
    return new Histogram(HIGHEST_NANOS, 3);
  }

  /** One client: its own thread, connection and histogram. */
  private final class Worker implements Runnable {
    final OrderKey key;
    final byte[] body;
    final AtomicLong warmupTickets;
    final AtomicLong tickets;
    final CyclicBarrier connected;
    final CyclicBarrier warmedUp;
    final CountDownLatch finished;
    final long stopAt;
    final org.HdrHistogram.Recorder latency;
    final SampleLog samples = rawSamples ? new SampleLog() : null;
    final long[] errors = new long[RpcException.Kind.values().length];
    long ok;
    long handshakeNanos;
    volatile long lastReply;
    volatile RpcException failure;

    Worker(
        OrderKey key,
        byte[] body,
        AtomicLong warmupTickets,
        AtomicLong tickets,
        CyclicBarrier connected,
        CyclicBarrier warmedUp,
        CountDownLatch finished,
        long stopAt,
        org.HdrHistogram.Recorder latency) {
      this.latency = latency;
      this.key = key;
      this.body = body;
      this.warmupTickets = warmupTickets;
      this.tickets = tickets;
      this.connected = connected;
      this.warmedUp = warmedUp;
      this.finished = finished;
      this.stopAt = stopAt;
    }

    /** Whether to make another measured request. */
    private boolean ticket() {
      long now = System.nanoTime();
      return now < stopAt && now < measureUntil && tickets.getAndDecrement() > 0;
    }

    /** Keeps {@code inFlight} requests outstanding; each reply lets the next request go. */
    private void pipelined(CallosumCaller caller) {
      int ring = Integer.highestOneBit(inFlight * 2 - 1) * 2;
      long[] sentAt = new long[ring];
      boolean[] waiting = new boolean[ring];
      int outstanding = 0;
      long timeout = client.invokeTimeout().toNanos();
      while (true) {
        while (outstanding < inFlight && ticket()) {
          long seq = caller.send(body);
          int slot = (int) (seq & (ring - 1));
          sentAt[slot] = System.nanoTime();
          waiting[slot] = true;
          outstanding++;
        }
        if (outstanding == 0) {
          return;
        }
        dev.callosum.perf.protocol.RpcMessage reply = caller.receiveHeader(timeout);
        long now = System.nanoTime();
        lastReply = now;
        if (reply == null) {
          errors[RpcException.Kind.TIMEOUT.ordinal()] += outstanding;
          return; // nothing came back within the timeout: the server is gone or stuck
        }
        int slot = (int) (reply.seq() & (ring - 1));
        if (!waiting[slot]) {
          continue;
        }
        waiting[slot] = false;
        outstanding--;
        switch (reply.type()) {
          case RESULT -> {
            latency.recordValue(Math.min(HIGHEST_NANOS, now - sentAt[slot]));
            if (samples != null) {
              samples.add(sentAt[slot], now - sentAt[slot]);
            }
            ok++;
          }
          case FAILURE -> errors[RpcException.Kind.FAILURE.ordinal()]++;
          case CANCELLED -> errors[RpcException.Kind.CANCELLED.ordinal()]++;
          default -> errors[RpcException.Kind.ERROR.ordinal()]++;
        }
      }
    }

    @Override
    public void run() {
      Caller connection = null;
      try {
        try {
          connection = rawZeroMq ? new RawCaller() : new CallosumCaller(key);
          handshakeNanos = connection.handshakeNanos();
        } catch (RpcException e) {
          failure = e;
        }
        await(connected, stopAt);
        if (connection == null) {
          return;
        }
        while (warmupTickets.getAndDecrement() > 0 && System.nanoTime() < stopAt) {
          try {
            connection.call(body);
          } catch (RpcException e) {
            // warm-up errors are not measured
          }
        }
        await(warmedUp, stopAt);
        if (inFlight > 1) {
          pipelined((CallosumCaller) connection);
          return;
        }
        while (ticket()) {
          long sent = System.nanoTime();
          try {
            connection.call(body);
            long now = System.nanoTime();
            latency.recordValue(Math.min(HIGHEST_NANOS, now - sent));
            if (samples != null) {
              samples.add(sent, now - sent);
            }
            lastReply = now;
            ok++;
          } catch (RpcException e) {
            errors[e.kind().ordinal()]++;
            lastReply = System.nanoTime();
            if (stopWhen.getAsBoolean()) {
              tickets.set(0);
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (connection != null) {
          connection.close();
        }
        finished.countDown();
      }
    }
  }

  /** One client connection, used by one worker thread. */
  private interface Caller extends AutoCloseable {
    long handshakeNanos();

    void call(byte[] body);

    @Override
    void close();
  }

  private final class CallosumCaller implements Caller {
    private final Connection connection = Connection.open(client);
    private final OrderKey key;
    private PreparedBody prepared;

    CallosumCaller(OrderKey key) {
      this.key = key;
    }

    @Override
    public long handshakeNanos() {
      return connection.handshakeLatency().toNanos();
    }

    @Override
    public void call(byte[] body) {
      connection.call(method, key, prepared(body), client.invokeTimeout());
    }

    long send(byte[] body) {
      return connection.send(method, key, prepared(body));
    }

    dev.callosum.perf.protocol.RpcMessage receiveHeader(long timeoutNanos) {
      return connection.receiveHeader(timeoutNanos);
    }

    private PreparedBody prepared(byte[] body) {
      if (prepared == null) {
        prepared = connection.prepare(body); // every request carries the same body
      }
      return prepared;
    }

    @Override
    public void close() {
      connection.close();
    }
  }

  private final class RawCaller implements Caller {
    private final RawZeroMq.Client raw =
        new RawZeroMq.Client(client.endpoint(), client.invokeTimeout());

    @Override
    public long handshakeNanos() {
      return raw.handshakeLatency().toNanos();
    }

    @Override
    public void call(byte[] body) {
      raw.roundTrip(body);
    }

    @Override
    public void close() {
      raw.close();
    }
  }
}
