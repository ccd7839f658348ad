package dev.callosum.perf;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * The most a latency percentile may be, checked after the benchmark method on every result it
 * measured. Repeatable, for several percentiles.
 *
 * <pre>{@code
 * @LatencyBudget(percentile = 99, max = "20ms")
 * @LatencyBudget(percentile = 99.9, max = "50ms")
 * }</pre>
 *
 * <p>{@code max} is a duration such as {@code 500us}, {@code 20ms} or {@code 1s}; the budget-scale
 * setting ({@code callosum.perf.budgetScale}) multiplies it, for slower machines.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Repeatable(LatencyBudget.List.class)
public @interface LatencyBudget {
  /** The percentile, from 0 to 100, such as 99 or 99.9. */
  double percentile();

  /** The largest latency allowed at that percentile, such as {@code 20ms}. */
  String max();

  /** Holds repeated {@link LatencyBudget}s. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
  @interface List {
    LatencyBudget[] value();
  }
}
