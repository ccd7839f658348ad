package dev.callosum.perf;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * The least throughput a benchmark must reach, in successful calls per second, checked after the
 * method on every result it measured.
 *
 * <pre>{@code
 * @ThroughputBudget(min = "2000/s")
 * }</pre>
 *
 * <p>The budget-scale setting ({@code callosum.perf.budgetScale}) divides it, for slower machines.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
public @interface ThroughputBudget {
  /** The minimum rate, such as {@code 2000/s} or {@code 2000}. */
  String min();
}
