package dev.callosum.perf.load;

import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.TimeSeries;
import dev.callosum.perf.peer.ClientConfig;
import dev.callosum.perf.peer.ClientCpu;
import dev.callosum.perf.peer.Connection;
import dev.callosum.perf.peer.PreparedBody;
import dev.callosum.perf.peer.RawZeroMq;
import dev.callosum.perf.peer.RpcException;
import dev.callosum.perf.protocol.Frames;
import dev.callosum.perf.protocol.MessageCodec;
import dev.callosum.perf.protocol.OrderKey;
import dev.callosum.perf.protocol.RpcMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.apiguardian.api.API;

/**
 * Closed-loop load: N clients, each on its own thread and connection, each sending its next request
 * as soon as the previous reply arrives, until R requests in all have been made.
 *
 * <pre>{@code
 * LoadResult result = ClosedLoop.against(ClientConfig.builder(endpoint).build(),
 *     ClosedLoad.DEFAULT.clients(10).payload(Payload.parse("1KiB")).requests(10_000)).run();
 * }</pre>
 *
 * <p>A closed loop measures service time as each client sees it and how much one set of clients can
 * push; it cannot show the queueing a fixed arrival rate would meet (coordinated omission), and its
 * results say {@link LoadResult#closedLoop() closed loop}. Recording a latency allocates nothing:
 * each client records into its own histogram, merged at the end.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class ClosedLoop {
  static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final ClientConfig client;
  private final ClosedLoad load;
  private final Function<OrderKey, Caller> connect;
  private Consumer<TimeSeries.Point> onInterval = point -> {};
  private Supplier<Optional<String>> stopWhen = Optional::empty;
  private volatile long measureUntil = Long.MAX_VALUE;

  private ClosedLoop(ClientConfig client, ClosedLoad load, Function<OrderKey, Caller> connect) {
    this.client = Objects.requireNonNull(client, "client");
    this.load = Objects.requireNonNull(load, "load");
    this.connect = connect;
  }

  /** A closed loop against the Callosum server that {@code client} describes. */
  public static ClosedLoop against(ClientConfig client, ClosedLoad load) {
    return new ClosedLoop(client, load, key -> new CallosumCaller(client, load.method(), key));
  }

  /**
   * A closed loop of bare ZeroMQ round trips against a {@link RawZeroMq.EchoServer}: the baseline
   * that shows what Callosum costs on top of ZeroMQ. It keeps one request in flight per client.
   */
  public static ClosedLoop rawZeroMq(String endpoint, ClosedLoad load) {
    return rawZeroMq(endpoint, load, false);
  }

  /**
   * Raw ZeroMQ echo, each request either one frame of the payload or, with {@code callosumFrames},
   * the three frames a Callosum request of it puts on the wire (type, header, body, byte for byte):
   * the transport Callosum needs, without Callosum.
   */
  public static ClosedLoop rawZeroMq(String endpoint, ClosedLoad load, boolean callosumFrames) {
    if (load.inFlight() > 1) {
      throw new IllegalArgumentException("the raw ZeroMQ baseline keeps one request in flight");
    }
    ClientConfig client = ClientConfig.builder(endpoint).build();
    return new ClosedLoop(client, load, key -> new RawCaller(client, callosumFrames));
  }

  /**
   * Why to stop, when there is a reason, such as "the server process died": calls waiting for a
   * reply look at it every 100 ms and fail with it at once (TRANSPORT), and the run stops and
   * reports what it has.
   */
  public ClosedLoop stopWhen(Supplier<Optional<String>> reason) {
    this.stopWhen = Objects.requireNonNull(reason, "reason");
    return this;
  }

  /**
   * Called with each interval of the time series as the run goes (on the thread that runs it): for
   * progress lines.
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
    byte[] body = load.payload().bytes(load.content());
    AtomicLong warmupTickets = new AtomicLong(load.warmupRequests());
    AtomicLong tickets = new AtomicLong(load.duration() != null ? Long.MAX_VALUE : load.requests());
    CyclicBarrier connected = new CyclicBarrier(load.clients() + 1);
    Sampler sampler = new Sampler(onInterval);
    long[] start = new long[1];
    // The clock starts as the last party arrives, before any client is released: no measured
    // request leaves before it, and the time series counts from it.
    CyclicBarrier warmedUp =
        new CyclicBarrier(
            load.clients() + 1,
            () -> {
              start[0] = System.nanoTime();
              sampler.start(start[0]);
              if (load.duration() != null) {
                measureUntil = start[0] + load.duration().toNanos();
              }
            });
    CountDownLatch finished = new CountDownLatch(load.clients());
    List<Worker> workers = new ArrayList<>();
    long stopAt = System.nanoTime() + load.deadline().toNanos();
    for (int i = 0; i < load.clients(); i++) {
      OrderKey key =
          load.keyCount() > 0
              ? OrderKey.of("key-" + (i % load.keyCount()))
              : switch (load.orderKeys()) {
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
      Thread thread = new Thread(ClientCpu.counted(worker), "callosum-load-" + i);
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
          Math.max(1, Math.min(stopAt - System.nanoTime(), load.sampleEvery().toNanos())),
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
      Duration elapsed = Duration.ofNanos(Math.max(1, end - start[0]));
      long sent = workers.stream().mapToLong(w -> w.ok + w.errorCount()).sum();
      LoadResult result =
          Tally.result(
              workers,
              load.payload().bytes(),
              elapsed,
              sampler.total(),
              Double.NaN,
              0,
              sampler.series(),
              sent,
              elapsed);
      return load.rawSamples()
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

  static Histogram newHistogram() {
    return new Histogram(HIGHEST_NANOS, 3);
  }

  /** One client: its own thread, connection and histogram. */
  private final class Worker extends Tally implements Runnable {
    final OrderKey key;
    final byte[] body;
    final AtomicLong warmupTickets;
    final AtomicLong tickets;
    final CyclicBarrier connected;
    final CyclicBarrier warmedUp;
    final CountDownLatch finished;
    final long stopAt;
    final org.HdrHistogram.Recorder latency;
    final SampleLog samples = load.rawSamples() ? new SampleLog() : null;
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
    private void pipelined(Caller caller) {
      int inFlight = load.inFlight();
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
        RpcMessage reply = caller.receiveHeader(timeout);
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
          default -> error(reply.type());
        }
      }
    }

    @Override
    public void run() {
      Caller connection = null;
      try {
        try {
          connection = connect.apply(key);
          connection.abortWaitsWhen(stopWhen);
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
        if (load.inFlight() > 1) {
          pipelined(connection);
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
            error(e.kind());
            lastReply = System.nanoTime();
            if (stopWhen.get().isPresent()) {
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

    /** One call, waiting for its reply. */
    void call(byte[] body);

    /** Sends a request without waiting; returns its seq (pipelined loads only). */
    long send(byte[] body);

    /** The next reply's header, or null when none came within the timeout. */
    RpcMessage receiveHeader(long timeoutNanos);

    /** Makes waits for replies give up at once when there is a reason to stop. */
    default void abortWaitsWhen(Supplier<Optional<String>> reason) {}

    @Override
    void close();
  }

  private static final class CallosumCaller implements Caller {
    private final Connection connection;
    private final ClientConfig client;
    private final String method;
    private final OrderKey key;
    private PreparedBody prepared;

    CallosumCaller(ClientConfig client, String method, OrderKey key) {
      this.connection = Connection.open(client);
      this.client = client;
      this.method = method;
      this.key = key;
    }

    @Override
    public long handshakeNanos() {
      return connection.handshakeLatency().toNanos();
    }

    @Override
    public void abortWaitsWhen(Supplier<Optional<String>> reason) {
      connection.abortWaitsWhen(reason);
    }

    @Override
    public void call(byte[] body) {
      connection.call(method, key, prepared(body), client.invokeTimeout());
    }

    @Override
    public long send(byte[] body) {
      return connection.send(method, key, prepared(body));
    }

    @Override
    public RpcMessage receiveHeader(long timeoutNanos) {
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

  private static final class RawCaller implements Caller {
    private final RawZeroMq.Client raw;
    private final boolean callosumFrames;
    private byte[] body;
    private byte[][] frames;

    RawCaller(ClientConfig client, boolean callosumFrames) {
      raw = new RawZeroMq.Client(client.endpoint(), client.invokeTimeout());
      this.callosumFrames = callosumFrames;
    }

    @Override
    public long handshakeNanos() {
      return raw.handshakeLatency().toNanos();
    }

    @Override
    public void call(byte[] body) {
      if (!callosumFrames) {
        raw.roundTrip(body);
        return;
      }
      if (body != this.body) { // encoded once, as a load generator's prepared body is
        MessageCodec codec = new MessageCodec();
        RpcMessage request = RpcMessage.function("echo", OrderKey.NONE, 1, body);
        frames =
            new byte[][] {Frames.UPPER, codec.encodeHeader(request), codec.encodeBody(request)};
        this.body = body;
      }
      raw.roundTrip(frames);
    }

    @Override
    public long send(byte[] body) {
      throw new UnsupportedOperationException("the raw baseline keeps one request in flight");
    }

    @Override
    public RpcMessage receiveHeader(long timeoutNanos) {
      throw new UnsupportedOperationException("the raw baseline keeps one request in flight");
    }

    @Override
    public void close() {
      raw.close();
    }
  }
}
