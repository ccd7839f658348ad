package dev.callosum.perf.load;

import dev.callosum.perf.measurement.RawSamples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One client's raw samples, when they are asked for: send time and latency of every successful
 * measured call, in chunks, so recording allocates only once per 65,536 calls. Used by one thread;
 * {@link #merge} runs after the clients are done.
 */
final class SampleLog {
  private static final int CHUNK = 1 << 16;
  private final List<long[]> sent = new ArrayList<>();
  private final List<long[]> latency = new ArrayList<>();
  private long[] sentChunk = new long[CHUNK];
  private long[] latencyChunk = new long[CHUNK];
  private int n;

  void add(long sentAt, long nanos) {
    if (n == CHUNK) {
      sent.add(sentChunk);
      latency.add(latencyChunk);
      sentChunk = new long[CHUNK];
      latencyChunk = new long[CHUNK];
      n = 0;
    }
    sentChunk[n] = sentAt;
    latencyChunk[n] = nanos;
    n++;
  }

  /** All clients' samples in send order, relative to {@code origin}, the measurement's start. */
  static RawSamples merge(List<SampleLog> logs, long origin) {
    int total = 0;
    for (SampleLog log : logs) {
      total += log.sent.size() * CHUNK + log.n;
    }
    long[] sentAt = new long[total];
    long[] nanos = new long[total];
    int i = 0;
    for (SampleLog log : logs) {
      for (int c = 0; c < log.sent.size(); c++) {
        System.arraycopy(log.sent.get(c), 0, sentAt, i, CHUNK);
        System.arraycopy(log.latency.get(c), 0, nanos, i, CHUNK);
        i += CHUNK;
      }
      System.arraycopy(log.sentChunk, 0, sentAt, i, log.n);
      System.arraycopy(log.latencyChunk, 0, nanos, i, log.n);
      i += log.n;
    }
    Integer[] order = IntStream.range(0, total).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingLong(k -> sentAt[k]));
    long[] sortedSent = new long[total];
    long[] sortedNanos = new long[total];
    for (int k = 0; k < total; k++) {
      sortedSent[k] = sentAt[order[k]] - origin;
      sortedNanos[k] = nanos[order[k]];
    }
    return new RawSamples(sortedSent, sortedNanos);
  }
}
