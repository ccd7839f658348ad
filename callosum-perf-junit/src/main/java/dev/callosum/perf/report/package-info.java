/** Internal: what a run writes: console lines, JSON results, the summary page and its charts. */
package dev.callosum.perf.report;
