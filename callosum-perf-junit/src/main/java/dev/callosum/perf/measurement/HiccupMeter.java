package dev.callosum.perf.measurement;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apiguardian.api.API;

/**
 * Measures this machine's own hiccups while a benchmark iteration runs (see {@link Hiccups}): one
 * thread sleeps 1 ms in a loop and records its overshoot; after each sleep it wakes a second
 * thread, which records how long the wake-up took. Two short wake-ups a millisecond: its cost is
 * measured by {@code HiccupMeterTests} and reported in the README. Start it, run the iteration,
 * {@link #stop()} it.
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class HiccupMeter implements AutoCloseable {
  private static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long HIGHEST = TimeUnit.MINUTES.toNanos(10);

  private final Histogram stall = newHistogram();
  private final Histogram wakeUp = newHistogram();
  private final Thread sleeper;
  private final Thread partner;
  private volatile boolean running = true;
  private volatile long wokenAt;

  private HiccupMeter() {
    partner = new Thread(this::partner, "callosum-hiccup-wake");
    sleeper = new Thread(this::sleeper, "callosum-hiccup-sleep");
    partner.setDaemon(true);
    sleeper.setDaemon(true);
  }

  /** A meter that has started measuring. */
  public static HiccupMeter start() {
    HiccupMeter meter = new HiccupMeter();
    meter.partner.start();
    meter.sleeper.start();
    return meter;
  }

  static Histogram newHistogram() {
    return new Histogram(HIGHEST, 3);
  }

  private void sleeper() {
    // Each interval runs from the end of the last one, not from just before the sleep: a stall
    // while this thread records or wakes its partner (a safepoint it meets on the way back from
    // unpark, a stop of the process) counts too; timing the sleep alone missed those, as the test
    // that stops the JVM for 150 ms showed about once in 15 runs.
    long before = System.nanoTime();
    while (running) {
      LockSupport.parkNanos(SLEEP_NANOS);
      long after = System.nanoTime();
      stall.recordValue(Math.min(HIGHEST, Math.max(0, after - before - SLEEP_NANOS)));
      wokenAt = System.nanoTime();
      LockSupport.unpark(partner);
      before = after;
    }
    LockSupport.unpark(partner);
  }

  private void partner() {
    long seen = 0;
    while (running) {
      LockSupport.park(this);
      long now = System.nanoTime();
      long at = wokenAt;
      if (at != seen && at != 0) {
        seen = at;
        wakeUp.recordValue(Math.min(HIGHEST, Math.max(0, now - at)));
      }
    }
  }

  /** Stops measuring and returns what it measured. */
  public Hiccups stop() {
    close();
    return new Hiccups(stall.copy(), wakeUp.copy());
  }

  /** Stops the threads and waits for them; idempotent. */
  @Override
  public void close() {
    running = false;
    LockSupport.unpark(sleeper);
    LockSupport.unpark(partner);
    try {
      sleeper.join(1000);
      partner.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
