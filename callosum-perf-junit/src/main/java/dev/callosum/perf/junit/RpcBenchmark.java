package dev.callosum.perf.junit;

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
public @interface RpcBenchmark {}
