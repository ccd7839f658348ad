package dev.callosum.perf.peer;

import org.zeromq.ZContext;

/**
 * The one ZeroMQ context that clients share, so that a hundred clients cost one set of ZeroMQ I/O
 * threads. It is created by the first client and closed when the last one closes, so no ZeroMQ
 * thread outlives the clients.
 */
final class SharedContext {
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
    ZContext ctx = new ZContext(1);
    ctx.setLinger(0);
    return ctx;
  }
}
