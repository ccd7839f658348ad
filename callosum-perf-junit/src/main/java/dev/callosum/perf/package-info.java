/**
 * What a benchmark describes and what it gets back: the vocabulary of callosum-perf. With {@link
 * dev.callosum.perf.junit} this is the whole user API.
 *
 * <ul>
 *   <li>{@link dev.callosum.perf.ServerSpec}: the server under test, as a value: its handler
 *       ({@code echo()}, {@code delayed(...)}, {@code sizedReply(...)}, {@code failing()}, or one
 *       of your own), its {@link dev.callosum.perf.Scheduler}, compression and CURVE.
 *   <li>{@link dev.callosum.perf.ManagedServer}: a running server made from a spec, wherever its
 *       {@link dev.callosum.perf.Placement} puts it (this JVM, a forked JVM, a command such as a
 *       Python Callosum server, or a remote address).
 *   <li>{@link dev.callosum.perf.Payload}: request body sizes ({@code Payload.parse("64KiB")}) and
 *       contents; {@link dev.callosum.perf.OrderKeys}: how a closed loop keys its requests.
 *   <li>{@link dev.callosum.perf.BenchmarkResult}: what a load measured over its iterations:
 *       throughput with its spread, latency percentiles from merged HdrHistograms, errors by kind,
 *       time series; {@link dev.callosum.perf.TailAnalysis} explains its tail.
 *   <li>{@link dev.callosum.perf.LatencyBudget}, {@link dev.callosum.perf.ThroughputBudget}, {@link
 *       dev.callosum.perf.ErrorBudget}: budgets checked after the method, scaled by {@code
 *       callosum.perf.budgetScale}.
 * </ul>
 *
 * <p>Every type here is {@code @API(status = EXPERIMENTAL)} at 0.1: the shapes may still move.
 * Everything in other packages except {@link dev.callosum.perf.junit} and the Java peer ({@link
 * dev.callosum.perf.peer}) is internal.
 */
package dev.callosum.perf;
