package dev.callosum.perf.peer;

import java.util.ArrayList;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** A bare DEALER for tests: sends any frames at all, and reads whatever comes back. */
final class RawDealer implements AutoCloseable {
  private final ZContext context = SharedContext.newContext();
  private final ZMQ.Socket socket;

  RawDealer(String endpoint) {
    socket = context.createSocket(SocketType.DEALER);
    socket.setLinger(0);
    socket.setHandshakeIvl(500); // the jeromq connect stall: see Connection
    socket.connect(endpoint);
  }

  void send(byte[]... frames) {
    for (int i = 0; i < frames.length; i++) {
      socket.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0);
    }
  }

  /** The next message, or {@code null} if none comes within the timeout. */
  List<byte[]> receive(int timeoutMillis) {
    socket.setReceiveTimeOut(timeoutMillis);
    byte[] first = socket.recv(0);
    if (first == null) {
      return null;
    }
    List<byte[]> frames = new ArrayList<>();
    frames.add(first);
    while (socket.hasReceiveMore()) {
      frames.add(socket.recv(0));
    }
    return frames;
  }

  @Override
  public void close() {
    socket.close();
    context.close();
  }
}
