/** Internal: a benchmark's budgets checked against its results, with messages built from facts. */
package dev.callosum.perf.budgets;
