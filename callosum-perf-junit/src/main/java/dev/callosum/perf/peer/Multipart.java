package dev.callosum.perf.peer;

import java.util.List;
import org.zeromq.ZMQ;

/** Reading whole multipart messages, the one way every socket here reads. */
final class Multipart {
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
}
