/**
 * Benchmarks as JUnit 5 test methods: the annotation, what it injects, and the assertions.
 *
 * <pre>{@code
 * @RpcBenchmark
 * class EchoBenchmarks {
 *   @ParameterizedTest(name = "{0} · {1}")
 *   @BenchmarkMatrix(payloads = {"64B", "64KiB"}, clients = {1, 10})
 *   @ThroughputBudget(min = "1000/s")
 *   @LatencyBudget(percentile = 99, max = "20ms")
 *   void echo(Payload payload, int clients, Bench bench) {
 *     ManagedServer server = bench.server(ServerSpec.echo());
 *     BenchmarkResult result =
 *         bench.closedLoop(server).clients(clients).payload(payload).requests(10_000).run();
 *     assertThat(result).hasNoErrors();
 *   }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.callosum.perf.junit.RpcBenchmark} on a class or method makes its tests
 *       benchmarks (tagged {@code perf}), and says where their servers run.
 *   <li>{@link dev.callosum.perf.junit.Bench}, injected, starts servers and clients that close with
 *       the test, and runs closed- and open-loop loads whose results reach the reports.
 *   <li>{@link dev.callosum.perf.junit.BenchmarkMatrix} parameterizes a {@code @ParameterizedTest}
 *       by the product of benchmark dimensions, with readable names; quick mode keeps the ends.
 *   <li>{@link dev.callosum.perf.junit.BenchmarkAssertions#assertThat} asserts on a result in
 *       sentences ({@code assertThat(result).percentile(99).isAtMost(ofMillis(5))}).
 *   <li>{@link dev.callosum.perf.junit.BenchmarkSettings} lists the {@code callosum.perf.*}
 *       settings a run reads.
 * </ul>
 *
 * <p>The extension itself, its verdicts and its run state are package-private.
 */
package dev.callosum.perf.junit;
