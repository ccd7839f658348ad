package dev.callosum.perf.peer;

import java.nio.channels.ClosedChannelException;
import org.zeromq.ZContext;

/**
 * The one ZeroMQ context that clients share, so that a hundred clients cost one set of ZeroMQ I/O
 * threads. It is created by the first client and closed when the last one closes, so no ZeroMQ
 * thread outlives the clients.
 */
final class SharedContext {
  private static final System.Logger LOG = System.getLogger(SharedContext.class.getName());
  private static final String CLIENT = "callosum-client";
  private static ZContext context;
  private static int users;

  private SharedContext() {}

  static synchronized ZContext acquire() {
    if (users++ == 0) {
      context = newContext();
    }
    return context;
  }

  static synchronized void release(ZContext released) {
    if (released != context) {
      throw new IllegalStateException("released a context that is not the shared one");
    }
    if (--users == 0) {
      context.close();
      context = null;
    }
  }

  /** A context with linger 0 on close: benchmarks never wait on unsent messages at shutdown. */
  static ZContext newContext() {
    return newContext(CLIENT);
  }

  /**
   * A context whose ZeroMQ threads (I/O, reaper) are named {@code owner-zmq-…}, so that their CPU
   * and their profile samples are counted for whoever owns them: a server's for the server. Its I/O
   * threads follow {@link BatchPolicy}'s scopes.
   */
  static ZContext newContext(String owner) {
    ZContext ctx = new ZContext(1);
    ctx.setLinger(0);
    // Before any socket: each I/O thread's poller copies the handler when it is created.
    ctx.setNotificationExceptionHandler(SharedContext::ioThreadFailed);
    ctx.setThreadFactor(
        (task, name) -> {
          // A client context's threads are the load generator's; a server's are the server's.
          Runnable counted = owner.equals(CLIENT) ? ClientCpu.counted(task) : task;
          Runnable run = name.startsWith("iothread") ? BatchPolicy.ioThread(counted) : counted;
          Thread thread = new Thread(run, owner + "-zmq-" + name);
          thread.setDaemon(true);
          return thread;
        });
    return ctx;
  }

  /**
   * What a ZeroMQ I/O thread does with an exception it caught and went on from; jeromq's own
   * handler prints its stack on standard error. A closed channel is the known race of a context
   * ending while a listener still acknowledges its end (jeromq's {@code TcpListener.processTerm}
   * signalling a mailbox already closed): nothing was lost, so it is logged at DEBUG; anything else
   * is a WARNING.
   */
  static void ioThreadFailed(Thread thread, Throwable e) {
    boolean closing =
        e instanceof ClosedChannelException || e.getCause() instanceof ClosedChannelException;
    LOG.log(
        closing ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
        thread.getName()
            + (closing
                ? ": a ZeroMQ I/O thread met a channel closed by the context ending; going on"
                : ": a ZeroMQ I/O thread failed and went on"),
        e);
  }
}
