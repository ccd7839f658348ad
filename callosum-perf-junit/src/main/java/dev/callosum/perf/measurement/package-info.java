/**
 * Results of one load run and the statistics across runs. {@link
 * dev.callosum.perf.measurement.LoadResult}, {@link dev.callosum.perf.measurement.Statistics},
 * {@link dev.callosum.perf.measurement.TimeSeries} and {@link
 * dev.callosum.perf.measurement.RawSamples} are reached from a {@link
 * dev.callosum.perf.BenchmarkResult}; the rest is internal.
 */
package dev.callosum.perf.measurement;
