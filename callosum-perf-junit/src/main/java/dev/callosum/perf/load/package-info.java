/**
 * Internal: closed- and open-loop load generators, each client on its own thread and connection,
 * recording into HdrHistogram recorders; {@link dev.callosum.perf.load.ClosedLoad} and {@link
 * dev.callosum.perf.load.OpenLoad} describe a load once for all of them.
 */
package dev.callosum.perf.load;
