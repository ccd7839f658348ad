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
        new TimeSeries(java.util.List.of()));
  }

  /**
   * A result with an open loop's target rate and late sends (sends that left more than a
   * millisecond after their intended time, because the sender could not keep up).
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
      TimeSeries timeSeries) {
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
      RawSamples rawSamples) {
    super(latency.copy());
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
    this.handshake = handshake.copy();
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

  /** The measured time, from the first send to the last reply. */
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

  /** Successful calls per second. */
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
