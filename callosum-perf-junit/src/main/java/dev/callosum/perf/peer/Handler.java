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
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
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
      Future<?> task =
          request
              .workers()
              .submit(
                  () -> {
                    try {
                      result.complete(function.apply(request.body()));
                    } catch (Throwable t) {
                      result.completeExceptionally(t);
                    }
                  });
      result.whenComplete(
          (v, t) -> {
            if (result.isCancelled()) {
              task.cancel(true);
            }
          });
      return result;
    };
  }

  /**
   * A handler that answers at once from the request's body where it lies in the received frame: no
   * copy out, no future. For pass-through handlers such as {@link Handlers#echo()}. A server calls
   * {@link #reply} on its I/O thread when the body is not nil and no earlier request of the same
   * order key is still running; otherwise it runs it through {@link #handle} like any other.
   */
  @FunctionalInterface
  interface Inline extends Handler {
    /** The reply's body: {@code body} itself to echo it, or another slice; fast, non-blocking. */
    Slice reply(Slice body) throws Exception;

    @Override
    default CompletionStage<byte[]> handle(Request request) throws Exception {
      byte[] in = request.body();
      Slice out = reply(in == null ? Slice.NIL : new Slice(in, 0, in.length));
      return CompletableFuture.completedFuture(out.copy());
    }
  }

  /**
   * Bytes within an array: a body where it lies in a frame.
   *
   * @param array the array, or {@code null} for a nil body
   * @param offset where the bytes start
   * @param length how many
   */
  record Slice(byte[] array, int offset, int length) {
    /** The nil body. */
    public static final Slice NIL = new Slice(null, 0, 0);

    public Slice {
      if (array != null && (offset < 0 || length < 0 || offset + length > array.length)) {
        throw new IllegalArgumentException(
            "slice ["
                + offset
                + ", "
                + (offset + length)
                + ") is outside an array of "
                + array.length);
      }
    }

    /** The bytes as an array of their own (the array itself if it is all of it); nil: null. */
    public byte[] copy() {
      if (array == null) {
        return null;
      }
      return offset == 0 && length == array.length
          ? array
          : java.util.Arrays.copyOfRange(array, offset, offset + length);
    }
  }

  /** A body-to-body function that may throw. */
  @FunctionalInterface
  interface BodyFunction {
    byte[] apply(byte[] body) throws Exception;
  }
}
