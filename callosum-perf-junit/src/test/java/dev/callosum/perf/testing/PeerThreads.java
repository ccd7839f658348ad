package dev.callosum.perf.testing;

import java.util.List;
import java.util.stream.Collectors;

/** No thread of the peer or of jeromq outlives the fixtures. */
public final class PeerThreads {
  private PeerThreads() {}

  /** Live threads of the peer (callosum-*) and of jeromq (reaper-*, iothread-*). */
  public static List<String> peerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(
            n -> n.startsWith("callosum-") || n.startsWith("reaper-") || n.startsWith("iothread-"))
        .sorted()
        .collect(Collectors.toList());
  }

  /** Waits (20 s at most) until none is left. */
  public static void awaitNoPeerThreads() {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!peerThreads().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("threads left after the fixtures closed: " + peerThreads());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
