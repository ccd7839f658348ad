package dev.callosum.perf.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * One thread that owns a set of ZeroMQ sockets: it polls them, runs tasks handed over from other
 * threads, and fires timers. Sockets are created and used on this thread only.
 *
 * <p>Other threads hand work over with {@link #execute}; the loop sleeps in {@code poll} and is
 * woken through a pipe, written only when the loop is actually asleep, so a busy loop costs no
 * system call per task. Nothing spins.
 */
final class EventLoop implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

  /** Something that reacts to a readable socket; it must drain with non-blocking receives. */
  interface Readable {
    void onReadable() throws Exception;
  }

  private final String name;
  private final ZContext context;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sleeping = new AtomicBoolean();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final List<ZMQ.Socket> sockets = new ArrayList<>();
  private final List<Readable> readers = new ArrayList<>();
  private final ByteBuffer drain = ByteBuffer.allocate(64);
  private final ByteBuffer wakeByte = ByteBuffer.allocate(1);
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean running = true;
  private Pipe wakeup;
  private ZMQ.Poller poller;
  private boolean pollerStale = true;
  private long timerSeq;

  EventLoop(String name, ZContext context) {
    this.name = name;
    this.context = context;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
  }

  /**
   * Starts the thread, runs {@code init} on it, and returns once {@code init} is done.
   *
   * @throws RuntimeException whatever {@code init} threw, after the loop has stopped
   */
  void start(Runnable init) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    tasks.add(() -> {
      try {
        init.run();
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

  String name() {
    return name;
  }

  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Watches a socket created on this thread. */
  void register(ZMQ.Socket socket, Readable reader) {
    assertInLoop();
    sockets.add(socket);
    readers.add(reader);
    pollerStale = true;
  }

  void unregister(ZMQ.Socket socket) {
    assertInLoop();
    int i = sockets.indexOf(socket);
    if (i >= 0) {
      sockets.remove(i);
      readers.remove(i);
      pollerStale = true;
    }
  }

  /** Runs a task on the loop thread soon; from the loop thread itself, after the current event. */
  void execute(Runnable task) {
    tasks.add(task);
    if (sleeping.getAndSet(false)) {
      wake();
    }
  }

  /** Runs a task after a delay, on the loop thread. Call from the loop thread. */
  Timer schedule(long delayNanos, Runnable task) {
    assertInLoop();
    Timer timer = new Timer(System.nanoTime() + delayNanos, timerSeq++, task);
    timers.add(timer);
    return timer;
  }

  private void run() {
    try {
      wakeup = Pipe.open();
      wakeup.source().configureBlocking(false);
      wakeup.sink().configureBlocking(true);
      while (running) {
        runTasks();
        runTimers();
        if (!running) {
          break;
        }
        if (pollerStale) {
          rebuildPoller();
        }
        long timeout = pollTimeoutMillis();
        sleeping.set(true);
        if (!tasks.isEmpty() || anyReadable()) {
          timeout = 0;
        }
        poller.poll(timeout);
        sleeping.set(false);
        dispatch();
      }
    } catch (Throwable t) {
      if (running) {
        LOG.log(System.Logger.Level.ERROR, name + " stopped by an unexpected error", t);
      }
    } finally {
      running = false;
      runTasks();
      closeQuietly();
      stopped.complete(null);
    }
  }

  private void dispatch() {
    if (poller.pollin(0)) {
      try {
        while (wakeup.source().read(drain.clear()) > 0) {
          // drained
        }
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, name + ": wake-up pipe failed", e);
      }
    }
    // Copy: a reader may register or unregister sockets.
    int n = readers.size();
    Readable[] snapshot = readers.toArray(new Readable[0]);
    for (int i = 0; i < n; i++) {
      // A socket's file descriptor signals edges, not levels, and any send on the socket may
      // consume the signal of messages that arrived meanwhile: ask the socket itself as well.
      if (poller.pollin(i + 1) || readable(sockets.get(i))) {
        try {
          snapshot[i].onReadable();
        } catch (Throwable t) {
          LOG.log(System.Logger.Level.ERROR, name + ": socket handler failed; going on", t);
        }
      }
    }
  }

  private boolean anyReadable() {
    for (ZMQ.Socket socket : sockets) {
      if (readable(socket)) {
        return true;
      }
    }
    return false;
  }

  private static boolean readable(ZMQ.Socket socket) {
    return (socket.getEvents() & ZMQ.Poller.POLLIN) != 0;
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

  private void runTimers() {
    long now = System.nanoTime();
    Timer next;
    while ((next = timers.peek()) != null && next.deadline - now <= 0) {
      timers.poll();
      if (!next.cancelled) {
        try {
          next.task.run();
        } catch (Throwable t) {
          LOG.log(System.Logger.Level.ERROR, name + ": timer failed; going on", t);
        }
      }
    }
  }

  private long pollTimeoutMillis() {
    Timer next;
    while ((next = timers.peek()) != null && next.cancelled) {
      timers.poll();
    }
    if (next == null) {
      return -1;
    }
    long nanos = next.deadline - System.nanoTime();
    return nanos <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(nanos) + 1;
  }

  private void rebuildPoller() {
    if (poller != null) {
      poller.close();
    }
    poller = context.createPoller(sockets.size() + 1);
    poller.register(wakeup.source(), ZMQ.Poller.POLLIN);
    for (ZMQ.Socket socket : sockets) {
      poller.register(socket, ZMQ.Poller.POLLIN);
    }
    pollerStale = false;
  }

  private void wake() {
    Pipe pipe = wakeup;
    if (pipe == null) {
      return; // not started yet: the loop runs its tasks before it first sleeps
    }
    try {
      synchronized (wakeByte) {
        pipe.sink().write(wakeByte.clear());
      }
    } catch (IOException e) {
      // The loop is closing; its final task run picks the task up.
    }
  }

  private void assertInLoop() {
    if (!inLoop()) {
      throw new IllegalStateException(name + ": called from " + Thread.currentThread().getName()
          + ", but only the loop thread may touch its sockets");
    }
  }

  private void closeQuietly() {
    try {
      if (poller != null) {
        poller.close();
      }
      if (wakeup != null) {
        wakeup.source().close();
        wakeup.sink().close();
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, name + ": closing the wake-up pipe failed", e);
    }
  }

  /** Stops the loop after the tasks already handed over, and waits for the thread to end. */
  @Override
  public void close() {
    if (inLoop()) {
      running = false;
      return;
    }
    execute(() -> running = false);
    if (thread.isAlive() || !stopped.isDone()) {
      awaitStop();
    }
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

  /** A task to run at a deadline on the loop thread. */
  static final class Timer implements Comparable<Timer> {
    final long deadline;
    final long seq;
    final Runnable task;
    boolean cancelled;

    Timer(long deadline, long seq, Runnable task) {
      this.deadline = deadline;
      this.seq = seq;
      this.task = task;
    }

    /** Cancels the timer; call from the loop thread. Cancelled timers leave lazily. */
    void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(deadline - o.deadline, 0);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
