package dev.callosum.perf.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile's allocation counts what its windows allocated, not what came before them. */
class AllocationProfileTests {
  private static volatile byte[] sink;

  private static void allocate(long bytes) {
    for (long done = 0; done < bytes; done += 64 * 1024) {
      sink = new byte[64 * 1024];
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aThreadsAllocationBeforeTheWindowIsNotCountedInIt(@TempDir Path dir) {
    // JFR weighs an allocation sample by what its thread allocated since its previous sample, and
    // some JDKs let a thread's first sample in a recording count from before the recording began
    // (JDK-8307488, and its regression JDK-8362573): 400 MiB before, 32 MiB within.
    allocate(400L << 20);
    try (Profiler profiler = Profiler.create("allocation")) {
      profiler.resume();
      for (int i = 0; i < 32; i++) {
        allocate(1 << 20);
        sleep(10); // spread over a third of a second: JFR throttles its samples per second
      }
      profiler.pause(32);
      ProfileSummary summary = profiler.stop(dir.resolve("allocation.jfr"), false, List.of());

      assertThat(summary.allocation().totalBytes())
          .as("allocated in the window, by JFR's samples")
          .isBetween(8L << 20, 128L << 20);
      assertThat(summary.allocation().topSites().get(0).name())
          .startsWith("dev.callosum.perf.profile.AllocationProfileTests.allocate");
    }
  }
}
