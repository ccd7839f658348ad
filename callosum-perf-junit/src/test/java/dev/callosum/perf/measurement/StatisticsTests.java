package dev.callosum.perf.measurement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatisticsTests {

  @Test
  void meanStdevAndStudentConfidenceInterval() {
    Statistics s = Statistics.of(List.of(10.0, 12.0, 14.0));

    assertThat(s.count()).isEqualTo(3);
    assertThat(s.mean()).isEqualTo(12.0);
    assertThat(s.stdev()).isEqualTo(2.0);
    // t(0.975, 2 df) = 4.303; 4.303 * 2 / sqrt(3)
    assertThat(s.ci95()).isCloseTo(4.969, within(0.001));
    assertThat(s.relativeCi95()).isCloseTo(0.414, within(0.001));
  }

  @Test
  void oneValueHasNoSpreadAndAnUnboundedInterval() {
    Statistics s = Statistics.of(List.of(5.0));

    assertThat(s.stdev()).isZero();
    assertThat(s.ci95()).isInfinite();
  }
}
