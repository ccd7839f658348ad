package dev.callosum.perf.peer;

import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A thread that owns ZeroMQ sockets and runs tasks handed over from other threads: the part that
 * the client's {@link EventLoop} and the server's {@link ServerLoop} share. Subclasses say how the
 * thread waits and how a sleeping thread is woken; tasks are handed over with {@link #execute} and
 * wake the thread only when it sleeps.
 *
 * <p>Timers fire on the thread too, which waits no longer than the next one is due: a reply due
 * after a delay is sent by the thread that wakes for it, with no second thread to wake (on a
 * virtual machine each wake-up of an idle thread costs tens to hundreds of microseconds).
 */
abstract class LoopThread implements AutoCloseable {
  static final System.Logger LOG = System.getLogger(LoopThread.class.getName());

  final String name;
  final AtomicBoolean sleeping = new AtomicBoolean();
  volatile boolean running = true;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private long timerSeq;

  /**
   * @param clientSide whether the thread drives clients, its CPU the load generator's ({@link
   *     ClientCpu})
   */
  LoopThread(String name, boolean clientSide) {
    this.name = name;
    this.thread = new Thread(clientSide ? ClientCpu.counted(this::runLoop) : this::runLoop, name);
    this.thread.setDaemon(true);
  }

  /** Waits and works until {@link #running} turns false; runs the tasks with {@link #runTasks}. */
  abstract void loop() throws Exception;

  /** Wakes the thread from its wait; called only when it sleeps. */
  abstract void wake();

  /** Closes the thread's sockets, on the thread, after the loop ends. */
  abstract void cleanUp();

  /**
   * Starts the thread, runs {@code init} on it first, and returns once {@code init} is done.
   *
   * @throws RuntimeException whatever {@code init} threw, after the thread has stopped
   */
  final void startWith(Runnable init) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    tasks.add(
        () -> {
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

  final boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Fails unless called on this thread, the only one that may {@code what}. */
  final void assertInLoop(String what) {
    if (!inLoop()) {
      throw new IllegalStateException(
          name
              + ": called from "
              + Thread.currentThread().getName()
              + ", but only the loop thread may "
              + what);
    }
  }

  /** Runs a task on the thread soon; from the thread itself, after the current event. */
  final void execute(Runnable task) {
    tasks.add(task);
    if (sleeping.getAndSet(false)) {
      wake();
    }
  }

  final boolean hasTasks() {
    return !tasks.isEmpty();
  }

  /** Runs the tasks handed over so far (a bounded batch); returns whether it ran any. */
  final boolean runTasks() {
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

  /** Runs a task after a delay, on this thread. Call from this thread. */
  final Timer schedule(long delayNanos, Runnable task) {
    assertInLoop("schedule timers");
    Timer timer = new Timer(System.nanoTime() + delayNanos, timerSeq++, task);
    timers.add(timer);
    return timer;
  }

  /** Runs the timers that are due; returns whether it ran any. */
  final boolean runTimers() {
    if (timers.isEmpty()) {
      return false; // the request loop's usual case: no clock read
    }
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

  /**
   * How long the thread may wait for the next timer, in whole milliseconds rounded up (the unit
   * both ZeroMQ's receive timeout and NIO's select take): 0 if one is due, -1 if none is set.
   */
  final long timerWaitMillis() {
    Timer next;
    while ((next = timers.peek()) != null && next.cancelled) {
      timers.poll();
    }
    if (next == null) {
      return -1;
    }
    long nanos = next.deadline - System.nanoTime();
    return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
  }

  private void runLoop() {
    try {
      loop();
    } catch (Throwable t) {
      if (running) {
        LOG.log(System.Logger.Level.ERROR, name + " stopped by an unexpected error", t);
      }
    } finally {
      running = false;
      runTasks();
      try {
        cleanUp();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, name + ": closing failed", e);
      }
      stopped.complete(null);
    }
  }

  /** Stops the thread after the tasks already handed over, and waits for it to end. */
  @Override
  public void close() {
    if (inLoop()) {
      running = false;
      return;
    }
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
