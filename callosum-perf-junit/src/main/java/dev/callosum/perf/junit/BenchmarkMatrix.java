package dev.callosum.perf.junit;

import dev.callosum.perf.OrderKeys;
import dev.callosum.perf.Payload;
import dev.callosum.perf.Scheduler;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * The cartesian product of benchmark dimensions, as arguments of a {@code @ParameterizedTest}: one
 * parameter per dimension given, in this order: payload ({@code Payload}), content ({@code
 * Payload.Content}), clients ({@code int}), rate ({@code double}, req/s), scheduler ({@code
 * Scheduler}), order keys ({@code OrderKeys}), compression ({@code boolean}), CURVE ({@code
 * boolean}). Arguments carry readable names, so {@code name = "{0} · {1}"} shows {@code 1 KiB ·
 * KeySerialized}.
 *
 * <pre>{@code
 * @ParameterizedTest(name = "{0} · {1}")
 * @BenchmarkMatrix(payloads = {"64B", "1KiB", "64KiB"}, schedulers = {EXIT_ORDERED, KEY_SERIALIZED})
 * void echo(Payload payload, Scheduler scheduler, Bench bench) { ... }
 * }</pre>
 *
 * <p>The dimensions come in this order, whichever are given: payloads, contents, delays, clients,
 * rates, schedulers, orderKeys, compression, curve; the method takes them in that order.
 *
 * <p>Quick mode ({@code callosum.perf.quick=true}) keeps the first and last value of each
 * dimension.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ArgumentsSource(BenchmarkMatrixProvider.class)
public @interface BenchmarkMatrix {
  /** Payload sizes, such as {@code "64B"}, {@code "1KiB"}, {@code "1MiB"}. */
  String[] payloads() default {};

  /** What the payloads' bytes are: random (incompressible) and/or compressible. */
  Payload.Content[] contents() default {};

  /** Server delays, such as {@code "1ms"}, {@code "250us"}, given as {@code Duration}s. */
  String[] delays() default {};

  /** Client counts. */
  int[] clients() default {};

  /** Open-loop target rates, in requests per second. */
  double[] rates() default {};

  Scheduler[] schedulers() default {};

  /** How requests carry order keys: none, one shared key, or a key per client. */
  OrderKeys[] orderKeys() default {};

  /** Compression off and/or on. */
  boolean[] compression() default {};

  /** CURVE off and/or on. */
  boolean[] curve() default {};
}
