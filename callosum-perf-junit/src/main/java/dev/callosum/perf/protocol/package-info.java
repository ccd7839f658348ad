/**
 * Internal: the Callosum wire format (msgpack headers, snappy bodies, ZeroMQ frames) and its checks
 * against malformed input; {@link dev.callosum.perf.protocol.OrderKey} and {@link
 * dev.callosum.perf.protocol.ErrorInfo} reach users through the peer.
 */
package dev.callosum.perf.protocol;
