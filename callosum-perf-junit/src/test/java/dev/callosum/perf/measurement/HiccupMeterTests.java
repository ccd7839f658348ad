package dev.callosum.perf.measurement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HiccupMeterTests {

  /**
   * The whole JVM is stopped (SIGSTOP, then SIGCONT 150 ms later, by a child shell), as a machine
   * stall stops it: no thread runs, so the meter must see a stall of at least that length. (A full
   * collection was the injected pause before; its MXBean time and the stall seen by a thread
   * disagreed by up to 3× on a loaded machine, so it made a flaky test.)
   */
  @Test
  void aStopOfTheWholeJvmShowsAsAStallOfAboutItsLength() throws Exception {
    HiccupMeter meter = HiccupMeter.start();
    Thread.sleep(200);
    long pid = ProcessHandle.current().pid();
    long before = System.nanoTime();
    Process stopper =
        new ProcessBuilder("sh", "-c", "kill -STOP " + pid + "; sleep 0.15; kill -CONT " + pid)
            .inheritIO()
            .start();
    assertThat(stopper.waitFor(10, TimeUnit.SECONDS)).as("the stopping shell ended").isTrue();
    assertThat(stopper.exitValue()).isZero();
    long stoppedFor = System.nanoTime() - before;
    Thread.sleep(200);
    Hiccups hiccups = meter.stop();

    assertThat(hiccups.samples()).isGreaterThan(50);
    assertThat(Duration.ofNanos(stoppedFor)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    assertThat(hiccups.maxStall())
        .as("the longest stall, against a stop of at least 150 ms (%s)", hiccups)
        .isGreaterThanOrEqualTo(Duration.ofMillis(140))
        .isLessThan(Duration.ofSeconds(5));
    assertThat(hiccups.worst()).isGreaterThanOrEqualTo(hiccups.maxStall());
    assertThat(hiccups.toString()).startsWith("machine stalls p99 ");
  }

  @Test
  void itStopsItsThreads() {
    HiccupMeter meter = HiccupMeter.start();
    meter.stop();
    meter.close();

    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("callosum-hiccup-") && t.isAlive());
  }
}
