package dev.callosum.perf.load;

import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.TimeSeries;
import dev.callosum.perf.peer.RpcException;
import dev.callosum.perf.protocol.MessageType;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One load thread's counts: successful calls, errors by kind, its handshake. Written by that thread
 * alone, read after it is done; {@link #result} merges the threads' into a {@link LoadResult}, the
 * same way for both loops.
 */
class Tally {
  final long[] errors = new long[RpcException.Kind.values().length];
  long ok;
  long handshakeNanos;

  long errorCount() {
    long n = 0;
    for (long e : errors) {
      n += e;
    }
    return n;
  }

  void error(RpcException.Kind kind) {
    errors[kind.ordinal()]++;
  }

  /** Counts a reply that is not a RESULT by the kind of error it is. */
  void error(MessageType reply) {
    error(
        switch (reply) {
          case FAILURE -> RpcException.Kind.FAILURE;
          case CANCELLED -> RpcException.Kind.CANCELLED;
          default -> RpcException.Kind.ERROR;
        });
  }

  /**
   * The threads' counts as one result.
   *
   * @param targetRate the open loop's rate, or NaN for a closed loop
   * @param lateSends requests that left late (open loop), else 0
   * @param sent requests sent
   * @param sendingWindow first (intended) send to last send; a closed loop's elapsed time
   */
  static LoadResult result(
      List<? extends Tally> tallies,
      int payloadBytes,
      Duration elapsed,
      Histogram latency,
      double targetRate,
      long lateSends,
      TimeSeries series,
      long sent,
      Duration sendingWindow) {
    Histogram handshake = ClosedLoop.newHistogram();
    Map<RpcException.Kind, Long> errors = new EnumMap<>(RpcException.Kind.class);
    long ok = 0;
    for (Tally t : tallies) {
      if (t.handshakeNanos > 0) {
        handshake.recordValue(Math.min(ClosedLoop.HIGHEST_NANOS, t.handshakeNanos));
      }
      ok += t.ok;
      for (RpcException.Kind kind : RpcException.Kind.values()) {
        if (t.errors[kind.ordinal()] > 0) {
          errors.merge(kind, t.errors[kind.ordinal()], Long::sum);
        }
      }
    }
    long bytes = ok * (long) payloadBytes;
    return new LoadResult(
        Double.isNaN(targetRate),
        tallies.size(),
        payloadBytes,
        ok,
        errors,
        elapsed,
        bytes,
        bytes,
        latency,
        handshake,
        targetRate,
        lateSends,
        series,
        sent,
        sendingWindow);
  }
}
