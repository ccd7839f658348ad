package dev.callosum.perf.measurement;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HiccupMeterTests {

  @Test
  void aStopTheWorldPauseInThisJvmShowsAsAStallOfAboutItsLength() throws Exception {
    HiccupMeter meter = HiccupMeter.start();
    Thread.sleep(200);
    // Many live objects, then a full collection: every Java thread stops while it runs.
    List<long[]> live = new ArrayList<>();
    for (int i = 0; i < 400_000; i++) {
      live.add(new long[64]);
    }
    long gcBefore = gcMillis();
    long before = System.nanoTime();
    System.gc();
    long pauseNanos = System.nanoTime() - before;
    long gcMillis = gcMillis() - gcBefore;
    Thread.sleep(200);
    Hiccups hiccups = meter.stop();
    assertThat(live).hasSize(400_000);

    assertThat(hiccups.samples()).isGreaterThan(50);
    long pause = Duration.ofMillis(gcMillis).toNanos();
    assertThat(gcMillis).as("the injected pause (a full collection of ~200 MB)").isGreaterThan(10);
    assertThat(pauseNanos).isGreaterThanOrEqualTo(pause / 2);
    assertThat(hiccups.maxStall().toNanos())
        .as("the longest stall, against a %d ms collection", gcMillis)
        .isGreaterThanOrEqualTo(pause / 2);
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

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }
}
