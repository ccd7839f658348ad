/**
 * A Java Callosum peer, wire-compatible with Python's callosum 1.0.3: {@link
 * dev.callosum.perf.peer.RpcClient} and {@link dev.callosum.perf.peer.RpcServer} over ZeroMQ
 * (jeromq), both schedulers, snappy, CURVE with a ZAP authenticator. For benchmarks that drive
 * calls themselves or serve with a {@link dev.callosum.perf.peer.Handler} of their own; the rest of
 * callosum-perf uses it to load servers and to be one. Types marked {@code INTERNAL} (the
 * single-thread {@code Connection}, the raw ZeroMQ baseline) are the harness's.
 */
package dev.callosum.perf.peer;
