package dev.callosum.perf.measurement;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The load generator's CPU counts its own threads, ended ones too (their CPU cannot be read once
 * they are gone), and no other thread.
 */
class GeneratorCpuTests {
  /** Spins for about {@code millis} of this thread's CPU time. */
  private static void burn(long millis) {
    var bean = java.lang.management.ManagementFactory.getThreadMXBean();
    long until = bean.getCurrentThreadCpuTime() + millis * 1_000_000;
    long x = 0;
    while (bean.getCurrentThreadCpuTime() < until) {
      x += System.nanoTime() % 7;
    }
    assertThat(x).isNotNegative();
  }

  private static void runAndJoin(String name, Runnable task) throws InterruptedException {
    Thread t = new Thread(GeneratorCpu.counted(task), name);
    t.start();
    t.join();
  }

  @Test
  void aLoadThreadThatHasEndedStillCountsAndOtherThreadsDoNot() throws InterruptedException {
    long before = GeneratorCpu.nanos();
    runAndJoin("callosum-load-test", () -> burn(200));
    long afterLoad = GeneratorCpu.nanos();
    runAndJoin("some-other-thread", () -> burn(200));
    long afterOther = GeneratorCpu.nanos();

    assertThat(before).isNotNegative();
    assertThat((afterLoad - before) / 1e6)
        .as("ms of CPU of a load thread that has ended")
        .isBetween(180.0, 400.0);
    assertThat((afterOther - afterLoad) / 1e6)
        .as("ms of CPU counted for a thread that is not the load generator's")
        .isLessThan(50.0);
  }

  @Test
  void whoIsTheLoadGenerator() {
    assertThat(GeneratorCpu.isGeneratorThread("callosum-load-3")).isTrue();
    assertThat(GeneratorCpu.isGeneratorThread("callosum-open-loop-0")).isTrue();
    assertThat(GeneratorCpu.isGeneratorThread("callosum-client-zmq-iothread-1")).isTrue();
    assertThat(GeneratorCpu.isGeneratorThread("callosum-server-1")).isFalse();
    assertThat(GeneratorCpu.isGeneratorThread("callosum-hiccup-sleep")).isFalse();
    assertThat(GeneratorCpu.isGeneratorThread("C2 CompilerThread0")).isFalse();
  }
}
