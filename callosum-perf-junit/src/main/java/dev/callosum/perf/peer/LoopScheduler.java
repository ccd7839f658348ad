package dev.callosum.perf.peer;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server's {@link Request#timer()}: a {@link ScheduledExecutorService} whose tasks run on the
 * server's own thread, as a Python handler's {@code asyncio.sleep} resumes on its event loop. A
 * reply completed by a timer is then sent by the thread that woke for the timer, at once.
 *
 * <p>Tasks must not block (they hold up every other request); blocking work belongs on {@link
 * Request#workers()}. The timer cannot be shut down by handlers: it lives as long as the server.
 */
final class LoopScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final LoopThread loop;
  private volatile boolean shutdown;

  LoopScheduler(LoopThread loop) {
    this.loop = loop;
  }

  /** Stops accepting tasks; those already scheduled are dropped with the loop. */
  void stop() {
    shutdown = true;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return submit(new Task<>(command, null, unit.toNanos(delay), 0));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return submit(new Task<>(callable, unit.toNanos(delay)));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    if (period <= 0) {
      throw new IllegalArgumentException("period must be > 0, was " + period);
    }
    return submit(new Task<>(command, null, unit.toNanos(initialDelay), unit.toNanos(period)));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    if (delay <= 0) {
      throw new IllegalArgumentException("delay must be > 0, was " + delay);
    }
    return submit(new Task<>(command, null, unit.toNanos(initialDelay), -unit.toNanos(delay)));
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  private <V> Task<V> submit(Task<V> task) {
    if (shutdown) {
      throw new RejectedExecutionException("the server is closed");
    }
    if (loop.inLoop()) {
      task.arm();
    } else {
      loop.execute(task::arm);
    }
    return task;
  }

  @Override
  public void shutdown() {
    throw new UnsupportedOperationException("the server's timer closes with the server");
  }

  @Override
  public List<Runnable> shutdownNow() {
    throw new UnsupportedOperationException("the server's timer closes with the server");
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && !loop.running;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  /**
   * A task on the loop's timers. {@code period} as in {@link
   * java.util.concurrent.ScheduledThreadPoolExecutor}: 0 once, positive fixed rate, negative fixed
   * delay.
   */
  private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
    private final long period;
    private volatile long deadline;
    private LoopThread.Timer timer; // loop thread only

    Task(Runnable command, V result, long delayNanos, long period) {
      super(command, result);
      this.deadline = System.nanoTime() + delayNanos;
      this.period = period;
    }

    Task(Callable<V> callable, long delayNanos) {
      super(callable);
      this.deadline = System.nanoTime() + delayNanos;
      this.period = 0;
    }

    void arm() {
      if (!isDone()) {
        timer = loop.schedule(Math.max(0, deadline - System.nanoTime()), this);
      }
    }

    @Override
    public boolean isPeriodic() {
      return period != 0;
    }

    @Override
    public void run() {
      if (!isPeriodic()) {
        super.run();
      } else if (super.runAndReset() && !shutdown) {
        deadline = period > 0 ? deadline + period : System.nanoTime() - period;
        arm();
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(false); // never interrupt the server's thread
      if (cancelled) {
        if (loop.inLoop()) {
          disarm();
        } else {
          loop.execute(this::disarm);
        }
      }
      return cancelled;
    }

    private void disarm() {
      if (timer != null) {
        timer.cancel();
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
