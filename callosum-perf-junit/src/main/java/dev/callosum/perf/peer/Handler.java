package dev.callosum.perf.peer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import org.apiguardian.api.API;

/**
 * Serves one method. A handler returns a stage, like Python's coroutine handlers: it may complete
 * at once (on the server's I/O thread, so it must not block), later from a timer, or on a worker
 * thread. If the stage fails the client gets FAILURE; if the server cancels it (key-serialized
 * scheduler, on CANCEL), the client gets CANCELLED.
 *
 * <pre>{@code
 * Handler upper = Handler.of(body -> new String(body, UTF_8).toUpperCase().getBytes(UTF_8));
 * Handler slow = Handler.blocking(body -> { Thread.sleep(10); return body; });
 * }</pre>
 *
 * @since 0.1
 */
@API(status = API.Status.STABLE, since = "0.1")
@FunctionalInterface
public interface Handler {

  /** Starts serving a request; may throw, which counts as a failed stage. */
  CompletionStage<byte[]> handle(Request request) throws Exception;

  /** A function of the body, fast and non-blocking, run on the server's I/O thread. */
  static Handler of(BodyFunction function) {
    return request -> CompletableFuture.completedFuture(function.apply(request.body()));
  }

  /**
   * A function of the body that may block, run on the server's worker threads. Cancelling its
   * request interrupts it.
   */
  static Handler blocking(BodyFunction function) {
    return request -> {
      CompletableFuture<byte[]> result = new CompletableFuture<>();
      Future<?> task = request.workers().submit(() -> {
        try {
          result.complete(function.apply(request.body()));
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
      result.whenComplete((v, t) -> {
        if (result.isCancelled()) {
          task.cancel(true);
        }
      });
      return result;
    };
  }

  /** A body-to-body function that may throw. */
  @FunctionalInterface
  interface BodyFunction {
    byte[] apply(byte[] body) throws Exception;
  }
}
