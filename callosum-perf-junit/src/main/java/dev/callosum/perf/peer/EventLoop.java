package dev.callosum.perf.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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

  /** Something that reacts to a readable socket by reading with non-blocking receives. */
  interface Readable {
    /**
     * Reads what is waiting.
     *
     * @return true if it stopped before the socket ran dry (to be fair to the others)
     */
    boolean onReadable() throws Exception;
  }

  /** A watched socket. */
  private static final class Registration {
    final ZMQ.Socket socket;
    final Readable reader;
    final SelectionKey key;
    boolean signalled;

    Registration(ZMQ.Socket socket, Readable reader, SelectionKey key) {
      this.socket = socket;
      this.reader = reader;
      this.key = key;
    }
  }

  private final String name;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sleeping = new AtomicBoolean();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final List<Registration> registrations = new ArrayList<>();
  /** Whether every socket must be asked, not only the signalled ones; see {@link #dispatch}. */
  private boolean recheck = true;
  private final ByteBuffer drain = ByteBuffer.allocate(64);
  private final ByteBuffer wakeByte = ByteBuffer.allocate(1);
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean running = true;
  private Pipe wakeup;
  private Selector selector;
  private SelectionKey wakeupKey;
  private long timerSeq;

  EventLoop(String name) {
    this.name = name;
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
    try {
      // ZeroMQ's descriptor signals that the socket has news, not that a message waits: on it,
      // the loop asks the socket itself (getEvents), as libzmq's ZMQ_FD protocol requires.
      SelectionKey key = socket.getFD().register(selector, SelectionKey.OP_READ);
      Registration registration = new Registration(socket, reader, key);
      key.attach(registration);
      registrations.add(registration);
      recheck = true;
    } catch (ClosedChannelException e) {
      throw new IllegalStateException(name + ": socket already closed", e);
    }
  }

  void unregister(ZMQ.Socket socket) {
    assertInLoop();
    for (int i = 0; i < registrations.size(); i++) {
      if (registrations.get(i).socket == socket) {
        registrations.remove(i).key.cancel();
        return;
      }
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
      selector = Selector.open();
      wakeup = Pipe.open();
      wakeup.source().configureBlocking(false);
      wakeupKey = wakeup.source().register(selector, SelectionKey.OP_READ);
      while (running) {
        if (runTasks() | runTimers()) {
          recheck = true; // tasks and timers may have sent, and sending may eat a signal
        }
        if (!running) {
          break;
        }
        dispatch();
        long timeout = pollTimeoutMillis();
        sleeping.set(true);
        if (!tasks.isEmpty() || recheck || timeout == 0) {
          selector.selectNow();
        } else if (timeout < 0) {
          selector.select();
        } else {
          selector.select(timeout);
        }
        sleeping.set(false);
        collectSignals();
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

  private void collectSignals() throws IOException {
    Set<SelectionKey> selected = selector.selectedKeys();
    if (selected.isEmpty()) {
      return;
    }
    for (SelectionKey key : selected) {
      if (key == wakeupKey) {
        drainWakeups();
      } else if (key.attachment() instanceof Registration registration) {
        registration.signalled = true;
      }
    }
    selected.clear();
  }

  private void drainWakeups() throws IOException {
    while (wakeup.source().read(drain.clear()) > 0) {
      // drained
    }
  }

  /**
   * Lets sockets with messages waiting read them. Only signalled sockets are asked, unless
   * something may have eaten a signal (a send from a task, a reader that stopped early): then all.
   * A reader that reads until the socket runs dry leaves it unsignalled until the next arrival.
   */
  private void dispatch() {
    boolean all = recheck;
    recheck = false;
    // By index: a reader may register or unregister sockets.
    for (int i = 0; i < registrations.size(); i++) {
      Registration r = registrations.get(i);
      if (!all && !r.signalled) {
        continue;
      }
      r.signalled = false;
      // Ask getEvents() first: it processes the socket's pending commands unthrottled, which
      // consumes the signal. A non-blocking receive alone may skip them (jeromq throttles command
      // processing on non-blocking calls), leaving the descriptor readable and the loop spinning.
      if ((r.socket.getEvents() & ZMQ.Poller.POLLIN) == 0) {
        continue;
      }
      try {
        if (r.reader.onReadable()) {
          recheck = true;
        }
      } catch (Throwable t) {
        LOG.log(System.Logger.Level.ERROR, name + ": socket handler failed; going on", t);
        recheck = true;
      }
    }
  }



  private boolean runTasks() {
    boolean ran = false;
    for (int budget = 10_000; budget > 0; budget--) {
      Runnable task = tasks.poll();
      if (task == null) {
        return ran;
      }
      ran = true;
      try {
        task.run();
      } catch (Throwable t) {
        LOG.log(System.Logger.Level.ERROR, name + ": task failed; going on", t);
      }
    }
    return ran;
  }

  private boolean runTimers() {
    boolean ran = false;
    long now = System.nanoTime();
    Timer next;
    while ((next = timers.peek()) != null && next.deadline - now <= 0) {
      timers.poll();
      if (!next.cancelled) {
        ran = true;
        try {
          next.task.run();
        } catch (Throwable t) {
          LOG.log(System.Logger.Level.ERROR, name + ": timer failed; going on", t);
        }
      }
    }
    return ran;
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
      if (selector != null) {
        selector.close();
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
