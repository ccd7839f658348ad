package dev.callosum.perf.peer;

import java.nio.ByteBuffer;
import java.util.List;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.Msg;
import zmq.ZError;
import zmq.msg.MsgAllocator;

/**
 * Reading whole multipart messages, the one way every socket here reads; and frames received with
 * room before them, so that a server can build a reply to a large request in the request's own
 * array (a Callosum reply's prefix is a byte longer than a request's: without room, echoing 1 MiB
 * meant allocating and copying 1 MiB more per call).
 */
final class Multipart {
  /** Frames this large or larger are received with {@link #ROOM} free bytes before them. */
  static final int ROOMY_FROM = 16 * 1024;

  /** The free bytes before a large frame: more than any reply prefix the server writes there. */
  static final int ROOM = 64;

  /**
   * The allocator of a socket whose large frames come with room (the server's ROUTER). jeromq
   * receives a large frame straight into the buffer the allocator gives; its own default gives
   * frames over 1 MiB a direct buffer, which {@code recv} then copies to the heap anyway.
   */
  static final MsgAllocator WITH_ROOM =
      size ->
          size < ROOMY_FROM
              ? new Msg(size)
              : new Msg(ByteBuffer.wrap(new byte[ROOM + size], ROOM, size).slice());

  private Multipart() {}

  /**
   * Reads one message into {@code frames} (cleared first).
   *
   * @return false if no message came (non-blocking, or the receive timeout ran out)
   */
  static boolean read(ZMQ.Socket socket, int flags, List<byte[]> frames) {
    frames.clear();
    byte[] frame = socket.recv(flags);
    if (frame == null) {
      return false;
    }
    frames.add(frame);
    while (socket.hasReceiveMore()) {
      frames.add(socket.recv(0));
    }
    return true;
  }

  /**
   * Reads one message: every frame but the last into {@code frames} (cleared first), the last into
   * {@code last}, in place.
   *
   * @return false if no message came (non-blocking, or the receive timeout ran out)
   * @throws ZMQException as {@link ZMQ.Socket#recv(int)} does
   */
  static boolean read(ZMQ.Socket socket, int flags, List<byte[]> frames, Last last) {
    frames.clear();
    Msg msg = receive(socket, flags);
    if (msg == null) {
      return false;
    }
    while (msg.hasMore()) {
      frames.add(msg.data());
      msg = receive(socket, 0);
      if (msg == null) { // the rest of a message arrives with its first frame
        throw new IllegalStateException("a multipart message ended before its last frame");
      }
    }
    last.set(msg);
    return true;
  }

  private static Msg receive(ZMQ.Socket socket, int flags) {
    Msg msg = socket.base().recv(flags);
    if (msg == null) {
      int errno = socket.base().errno();
      if (errno != 0 && errno != ZError.EAGAIN) {
        throw new ZMQException(errno);
      }
    }
    return msg;
  }

  /**
   * The last frame of a message: {@code array[offset, offset + length)}. When it came with room
   * ({@link #roomy()}), the array is this reader's alone, and everything in it before {@code offset
   * + length} may be written over once the request is handled.
   */
  static final class Last {
    private byte[] array;
    private int offset;
    private int length;

    private void set(Msg msg) {
      ByteBuffer buf = msg.buf(); // its position may be anywhere: the size is the message's
      // WITH_ROOM's shape exactly; a frame from an inproc sender is the sender's and never written.
      if (buf.hasArray() && buf.arrayOffset() == ROOM && buf.array().length == ROOM + msg.size()) {
        array = buf.array();
        offset = ROOM;
        length = msg.size();
      } else {
        array = msg.data();
        offset = 0;
        length = array.length;
      }
    }

    byte[] array() {
      return array;
    }

    int offset() {
      return offset;
    }

    int length() {
      return length;
    }

    /** Whether the frame came with room before it, in an array of its own (else it starts at 0). */
    boolean roomy() {
      return offset > 0;
    }

    /** Sends the frame as it came, without copying it. */
    boolean send(ZMQ.Socket socket, int flags) {
      return send(socket, offset, offset + length, flags);
    }

    /** Sends {@code array[from, to)} as one frame, without copying it. */
    boolean send(ZMQ.Socket socket, int from, int to, int flags) {
      return socket.sendByteBuffer(ByteBuffer.wrap(array, from, to - from).slice(), flags) >= 0;
    }
  }
}
