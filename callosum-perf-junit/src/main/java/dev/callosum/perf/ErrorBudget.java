package dev.callosum.perf;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * The largest share of calls that may fail (any outcome but RESULT), checked after the method on
 * every result it measured. Not scaled by the budget scale: errors are not slowness.
 *
 * <pre>{@code
 * @ErrorBudget(maxRatio = 0.001)   // at most 0.1 % of calls
 * }</pre>
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
public @interface ErrorBudget {
  /** From 0 (no call may fail) to 1. */
  double maxRatio();
}
