package dev.callosum.perf.load;

import java.time.Duration;

/** How quick mode shrinks both load descriptions. */
final class Loads {
  private Loads() {}

  /** A request count shrunk to {@code share}, at least 10. */
  static long shrink(long requests, double share) {
    return Math.max(10, Math.round(requests * share));
  }

  /** A duration shrunk to {@code share}, at least 1 s. */
  static Duration shrink(Duration length, double share) {
    return Duration.ofMillis(Math.max(1000, Math.round(length.toMillis() * share)));
  }
}
