package dev.callosum.perf.peer;

import java.util.function.BooleanSupplier;

/** Waits for a condition that another thread makes true; fails after a generous bound. */
final class Awaiting {
  private Awaiting() {}

  static void until(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 20 s for: " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what, e);
      }
    }
  }
}
