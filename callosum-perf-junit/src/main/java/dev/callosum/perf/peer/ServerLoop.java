package dev.callosum.perf.peer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The server's thread: it owns the ROUTER and waits in ZeroMQ's own blocking receive, the
 * cheapest wait jeromq offers (a selector over the socket's descriptor costs tens of microseconds
 * more per message here). Work from other threads is queued, and a sleeping loop is woken by a
 * one-frame message from a private DEALER connected to the same ROUTER over inproc, recognised by
 * its random routing id.
 */
final class ServerLoop {
  private static final System.Logger LOG = System.getLogger(ServerLoop.class.getName());
  private static final AtomicLong WAKE_ENDPOINTS = new AtomicLong();
  private static final int BATCH = 256;
  private static final byte[] WAKE = {'W'};

  /** Handles one message read from the ROUTER (peer id first). */
  interface MessageHandler {
    void onMessage(List<byte[]> frames);
  }

  private final String name;
  private final ZContext context;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sleeping = new AtomicBoolean();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final byte[] wakeId = new byte[16];
  private final List<byte[]> frames = new ArrayList<>(6);
  private volatile boolean running = true;
  private ZMQ.Socket router;
  private ZMQ.Socket waker; // used under its own lock by whichever thread wakes the loop
  private MessageHandler handler;

  ServerLoop(String name, ZContext context) {
    this.name = name;
    this.context = context;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
    ThreadLocalRandom.current().nextBytes(wakeId);
    wakeId[0] = 'w'; // a routing id must not start with a zero byte
  }

  /**
   * Starts the thread, which opens the ROUTER with {@code open}; returns once it is bound.
   *
   * @throws RuntimeException whatever {@code open} threw
   */
  void start(java.util.function.Supplier<ZMQ.Socket> open, MessageHandler messageHandler) {
    this.handler = messageHandler;
    CompletableFuture<Void> ready = new CompletableFuture<>();
    tasks.add(() -> {
      try {
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
        ready.complete(null);
      } catch (Throwable t) {
        ready.completeExceptionally(t);
        running = false;
      }
    });
    thread.start();
    try {
      ready.get();
    } catch (ExecutionException e) {
      awaitStop();
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while starting " + name, e);
    }
  }

  /** Runs a task on the loop thread soon. */
  void execute(Runnable task) {
    tasks.add(task);
    if (sleeping.getAndSet(false)) {
      wake();
    }
  }

  private void wake() {
    synchronized (this) {
      if (waker != null) {
        waker.send(WAKE, ZMQ.DONTWAIT); // if its queue is full, the loop has wake-ups coming
      }
    }
  }

  private void run() {
    try {
      runTasks();
      while (running) {
        sleeping.set(true);
        boolean idle = tasks.isEmpty();
        if (!Multipart.read(router, idle ? 0 : ZMQ.DONTWAIT, frames)) {
          sleeping.set(false);
          runTasks();
          continue;
        }
        sleeping.set(false);
        handle();
        // Drain what else is waiting, fairly with the tasks.
        for (int i = 0; i < BATCH && Multipart.read(router, ZMQ.DONTWAIT, frames); i++) {
          handle();
        }
        runTasks();
      }
    } catch (Throwable t) {
      if (running) {
        LOG.log(System.Logger.Level.ERROR, name + " stopped by an unexpected error", t);
      }
    } finally {
      running = false;
      runTasks();
      synchronized (this) {
        if (waker != null) {
          waker.close();
          waker = null;
        }
      }
      if (router != null) {
        router.close();
      }
      stopped.complete(null);
    }
  }

  private void handle() {
    if (Arrays.equals(frames.get(0), wakeId)) {
      return; // a wake-up: the tasks run next
    }
    try {
      handler.onMessage(frames);
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.ERROR, name + ": a message handler failed; going on", t);
    }
  }

  private void runTasks() {
    for (int budget = 10_000; budget > 0; budget--) {
      Runnable task = tasks.poll();
      if (task == null) {
        return;
      }
      try {
        task.run();
      } catch (Throwable t) {
        LOG.log(System.Logger.Level.ERROR, name + ": task failed; going on", t);
      }
    }
  }

  /** Stops the loop after the tasks already handed over, and waits for the thread to end. */
  void close() {
    execute(() -> running = false);
    awaitStop();
  }

  private void awaitStop() {
    if (thread.getState() == Thread.State.NEW) {
      return;
    }
    try {
      stopped.get(10, TimeUnit.SECONDS);
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (TimeoutException e) {
      LOG.log(System.Logger.Level.ERROR, name + " did not stop within 10 s");
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
