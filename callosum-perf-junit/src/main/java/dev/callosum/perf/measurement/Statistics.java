package dev.callosum.perf.measurement;

import java.util.List;
import org.apiguardian.api.API;

/**
 * Mean, standard deviation and the 95 % confidence interval of a few measurements (one per
 * iteration), with Student's t for small samples.
 *
 * @param count how many values
 * @param mean their mean
 * @param stdev their sample standard deviation (0 for one value)
 * @param ci95 half the width of the 95 % confidence interval of the mean (infinite for one value)
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record Statistics(int count, double mean, double stdev, double ci95) {
  // Two-sided 95 % Student t quantiles for 1..30 degrees of freedom.
  private static final double[] T95 = {
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042
  };

  /** The statistics of these values. */
  public static Statistics of(List<Double> values) {
    int n = values.size();
    if (n == 0) {
      return new Statistics(0, Double.NaN, Double.NaN, Double.NaN);
    }
    double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    if (n == 1) {
      return new Statistics(1, mean, 0, Double.POSITIVE_INFINITY);
    }
    double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
    double stdev = Math.sqrt(squares / (n - 1));
    double t = n - 1 <= T95.length ? T95[n - 2] : 1.96;
    return new Statistics(n, mean, stdev, t * stdev / Math.sqrt(n));
  }

  /** The relative half-width of the confidence interval: how much noise there is. */
  public double relativeCi95() {
    return ci95 / Math.abs(mean);
  }
}
