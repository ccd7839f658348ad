package dev.callosum.perf.load;

import dev.callosum.perf.OrderKeys;
import dev.callosum.perf.Payload;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What a closed loop does, as an immutable value: the one description that {@link ClosedLoop}, the
 * command line and {@code Bench} share. Each setter returns a copy; defaults are those of {@link
 * #DEFAULT}; every value is checked where it is set.
 *
 * @param clients connections, each on its own thread
 * @param payload request body size
 * @param content what the body's bytes are (random: incompressible; or compressible)
 * @param requests measured requests over all clients; ignored when {@code duration} is set
 * @param duration measure for this long instead of a number of requests; {@code null}: by count
 * @param warmupRequests requests made first and not measured, over all clients
 * @param inFlight requests each client keeps outstanding (1: the classic closed loop)
 * @param orderKeys how requests are keyed, unless {@code keyCount} spreads them over keys
 * @param keyCount spread the clients over this many str keys ({@code key-i mod count}); 0: off
 * @param sampleEvery the time series' interval
 * @param rawSamples whether to keep every call's send time and latency
 * @param method the method called
 * @param deadline how long the whole run may take before it stops and reports what it has
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public record ClosedLoad(
    int clients,
    Payload payload,
    Payload.Content content,
    long requests,
    Duration duration,
    long warmupRequests,
    int inFlight,
    OrderKeys orderKeys,
    int keyCount,
    Duration sampleEvery,
    boolean rawSamples,
    String method,
    Duration deadline) {

  /** 1 client, 1 KiB of random bytes, 10,000 requests, no key, 1 s intervals, method echo. */
  public static final ClosedLoad DEFAULT =
      new ClosedLoad(
          1,
          Payload.parse("1KiB"),
          Payload.Content.RANDOM,
          10_000,
          null,
          0,
          1,
          OrderKeys.NONE,
          0,
          Duration.ofSeconds(1),
          false,
          "echo",
          Duration.ofMinutes(10));

  public ClosedLoad {
    if (clients <= 0) {
      throw new IllegalArgumentException("clients must be positive, was " + clients);
    }
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(content, "content");
    if (requests <= 0) {
      throw new IllegalArgumentException("requests must be positive, was " + requests);
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("duration must be positive, was " + duration);
    }
    if (warmupRequests < 0) {
      throw new IllegalArgumentException("warm-up requests must be >= 0, was " + warmupRequests);
    }
    if (inFlight < 1 || inFlight > 4096) {
      throw new IllegalArgumentException(
          "requests in flight per client must be 1 to 4096, was " + inFlight);
    }
    Objects.requireNonNull(orderKeys, "orderKeys");
    if (keyCount < 0) {
      throw new IllegalArgumentException("key count must be positive, was " + keyCount);
    }
    Sampler.checkInterval(sampleEvery);
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(deadline, "deadline");
  }

  public ClosedLoad clients(int count) {
    return new ClosedLoad(
        count,
        payload,
        content,
        requests,
        duration,
        warmupRequests,
        inFlight,
        orderKeys,
        keyCount,
        sampleEvery,
        rawSamples,
        method,
        deadline);
  }

  public ClosedLoad payload(Payload size) {
    return new ClosedLoad(
        clients,
        size,
        content,
        requests,
        duration,
        warmupRequests,
        inFlight,
        orderKeys,
        keyCount,
        sampleEvery,
        rawSamples,
        method,
        deadline);
  }

  /** What the payload's bytes are: random (the default, incompressible) or compressible. */
  public ClosedLoad content(Payload.Content kind) {
    return new ClosedLoad(
        clients,
        payload,
        kind,
        requests,
        duration,
        warmupRequests,
        inFlight,
        orderKeys,
        keyCount,
        sampleEvery,
        rawSamples,
        method,
        deadline);
  }

  /** Measured requests over all clients (and measures by count again, not by time). */
  public ClosedLoad requests(long count) {
    return new ClosedLoad(
        clients,
        payload,
        content,
        count,
        null,
        warmupRequests,
        inFlight,
        orderKeys,
        keyCount,
        sampleEvery,
        rawSamples,
        method,
        deadline);
  }

  /** Measures for this long instead of a number of requests: every client goes on until then. */
  public ClosedLoad duration(Duration length) {
    return new ClosedLoad(
        clients,
        payload,
        content,
        requests,
        Objects.requireNonNull(length, "duration"),
        warmupRequests,
        inFlight,
        orderKeys,
        keyCount,
        sampleEvery,
        rawSamples,
        method,
        deadline);
  }

  /** Requests made first and not measured, over all clients. */
  public ClosedLoad warmup(long count) {
    return new ClosedLoad(
        clients,
        payload,
        content,
        requests,
        duration,
        count,
        inFlight,
        orderKeys,
        keyCount,
        sampleEvery,
        rawSamples,
        method,
        deadline);
  }

  /**
   * Requests each client keeps in flight: it sends the next one when any reply arrives; 1, the
   * classic closed loop, unless set.
   */
  public ClosedLoad inFlight(int perClient) {
    return new ClosedLoad(
        clients,
        payload,
        content,
        requests,
        duration,
        warmupRequests,
        perClient,
        orderKeys,
        keyCount,
        sampleEvery,
        rawSamples,
        method,
        deadline);
  }

  /** How requests are keyed (and stops spreading them over keys). */
  public ClosedLoad orderKeys(OrderKeys keys) {
    return new ClosedLoad(
        clients,
        payload,
        content,
        requests,
        duration,
        warmupRequests,
        inFlight,
        keys,
        0,
        sampleEvery,
        rawSamples,
        method,
        deadline);
  }

  /**
   * Spreads the clients over {@code count} str keys ({@code key-0} ...), client i using key i mod
   * count: what the key-serialized scheduler makes of K independent streams.
   */
  public ClosedLoad spreadOverKeys(int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("key count must be positive, was " + count);
    }
    return new ClosedLoad(
        clients,
        payload,
        content,
        requests,
        duration,
        warmupRequests,
        inFlight,
        orderKeys,
        count,
        sampleEvery,
        rawSamples,
        method,
        deadline);
  }

  /** The time series' interval: 1 s unless set; shorter to see where outliers fall. */
  public ClosedLoad sampleEvery(Duration interval) {
    return new ClosedLoad(
        clients,
        payload,
        content,
        requests,
        duration,
        warmupRequests,
        inFlight,
        orderKeys,
        keyCount,
        interval,
        rawSamples,
        method,
        deadline);
  }

  /** Whether to keep every successful call's send time and latency; off unless set. */
  public ClosedLoad rawSamples(boolean keep) {
    return new ClosedLoad(
        clients,
        payload,
        content,
        requests,
        duration,
        warmupRequests,
        inFlight,
        orderKeys,
        keyCount,
        sampleEvery,
        keep,
        method,
        deadline);
  }

  public ClosedLoad method(String name) {
    return new ClosedLoad(
        clients,
        payload,
        content,
        requests,
        duration,
        warmupRequests,
        inFlight,
        orderKeys,
        keyCount,
        sampleEvery,
        rawSamples,
        name,
        deadline);
  }

  /** How long the whole run may take before it stops and reports what it has. */
  public ClosedLoad deadline(Duration limit) {
    return new ClosedLoad(
        clients,
        payload,
        content,
        requests,
        duration,
        warmupRequests,
        inFlight,
        orderKeys,
        keyCount,
        sampleEvery,
        rawSamples,
        method,
        limit);
  }

  /** This load with its count (or duration) shrunk to {@code share}, as quick mode runs it. */
  public ClosedLoad shrunk(double share) {
    return duration != null
        ? duration(Loads.shrink(duration, share))
        : requests(Loads.shrink(requests, share));
  }

  /** The order keys, for reports: {@code none}, {@code per client}, {@code spread over 4} ... */
  String keysLabel() {
    return keyCount > 0 ? "spread over " + keyCount : orderKeys.label().replace('-', ' ');
  }

  /** What ran, for reports, in reading order. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("content", content.label());
    m.put("loop", "closed");
    if (inFlight > 1) {
      m.put("in flight", Integer.toString(inFlight));
    }
    m.put("order keys", keysLabel());
    if (duration != null) {
      m.put("duration", duration.toMillis() / 1000.0 + " s");
    } else {
      m.put("requests", Long.toString(requests));
    }
    return m;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "closed loop %s", describe());
  }
}
