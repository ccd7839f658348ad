package dev.callosum.perf.load;

import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.TimeSeries;
import dev.callosum.perf.peer.ClientConfig;
import dev.callosum.perf.peer.ClientCpu;
import dev.callosum.perf.peer.Connection;
import dev.callosum.perf.peer.PreparedBody;
import dev.callosum.perf.peer.RpcException;
import dev.callosum.perf.protocol.MessageType;
import dev.callosum.perf.protocol.OrderKey;
import dev.callosum.perf.protocol.RpcMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apiguardian.api.API;

/**
 * Open-loop load: requests leave on a fixed schedule, at a target rate, whatever the replies do,
 * and each latency counts from the request's <em>intended</em> send time. A server that stalls
 * shows the stall in the latencies of every request that was due while it stalled, which a closed
 * loop hides (coordinated omission). Nothing is corrected afterwards: the latencies are measured
 * that way.
 *
 * <pre>{@code
 * LoadResult result = OpenLoop.against(ClientConfig.builder(endpoint).build(),
 *     OpenLoad.DEFAULT.rate(1000).duration(Duration.ofSeconds(30)).clients(2)).run();
 * }</pre>
 *
 * <p>Each client thread sends its share of the schedule on its own connection and reads replies
 * between sends. When the sender falls behind, a request leaves as soon as it can, its latency
 * still counted from its intended time, and it is counted as a late send.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class OpenLoop {
  private static final int RING = 1 << 16; // in-flight requests one client can track
  private static final long LATE_NANOS = LoadResult.LATE_TOLERANCE.toNanos();

  private final ClientConfig client;
  private final OpenLoad load;
  private Consumer<TimeSeries.Point> onInterval = point -> {};
  private Supplier<Optional<String>> stopWhen = Optional::empty;

  private OpenLoop(ClientConfig client, OpenLoad load) {
    this.client = Objects.requireNonNull(client, "client");
    this.load = Objects.requireNonNull(load, "load");
  }

  /** An open loop against the Callosum server that {@code client} describes. */
  public static OpenLoop against(ClientConfig client, OpenLoad load) {
    return new OpenLoop(client, load);
  }

  /**
   * Why to stop, when there is a reason, such as "the server process died": the senders look at it
   * every 100 ms while they wait, stop sending at once, count what was in flight as TRANSPORT
   * errors, and the run reports what it has.
   */
  public OpenLoop stopWhen(Supplier<Optional<String>> reason) {
    this.stopWhen = Objects.requireNonNull(reason, "reason");
    return this;
  }

  /**
   * Called with each interval of the time series as the run goes (on the thread that runs it): for
   * progress lines.
   */
  public OpenLoop onInterval(Consumer<TimeSeries.Point> listener) {
    this.onInterval = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /** Connects, runs the schedule, waits for the last replies, and reports. */
  public LoadResult run() {
    byte[] body = load.payload().bytes(load.content());
    List<Sender> senders = new ArrayList<>();
    Sampler sampler = new Sampler(onInterval);
    CountDownLatch done = new CountDownLatch(load.clients());
    long interval = Math.max(1, Math.round(1e9 * load.clients() / load.rate()));
    long perClient =
        Math.max(1, Math.round(load.rate() * load.duration().toNanos() / 1e9 / load.clients()));
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200) * load.clients();
    for (int i = 0; i < load.clients(); i++) {
      // Clients are offset by a fraction of the interval, so the schedule is even overall.
      Sender sender =
          new Sender(
              body,
              start + i * interval / load.clients(),
              interval,
              perClient,
              done,
              sampler.newRecorder());
      senders.add(sender);
      Thread thread = new Thread(ClientCpu.counted(sender), "callosum-open-loop-" + i);
      thread.setDaemon(true);
      thread.start();
    }
    try {
      long limit =
          load.duration().toNanos()
              + client.invokeTimeout().toNanos()
              + client.handshakeTimeout().toNanos()
              + TimeUnit.SECONDS.toNanos(10);
      long giveUp = System.nanoTime() + limit;
      long first = Math.max(0, start - System.nanoTime());
      if (!done.await(first, TimeUnit.NANOSECONDS)) {
        sampler.start(start);
        while (!done.await(load.sampleEvery().toNanos(), TimeUnit.NANOSECONDS)) {
          sampler.sample(System.nanoTime());
          if (System.nanoTime() - giveUp > 0) {
            throw new IllegalStateException(
                "the open loop did not finish within " + limit / 1e9 + " s");
          }
        }
      } else {
        sampler.start(start);
      }
      sampler.sample(System.nanoTime());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running the open loop", e);
    }
    for (Sender s : senders) {
      if (s.failure != null) {
        throw s.failure;
      }
    }
    LoadResult result = merge(senders, start, sampler);
    return load.rawSamples()
        ? result.withRawSamples(
            SampleLog.merge(senders.stream().map(x -> x.samples).toList(), start))
        : result;
  }

  private LoadResult merge(List<Sender> senders, long start, Sampler sampler) {
    long late = 0;
    long sent = 0;
    long lastSend = start;
    long lastReply = start;
    for (Sender s : senders) {
      late += s.late;
      sent += s.sent;
      lastSend = Math.max(lastSend, s.lastSend);
      lastReply = Math.max(lastReply, s.lastReply);
    }
    // Throughput is what the server completed: calls over the time from the first intended send
    // to the last completion. The rate the generator achieved is reported beside it.
    return Tally.result(
        senders,
        load.payload().bytes(),
        Duration.ofNanos(Math.max(1, Math.max(lastReply, lastSend) - start)),
        sampler.total(),
        load.rate(),
        late,
        sampler.series(),
        sent,
        Duration.ofNanos(Math.max(1, lastSend - start)));
  }

  /** One client: a connection, its share of the schedule, and a ring of intended times. */
  private final class Sender extends Tally implements Runnable {
    final byte[] body;
    final long first;
    final long interval;
    final long count;
    final CountDownLatch done;
    final org.HdrHistogram.Recorder latency;
    final SampleLog samples = load.rawSamples() ? new SampleLog() : null;
    final long[] intended = new long[RING];
    final boolean[] waiting = new boolean[RING];
    long late;
    long lastSend;
    long lastReply;
    long sent;
    int inFlight;
    volatile RpcException failure;

    Sender(
        byte[] body,
        long first,
        long interval,
        long count,
        CountDownLatch done,
        org.HdrHistogram.Recorder latency) {
      this.latency = latency;
      this.body = body;
      this.first = first;
      this.interval = interval;
      this.count = count;
      this.done = done;
    }

    @Override
    public void run() {
      try (Connection connection = Connection.open(client)) {
        handshakeNanos = connection.handshakeLatency().toNanos();
        connection.abortWaitsWhen(stopWhen);
        PreparedBody prepared = connection.prepare(body);
        for (long i = 0; i < count; i++) {
          if ((i & 63) == 0 && stopWhen.get().isPresent()) {
            break; // what is in flight is counted as the drain gives up
          }
          long due = first + i * interval;
          // Read replies until this request is due.
          // ZeroMQ's receive timeout counts whole milliseconds: within the last one, poll and
          // park briefly instead, so that requests leave on time.
          long wait;
          while ((wait = due - System.nanoTime()) > 0) {
            boolean far = wait > 1_200_000;
            RpcMessage reply = connection.receiveHeader(far ? wait - 1_000_000 : 0);
            if (reply != null) {
              record(reply);
            } else if (!far) {
              LockSupport.parkNanos(Math.min(wait, 50_000));
            }
          }
          long now = System.nanoTime();
          if (now - due > LATE_NANOS) {
            late++;
          }
          if (inFlight >= RING) {
            errors[RpcException.Kind.TRANSPORT.ordinal()]++; // cannot track more
            continue;
          }
          long seq = connection.send(load.method(), OrderKey.NONE, prepared);
          int slot = (int) (seq & (RING - 1));
          intended[slot] = due;
          waiting[slot] = true;
          inFlight++;
          lastSend = System.nanoTime();
          sent++;
        }
        long drainUntil = System.nanoTime() + client.invokeTimeout().toNanos();
        while (inFlight > 0) {
          long left = drainUntil - System.nanoTime();
          RpcMessage reply = left > 0 ? connection.receiveHeader(left) : null;
          if (reply == null) {
            errors[RpcException.Kind.TIMEOUT.ordinal()] += inFlight;
            break;
          }
          record(reply);
        }
      } catch (RpcException e) {
        if (stopWhen.get().isPresent()) {
          errors[RpcException.Kind.TRANSPORT.ordinal()] += inFlight; // the run reports why
        } else {
          failure = e;
        }
      } finally {
        done.countDown();
      }
    }

    private void record(RpcMessage reply) {
      int slot = (int) (reply.seq() & (RING - 1));
      if (!waiting[slot]) {
        return; // not ours, or already counted
      }
      waiting[slot] = false;
      inFlight--;
      long now = System.nanoTime();
      lastReply = now;
      if (reply.type() == MessageType.RESULT) {
        latency.recordValue(Math.min(ClosedLoop.HIGHEST_NANOS, now - intended[slot]));
        if (samples != null) {
          samples.add(intended[slot], now - intended[slot]);
        }
        ok++;
      } else {
        error(reply.type());
      }
    }
  }
}
