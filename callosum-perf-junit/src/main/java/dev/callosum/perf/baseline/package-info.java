/** Internal: comparison of a run with an earlier run's JSON results, beyond noise. */
package dev.callosum.perf.baseline;
