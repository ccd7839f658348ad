package dev.callosum.perf.peer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The ZAP (RFC 27) handler a CURVE server binds at {@code inproc://zeromq.zap.01} in its own
 * context, answering as Python's callosum does: "200 OK" for admitted CURVE clients, "400" with a
 * reason otherwise. It runs on the server's event loop.
 */
final class ZapHandler {
  static final String ENDPOINT = "inproc://zeromq.zap.01";
  private static final String VERSION = "1.0";

  private final ZMQ.Socket socket;
  private final ClientAuthenticator authenticator;
  private long denied;

  ZapHandler(ZContext context, ClientAuthenticator authenticator) {
    this.authenticator = authenticator;
    this.socket = context.createSocket(SocketType.REP);
    socket.setLinger(0);
    socket.bind(ENDPOINT);
  }

  ZMQ.Socket socket() {
    return socket;
  }

  long denied() {
    return denied;
  }

  boolean onReadable() {
    List<byte[]> frames = new ArrayList<>(8);
    while (Multipart.read(socket, ZMQ.DONTWAIT, frames)) {
      answer(frames);
    }
    return false;
  }

  private void answer(List<byte[]> request) {
    byte[] requestId = request.size() > 1 ? request.get(1) : new byte[0];
    String code = "400";
    String text;
    String userId = "";
    if (request.size() < 6) {
      text = "Not enough frames";
    } else if (!VERSION.equals(ascii(request.get(0)))) {
      text = "Invalid version";
    } else if (!"CURVE".equals(ascii(request.get(5)))) {
      text = "Unsupported authentication mechanism";
    } else if (request.size() < 7 || request.get(6).length != 32) {
      text = "Invalid credentials";
    } else {
      String domain = ascii(request.get(2));
      String key = ZMQ.Curve.z85Encode(request.get(6));
      if (admits(domain, key)) {
        code = "200";
        text = "OK";
        userId = key;
      } else {
        text = "Access denied";
      }
    }
    if (!"200".equals(code)) {
      denied++;
    }
    socket.sendMore(VERSION);
    socket.sendMore(requestId);
    socket.sendMore(code);
    socket.sendMore(text);
    socket.sendMore(userId);
    socket.send(new byte[0], 0);
  }

  private boolean admits(String domain, String key) {
    try {
      return authenticator.admits(domain, key);
    } catch (RuntimeException e) {
      System.getLogger(ZapHandler.class.getName()).log(System.Logger.Level.ERROR,
          "the client authenticator failed; refusing " + key, e);
      return false;
    }
  }

  private static String ascii(byte[] frame) {
    return new String(frame, StandardCharsets.US_ASCII);
  }

  void close() {
    socket.close();
  }
}
