package dev.callosum.perf.peer;

import org.zeromq.ZMQ;

/** Socket settings every socket of the peer shares. */
final class Sockets {
  private Sockets() {}

  /**
   * Receives every message into a heap array. By default jeromq decodes messages over 1 MiB into
   * direct buffers, which it zeroes on allocation and copies again into an array on receive: a 1
   * MiB Callosum body frame (the payload plus its 18-byte map) crosses that line where a bare 1 MiB
   * frame does not, and paid for it in half its throughput.
   */
  static void heapMessages(ZMQ.Socket socket) {
    socket.setMsgAllocationHeapThreshold(Integer.MAX_VALUE);
  }

  /**
   * As {@link #heapMessages}, and a large frame comes with room before it ({@link
   * Multipart#WITH_ROOM}), for a socket read with {@link Multipart#read(ZMQ.Socket, int,
   * java.util.List, Multipart.Last)} that answers in place.
   */
  static void roomyMessages(ZMQ.Socket socket) {
    socket.setMsgAllocator(Multipart.WITH_ROOM);
  }
}
