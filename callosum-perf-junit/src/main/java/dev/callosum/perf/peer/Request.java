package dev.callosum.perf.peer;

import dev.callosum.perf.protocol.OrderKey;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.apiguardian.api.API;

/**
 * A request as a server handler sees it, with the server's executors for handlers that must not run
 * on the server's I/O thread.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public interface Request {

  String method();

  OrderKey orderKey();

  long seq();

  /** The body the client sent. Not copied: do not change it. */
  byte[] body();

  /** Runs blocking handler code; its tasks are interrupted when their request is cancelled. */
  ExecutorService workers();

  /**
   * Schedules delayed completions without holding a thread. Its tasks run on the server's own
   * thread, like code after {@code await asyncio.sleep(…)} in a Python handler: they must not
   * block.
   */
  ScheduledExecutorService timer();
}
