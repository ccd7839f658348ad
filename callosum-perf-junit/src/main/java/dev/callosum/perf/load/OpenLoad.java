package dev.callosum.perf.load;

import dev.callosum.perf.Payload;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What an open loop does, as an immutable value: the one description that {@link OpenLoop}, the
 * command line and {@code Bench} share. Each setter returns a copy; defaults are those of {@link
 * #DEFAULT}; every value is checked where it is set.
 *
 * @param rate requests per second over all clients
 * @param duration how long the schedule sends
 * @param clients connections the schedule is spread over, each on its own thread
 * @param payload request body size
 * @param content what the body's bytes are
 * @param sampleEvery the time series' interval
 * @param rawSamples whether to keep every call's intended send time and latency
 * @param method the method called
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public record OpenLoad(
    double rate,
    Duration duration,
    int clients,
    Payload payload,
    Payload.Content content,
    Duration sampleEvery,
    boolean rawSamples,
    String method) {

  /** 1,000 req/s for 10 s from 1 client, 1 KiB of random bytes, 1 s intervals, method echo. */
  public static final OpenLoad DEFAULT =
      new OpenLoad(
          1000,
          Duration.ofSeconds(10),
          1,
          Payload.parse("1KiB"),
          Payload.Content.RANDOM,
          Duration.ofSeconds(1),
          false,
          "echo");

  public OpenLoad {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be positive, was " + rate);
    }
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, was " + duration);
    }
    if (clients <= 0) {
      throw new IllegalArgumentException("clients must be positive, was " + clients);
    }
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(content, "content");
    Sampler.checkInterval(sampleEvery);
    Objects.requireNonNull(method, "method");
  }

  /** Requests per second over all clients. */
  public OpenLoad rate(double perSecond) {
    return new OpenLoad(
        perSecond, duration, clients, payload, content, sampleEvery, rawSamples, method);
  }

  /** How long each iteration sends. */
  public OpenLoad duration(Duration length) {
    return new OpenLoad(rate, length, clients, payload, content, sampleEvery, rawSamples, method);
  }

  public OpenLoad clients(int count) {
    return new OpenLoad(rate, duration, count, payload, content, sampleEvery, rawSamples, method);
  }

  public OpenLoad payload(Payload size) {
    return new OpenLoad(rate, duration, clients, size, content, sampleEvery, rawSamples, method);
  }

  /** What the payload's bytes are: random (the default, incompressible) or compressible. */
  public OpenLoad content(Payload.Content kind) {
    return new OpenLoad(rate, duration, clients, payload, kind, sampleEvery, rawSamples, method);
  }

  /** The time series' interval: 1 s unless set. */
  public OpenLoad sampleEvery(Duration interval) {
    return new OpenLoad(rate, duration, clients, payload, content, interval, rawSamples, method);
  }

  /** Whether to keep every successful call's intended send time and latency; off unless set. */
  public OpenLoad rawSamples(boolean keep) {
    return new OpenLoad(rate, duration, clients, payload, content, sampleEvery, keep, method);
  }

  public OpenLoad method(String name) {
    return new OpenLoad(rate, duration, clients, payload, content, sampleEvery, rawSamples, name);
  }

  /** This load with its duration shrunk to {@code share}, as quick mode runs it. */
  public OpenLoad shrunk(double share) {
    return duration(Loads.shrink(duration, share));
  }

  /** What ran, for reports, in reading order. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("content", content.label());
    m.put("loop", "open");
    m.put("rate", String.format(Locale.ROOT, "%.0f req/s", rate));
    m.put("duration", duration.toMillis() / 1000.0 + " s");
    return m;
  }
}
