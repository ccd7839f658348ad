package dev.callosum.perf.measurement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JitActivityTests {

  @Test
  void aFewCompilationsOrAShareUnderFivePercentAreNotWorthANote() {
    assertThat(JitActivity.note(199, Duration.ofMillis(1000), 1, true)).isEmpty();
    assertThat(JitActivity.note(499, Duration.ofSeconds(10), 1, true)).isEmpty();
    assertThat(JitActivity.note(-1, Duration.ofSeconds(1), 1, true)).as("unknown").isEmpty();
    assertThat(JitActivity.note(500, Duration.ZERO, 1, true)).isEmpty();
  }

  @Test
  void muchCompilingIsNotedWithWhomItConcerns() {
    assertThat(JitActivity.note(600, Duration.ofSeconds(3), 1, true))
        .hasValueSatisfying(
            text ->
                assertThat(text)
                    .startsWith(
                        "this JVM's JIT compiled for 600.0 ms (summed over its compiler"
                            + " threads) during the 3.00 s measured (20 % of it), after 1 warm-up"
                            + " iteration: the server under test (in this JVM) and the load"
                            + " generator were still warming up, so")
                    .contains("callosum.perf.warmups"));
    assertThat(JitActivity.note(500, Duration.ofSeconds(10), 0, false))
        .hasValueSatisfying(
            text ->
                assertThat(text)
                    .contains("after 0 warm-up iterations: the load generator was still")
                    .contains("(the server's own JIT, in its own process, is not seen here)"));
  }

  @Test
  void theJvmSaysHowLongItsJitHasCompiled() {
    long before = JitActivity.millis();
    long sum = 0;
    for (int i = 0; i < 2_000_000; i++) {
      sum += Integer.toString(i).hashCode();
    }
    assertThat(sum).isNotZero();
    assertThat(before).as("HotSpot reports compilation time").isGreaterThanOrEqualTo(0);
    assertThat(JitActivity.millis()).isGreaterThanOrEqualTo(before);
  }
}
