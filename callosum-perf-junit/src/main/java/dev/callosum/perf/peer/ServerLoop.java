package dev.callosum.perf.peer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The server's thread: it owns the ROUTER and waits in ZeroMQ's own blocking receive, the cheapest
 * wait jeromq offers (a selector over the socket's descriptor costs tens of microseconds more per
 * message here). Work from other threads is queued, and a sleeping loop is woken by a one-frame
 * message from a private DEALER connected to the same ROUTER over inproc, recognised by its random
 * routing id. Timers bound the wait through the ROUTER's receive timeout.
 */
final class ServerLoop extends LoopThread {
  private static final AtomicLong WAKE_ENDPOINTS = new AtomicLong();
  private static final int BATCH = 256;
  private static final byte[] WAKE = {'W'};

  /**
   * Handles one message read from the ROUTER: its frames but the last (peer id first), the last.
   */
  interface MessageHandler {
    void onMessage(List<byte[]> frames, Multipart.Last last);
  }

  private final ZContext context;
  private final byte[] wakeId = new byte[16];
  private final List<byte[]> frames = new ArrayList<>(6);
  private final Multipart.Last last = new Multipart.Last();
  private ZMQ.Socket router;
  private ZMQ.Socket waker; // used under its own lock by whichever thread wakes the loop
  private MessageHandler handler;
  private long receiveTimeout = -1; // the ROUTER's, as last set

  ServerLoop(String name, ZContext context) {
    super(name, false);
    this.context = context;
    ThreadLocalRandom.current().nextBytes(wakeId);
    wakeId[0] = 'w'; // a routing id must not start with a zero byte
  }

  /**
   * Starts the thread, which opens the ROUTER with {@code open}; returns once it is bound.
   *
   * @throws RuntimeException whatever {@code open} threw
   */
  void start(Supplier<ZMQ.Socket> open, MessageHandler messageHandler) {
    this.handler = messageHandler;
    startWith(
        () -> {
          router = open.get();
          String wakeEndpoint = "inproc://callosum-wake-" + WAKE_ENDPOINTS.incrementAndGet();
          router.bind(wakeEndpoint);
          ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
          dealer.setLinger(0);
          dealer.setIdentity(wakeId);
          dealer.setSndHWM(16);
          dealer.connect(wakeEndpoint);
          synchronized (this) {
            waker = dealer;
          }
        });
  }

  @Override
  void wake() {
    synchronized (this) {
      if (waker != null) {
        waker.send(WAKE, ZMQ.DONTWAIT); // if its queue is full, the loop has wake-ups coming
      }
    }
  }

  @Override
  void loop() {
    runTasks();
    while (running) {
      runTimers();
      long wait = timerWaitMillis();
      sleeping.set(true);
      boolean block = wait != 0 && !hasTasks();
      if (block) {
        waitAtMost(wait);
      }
      if (!Multipart.read(router, block ? 0 : ZMQ.DONTWAIT, frames, last)) {
        sleeping.set(false);
        runTasks();
        continue;
      }
      sleeping.set(false);
      handle();
      // Drain what else is waiting, fairly with the tasks.
      for (int i = 0; i < BATCH && Multipart.read(router, ZMQ.DONTWAIT, frames, last); i++) {
        handle();
      }
      runTasks();
    }
  }

  /** Sets the ROUTER's receive timeout (-1: none) when it changes. */
  private void waitAtMost(long millis) {
    int timeout = (int) Math.min(millis, Integer.MAX_VALUE);
    if (timeout != receiveTimeout) {
      router.setReceiveTimeOut(timeout);
      receiveTimeout = timeout;
    }
  }

  private void handle() {
    if (Arrays.equals(frames.get(0), wakeId)) {
      return; // a wake-up: the tasks run next
    }
    try {
      handler.onMessage(frames, last);
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.ERROR, name + ": a message handler failed; going on", t);
    }
  }

  @Override
  void cleanUp() {
    synchronized (this) {
      if (waker != null) {
        waker.close();
        waker = null;
      }
    }
    if (router != null) {
      router.close();
    }
  }
}
