/** Internal: JFR profiles per benchmark, their summaries and flame graphs. */
package dev.callosum.perf.profile;
