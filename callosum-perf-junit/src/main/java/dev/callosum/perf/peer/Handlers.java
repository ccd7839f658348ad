package dev.callosum.perf.peer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apiguardian.api.API;

/**
 * The handlers benchmarks need: echo, a reply of a given size, a fixed or random delay, a failure.
 *
 * <p>The server command registers them as methods {@code echo}, {@code sized} (the body is the
 * reply size in decimal ASCII), {@code delay} (the body is milliseconds in decimal ASCII; the reply
 * is the body) and {@code fail} (always FAILURE).
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class Handlers {
  private Handlers() {}

  private static final Handler.Inline ECHO = body -> body;

  /**
   * Replies with the request's body: an inline handler, so a server echoes straight from the
   * request's frame, without copying the body out first.
   */
  public static Handler echo() {
    return ECHO;
  }

  /** Replies with {@code size} zero bytes, whatever the request. */
  public static Handler sized(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("reply size must be >= 0, was " + size);
    }
    byte[] reply = new byte[size];
    return Handler.of(body -> reply);
  }

  /** Replies with as many zero bytes as the body says, in decimal ASCII. */
  public static Handler sizedByRequest() {
    return Handler.of(body -> new byte[parseNonNegative(body, "reply size")]);
  }

  /** Runs {@code handler} after a fixed delay, holding no thread while it waits. */
  public static Handler delayed(Duration delay, Handler handler) {
    long nanos = delay.toNanos();
    return request -> after(request, nanos, handler);
  }

  /** Runs {@code handler} after a delay drawn uniformly from {@code [min, max]}. */
  public static Handler randomlyDelayed(Duration min, Duration max, Handler handler) {
    long lo = min.toNanos();
    long hi = max.toNanos();
    if (lo < 0 || hi < lo) {
      throw new IllegalArgumentException("need 0 <= min <= max, got " + min + " and " + max);
    }
    return request -> after(request, ThreadLocalRandom.current().nextLong(lo, hi + 1), handler);
  }

  /** Echoes the body after as many milliseconds as the body says, in decimal ASCII. */
  public static Handler delayByRequest() {
    return request ->
        after(
            request,
            TimeUnit.MILLISECONDS.toNanos(parseNonNegative(request.body(), "delay in ms")),
            echo());
  }

  /** Always fails with the given message: the client gets FAILURE. */
  public static Handler failing(String message) {
    return Handler.of(
        body -> {
          throw new IllegalStateException(message);
        });
  }

  private static CompletableFuture<byte[]> after(Request request, long nanos, Handler handler) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    ScheduledFuture<?> timer =
        request
            .timer()
            .schedule(
                () -> {
                  try {
                    handler
                        .handle(request)
                        .whenComplete(
                            (v, t) -> {
                              if (t != null) {
                                result.completeExceptionally(t);
                              } else {
                                result.complete(v);
                              }
                            });
                  } catch (Throwable t) {
                    result.completeExceptionally(t);
                  }
                },
                nanos,
                TimeUnit.NANOSECONDS);
    result.whenComplete(
        (v, t) -> {
          if (result.isCancelled()) {
            timer.cancel(false);
          }
        });
    return result;
  }

  private static int parseNonNegative(byte[] body, String what) {
    String text = new String(body, StandardCharsets.US_ASCII).trim();
    try {
      int value = Integer.parseInt(text);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException(
        "body must be a "
            + what
            + " in decimal ASCII, was '"
            + (text.length() > 40 ? text.substring(0, 40) + "…" : text)
            + "'");
  }
}
