/** Internal: the command line (server, load, compare, keys), also what a forked server runs. */
package dev.callosum.perf.cli;
