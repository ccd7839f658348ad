package dev.callosum.perf.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The client side's CPU counts the threads that run through {@link ClientCpu#counted}, while they
 * run and after they have ended (their CPU cannot be read once they are gone), and no other.
 */
class ClientCpuTests {
  /** Spins for about {@code millis} of this thread's CPU time. */
  private static void burn(long millis) {
    var bean = ManagementFactory.getThreadMXBean();
    long until = bean.getCurrentThreadCpuTime() + millis * 1_000_000;
    long x = 0;
    while (bean.getCurrentThreadCpuTime() < until) {
      x += System.nanoTime() % 7;
    }
    assertThat(x).isNotNegative();
  }

  @Test
  void aCountedThreadCountsWhileItRunsAndAfterItEndsAndOthersDoNot() throws Exception {
    long before = ClientCpu.nanos();
    CountDownLatch burnt = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread counted =
        new Thread(
            ClientCpu.counted(
                () -> {
                  burn(200);
                  burnt.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }),
            "callosum-load-test");
    counted.start();
    burnt.await();
    long whileRunning = ClientCpu.nanos();
    release.countDown();
    counted.join();
    long afterEnd = ClientCpu.nanos();
    Thread other = new Thread(() -> burn(200), "callosum-load-not-counted");
    other.start();
    other.join();
    long afterOther = ClientCpu.nanos();

    assertThat(before).isNotNegative();
    assertThat((whileRunning - before) / 1e6).as("ms, while it runs").isBetween(180.0, 400.0);
    assertThat((afterEnd - before) / 1e6).as("ms, once it has ended").isBetween(180.0, 400.0);
    assertThat(afterEnd).as("a running total never falls").isGreaterThanOrEqualTo(whileRunning);
    assertThat((afterOther - afterEnd) / 1e6)
        .as("ms counted for a thread that did not run through counted()")
        .isLessThan(50.0);
  }
}
