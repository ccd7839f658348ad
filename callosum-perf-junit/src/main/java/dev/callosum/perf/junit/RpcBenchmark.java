package dev.callosum.perf.junit;

import dev.callosum.perf.Placement;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Makes test methods benchmarks of Callosum RPC: they may declare a {@link Bench} parameter, get
 * servers that are closed for them, and have their budgets ({@code @LatencyBudget},
 * {@code @ThroughputBudget}, {@code @ErrorBudget}) checked after they run. Tagged {@code perf}.
 *
 * <pre>{@code
 * @RpcBenchmark
 * class EchoBenchmarks {
 *   @Test
 *   @ThroughputBudget(min = "1000/s")
 *   void echo(Bench bench) {
 *     bench.closedLoop(bench.server(ServerSpec.echo())).clients(10).run();
 *   }
 * }
 * }</pre>
 *
 * <p>Where its servers run is the annotation's {@link #placement()} (in this JVM unless said),
 * which the setting {@code callosum.perf.placement} overrides for a whole run; {@code
 * callosum.perf.target} points every benchmark at a server already running. The nearest annotation
 * counts: a method's before its class's.
 *
 * <p>Settings come from {@code callosum.perf.*} system properties or {@code
 * junit-platform.properties}: see {@link BenchmarkSettings}.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Tag("perf")
@ExtendWith(RpcBenchmarkExtension.class)
public @interface RpcBenchmark {
  /**
   * Where this benchmark's servers run: {@code IN_JVM} (the default), {@code FORKED} (a JVM of
   * their own, apart from the load's GC and CPU), {@code EXTERNAL} ({@link #serverCommand()}) or
   * {@code PYTHON} (the bundled Python Callosum server, run by the Python {@code
   * callosum.perf.python} names). {@code REMOTE} is chosen with {@code callosum.perf.target}, not
   * here.
   */
  Placement placement() default Placement.IN_JVM;

  /**
   * For {@code EXTERNAL}: the command that starts a server, with {@code {port}}, such as {@code
   * python3 server.py --port {port}}; the setting {@code callosum.perf.server.command} overrides
   * it.
   */
  String serverCommand() default "";

  /** For {@code EXTERNAL}: text the command prints when ready (else: when its port accepts). */
  String serverReady() default "";

  /**
   * Whether this benchmark may be profiled: {@code false} keeps this JVM's profile
   * (async-profiler's samples and JFR) away from it, even with {@code callosum.perf.profiling=true}
   * or a broken budget, for benchmarks whose figures a profiler would bend more than explain, such
   * as a comparison the method makes by itself. A server profiler ({@code
   * callosum.perf.server.profiler}) is not affected.
   */
  boolean profiled() default true;
}
