package dev.callosum.perf.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.measurement.Quantities;
import java.util.List;
import org.junit.jupiter.api.Test;

class SvgTests {

  @Test
  void aLatencyAxisStartsAtAPlainZeroAndLabelsItsOtherTicksWithUnits() {
    Svg.Axis latency = new Svg.Axis("latency", false, Quantities::compact);
    assertThat(Svg.tick(latency, 0)).isEqualTo("0");
    assertThat(Svg.tick(latency, 2_000_000)).isEqualTo(Quantities.compact(2_000_000));
    String chart =
        Svg.lines(
            "latency",
            new Svg.Axis("seconds", false, Svg::number),
            latency,
            List.of(new Svg.Series("p99", List.of(new double[] {1, 1e6}, new double[] {2, 4e6}))),
            null);
    assertThat(chart).doesNotContain(">0 ns<").contains(">0<");
  }
}
