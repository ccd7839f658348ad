package dev.callosum.perf.measurement;

import dev.callosum.perf.peer.RpcException;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apiguardian.api.API;

/**
 * What one load run measured: how many calls, how fast, how long each took, and what failed.
 *
 * <p>Immutable: it keeps its own copies of the histograms. Latencies are in nanoseconds. A
 * closed-loop result's latency is the service time each client saw between sending and the reply;
 * it says nothing of the queueing that a fixed arrival rate would show, which is why {@link
 * #closedLoop()} travels with every number.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class LoadResult extends LatencyDistribution {
  private final boolean closedLoop;
  private final int clients;
  private final int payloadBytes;
  private final long requests;
  private final Map<RpcException.Kind, Long> errors;
  private final Duration elapsed;
  private final long bytesSent;
  private final long bytesReceived;
  private final Histogram handshake;
  private final double targetRate;
  private final long lateSends;
  private final TimeSeries timeSeries;
  private final RawSamples rawSamples;
  private final long sent;
  private final Duration sendingWindow;

  /** How late a send may leave before it counts as late: 1 ms. */
  public static final Duration LATE_TOLERANCE = Duration.ofMillis(1);

  /** An open loop whose completions fell behind its target by more than this share is saturated. */
  public static final double SATURATION_SHORTFALL = 0.05;

  /** An open loop with more than this share of late sends was limited by its generator. */
  public static final double LATE_SHARE_LIMIT = 0.01;

  /** What kept an open loop from measuring the rate it was asked for; closed loops have none. */
  public enum Limit {
    /** The server completed what was offered, and it was offered on time. */
    NONE,
    /** The server completed fewer calls per second than offered: it is at its capacity. */
    SATURATED,
    /** The load generator could not send on schedule: the offered rate is not what was asked. */
    GENERATOR_LIMITED;

    /** The one word reports show: {@code saturated}, {@code generator-limited}, or empty. */
    public String label() {
      return this == NONE ? "" : name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** A closed-loop result. */
  public LoadResult(
      boolean closedLoop,
      int clients,
      int payloadBytes,
      long requests,
      Map<RpcException.Kind, Long> errors,
      Duration elapsed,
      long bytesSent,
      long bytesReceived,
      Histogram latency,
      Histogram handshake) {
    this(
        closedLoop,
        clients,
        payloadBytes,
        requests,
        errors,
        elapsed,
        bytesSent,
        bytesReceived,
        latency,
        handshake,
        Double.NaN,
        0,
        new TimeSeries(java.util.List.of()),
        requests + errors.values().stream().mapToLong(Long::longValue).sum(),
        elapsed);
  }

  /**
   * A result with an open loop's schedule: its target rate, the requests it sent, those that left
   * more than {@link #LATE_TOLERANCE} after their intended time (the sender could not keep up), and
   * the window they were sent in (first intended send to last send). For a closed loop the rate is
   * NaN and the window is the elapsed time.
   */
  public LoadResult(
      boolean closedLoop,
      int clients,
      int payloadBytes,
      long requests,
      Map<RpcException.Kind, Long> errors,
      Duration elapsed,
      long bytesSent,
      long bytesReceived,
      Histogram latency,
      Histogram handshake,
      double targetRate,
      long lateSends,
      TimeSeries timeSeries,
      long sent,
      Duration sendingWindow) {
    this(
        closedLoop,
        clients,
        payloadBytes,
        requests,
        errors,
        elapsed,
        bytesSent,
        bytesReceived,
        latency,
        handshake,
        targetRate,
        lateSends,
        timeSeries,
        sent,
        sendingWindow,
        null);
  }

  private LoadResult(
      boolean closedLoop,
      int clients,
      int payloadBytes,
      long requests,
      Map<RpcException.Kind, Long> errors,
      Duration elapsed,
      long bytesSent,
      long bytesReceived,
      Histogram latency,
      Histogram handshake,
      double targetRate,
      long lateSends,
      TimeSeries timeSeries,
      long sent,
      Duration sendingWindow,
      RawSamples rawSamples) {
    super(latency);
    this.sent = sent;
    this.sendingWindow = sendingWindow;
    this.rawSamples = rawSamples;
    this.timeSeries = timeSeries;
    this.targetRate = targetRate;
    this.lateSends = lateSends;
    this.closedLoop = closedLoop;
    this.clients = clients;
    this.payloadBytes = payloadBytes;
    this.requests = requests;
    EnumMap<RpcException.Kind, Long> copy = new EnumMap<>(RpcException.Kind.class);
    copy.putAll(errors);
    this.errors = Collections.unmodifiableMap(copy);
    this.elapsed = elapsed;
    this.bytesSent = bytesSent;
    this.bytesReceived = bytesReceived;
    this.handshake = compact(handshake);
  }

  /**
   * Closed-loop runs of one load, one after the other, as one result: their requests, errors and
   * bytes added, their measured times added (not the gaps between them), their latencies merged.
   *
   * @throws IllegalArgumentException for none, an open-loop run, or runs of different loads
   */
  public static LoadResult ofSuccessive(java.util.List<LoadResult> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs to add up");
    }
    LoadResult first = runs.get(0);
    Histogram latency = first.latencyHistogram();
    Histogram handshake = first.handshakeHistogram();
    EnumMap<RpcException.Kind, Long> errors = new EnumMap<>(RpcException.Kind.class);
    long requests = 0;
    long bytesSent = 0;
    long bytesReceived = 0;
    Duration elapsed = Duration.ZERO;
    for (LoadResult run : runs) {
      if (!run.closedLoop
          || run.clients != first.clients
          || run.payloadBytes != first.payloadBytes) {
        throw new IllegalArgumentException(
            "only closed-loop runs of one load add up: " + first + " and " + run);
      }
      if (run != first) {
        latency.add(run.latencyHistogram());
        handshake.add(run.handshake);
      }
      run.errors.forEach((kind, count) -> errors.merge(kind, count, Long::sum));
      requests += run.requests;
      bytesSent += run.bytesSent;
      bytesReceived += run.bytesReceived;
      elapsed = elapsed.plus(run.elapsed);
    }
    return new LoadResult(
        true,
        first.clients,
        first.payloadBytes,
        requests,
        errors,
        elapsed,
        bytesSent,
        bytesReceived,
        latency,
        handshake);
  }

  /** Whether each client waited for a reply before its next request (closed loop). */
  public boolean closedLoop() {
    return closedLoop;
  }

  public int clients() {
    return clients;
  }

  public int payloadBytes() {
    return payloadBytes;
  }

  /** Calls that completed with a result. */
  public long requests() {
    return requests;
  }

  /** Calls that did not, by kind. */
  public Map<RpcException.Kind, Long> errors() {
    return errors;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The measured time: from the first send to the last reply (for an open loop, from the first
   * intended send to the last completion).
   */
  public Duration elapsed() {
    return elapsed;
  }

  /** This result with every call's send time and latency attached. */
  public LoadResult withRawSamples(RawSamples samples) {
    return new LoadResult(
        closedLoop,
        clients,
        payloadBytes,
        requests,
        errors,
        elapsed,
        bytesSent,
        bytesReceived,
        latencyHistogram(),
        handshake,
        targetRate,
        lateSends,
        timeSeries,
        sent,
        sendingWindow,
        java.util.Objects.requireNonNull(samples, "samples"));
  }

  /** Every successful call's send time and latency, if they were recorded. */
  public java.util.Optional<RawSamples> rawSamples() {
    return java.util.Optional.ofNullable(rawSamples);
  }

  /** Calls and p99 latency second by second. */
  public TimeSeries timeSeries() {
    return timeSeries;
  }

  /** The rate an open loop aimed at, in requests per second; NaN for a closed loop. */
  public double targetRate() {
    return targetRate;
  }

  /** Sends that left over a millisecond after their intended time (open loop). */
  public long lateSends() {
    return lateSends;
  }

  /** Requests sent, successful or not. */
  public long sent() {
    return sent;
  }

  /**
   * The rate an open loop actually sent at: requests over the time from the first intended send to
   * the last send; NaN for a closed loop.
   */
  public double sendRate() {
    return closedLoop ? Double.NaN : sent / Math.max(1e-9, sendingWindow.toNanos() / 1e9);
  }

  /** Late sends as a share of all sends (open loop); 0 for a closed loop. */
  public double lateShare() {
    return sent == 0 ? 0 : lateSends / (double) sent;
  }

  /**
   * Whether an open loop measured what it was asked to: {@link Limit#SATURATED} when the calls the
   * server answered per second fell short of what it was sent by more than {@link
   * #SATURATION_SHORTFALL}; else {@link Limit#GENERATOR_LIMITED} when the generator did not keep
   * its schedule (it sent more than {@link #SATURATION_SHORTFALL} below the target rate, or more
   * than {@link #LATE_SHARE_LIMIT} of its sends left over {@link #LATE_TOLERANCE} late, which every
   * latency counted from its intended time then includes); {@link Limit#NONE} otherwise, and for a
   * closed loop.
   */
  public Limit limit() {
    if (closedLoop || Double.isNaN(targetRate)) {
      return Limit.NONE;
    }
    long unanswered =
        errors.getOrDefault(RpcException.Kind.TIMEOUT, 0L)
            + errors.getOrDefault(RpcException.Kind.TRANSPORT, 0L);
    double answeredPerSecond = (requests + errorCount() - unanswered) / seconds();
    if (answeredPerSecond < sendRate() * (1 - SATURATION_SHORTFALL)) {
      return Limit.SATURATED;
    }
    return sendRate() < targetRate * (1 - SATURATION_SHORTFALL) || lateShare() > LATE_SHARE_LIMIT
        ? Limit.GENERATOR_LIMITED
        : Limit.NONE;
  }

  /** Successful calls per second over the measured time. */
  public double throughput() {
    return requests / seconds();
  }

  /** Request payload mebibytes per second sent. */
  public double mebibytesSentPerSecond() {
    return bytesSent / (double) (1 << 20) / seconds();
  }

  /** Reply payload mebibytes per second received. */
  public double mebibytesReceivedPerSecond() {
    return bytesReceived / (double) (1 << 20) / seconds();
  }

  private double seconds() {
    return Math.max(1e-9, elapsed.toNanos() / 1e9);
  }

  /** A copy of the handshake-latency histogram of the clients' connections, in nanoseconds. */
  public Histogram handshakeHistogram() {
    return handshake.copy();
  }

  /** {@code 1 client}, {@code 10 clients}. */
  public static String clients(int count) {
    return count + (count == 1 ? " client" : " clients");
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "%s, %s, %d B: %d calls in %.3f s = %.0f req/s, p50 %.1f us, p99 %.1f us, %d errors",
        closedLoop ? "closed loop" : "open loop",
        clients(clients),
        payloadBytes,
        requests,
        seconds(),
        throughput(),
        percentile(50).toNanos() / 1e3,
        percentile(99).toNanos() / 1e3,
        errorCount());
  }
}
