package dev.callosum.perf.peer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The ZAP (RFC 27) handler a CURVE server binds at {@code inproc://zeromq.zap.01} in its own
 * context, answering as Python's callosum does: "200 OK" for admitted CURVE clients, "400" with a
 * reason otherwise. It runs on a thread of its own, which creates and alone uses its socket.
 */
final class ZapHandler implements AutoCloseable {
  static final String ENDPOINT = "inproc://zeromq.zap.01";
  private static final String VERSION = "1.0";

  private final ClientAuthenticator authenticator;
  private final AtomicLong denied = new AtomicLong();
  private final Thread thread;
  private final CountDownLatch bound = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile RuntimeException failure;

  /** Starts the handler and returns once it is bound. */
  ZapHandler(ZContext context, ClientAuthenticator authenticator, String name) {
    this.authenticator = authenticator;
    this.thread = new Thread(() -> serve(context), name);
    thread.setDaemon(true);
    thread.start();
    try {
      bound.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
  }

  long denied() {
    return denied.get();
  }

  private void serve(ZContext context) {
    ZMQ.Socket socket;
    try {
      socket = context.createSocket(SocketType.REP);
      socket.setLinger(0);
      socket.setReceiveTimeOut(100); // to notice close()
      socket.bind(ENDPOINT);
    } catch (RuntimeException e) {
      failure = new IllegalStateException("cannot bind the ZAP handler: " + e.getMessage(), e);
      bound.countDown();
      return;
    }
    bound.countDown();
    List<byte[]> frames = new ArrayList<>(8);
    try {
      while (running) {
        if (Multipart.read(socket, 0, frames)) {
          answer(socket, frames);
        }
      }
    } finally {
      socket.close();
    }
  }

  private void answer(ZMQ.Socket socket, List<byte[]> request) {
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
      denied.incrementAndGet();
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
      System.getLogger(ZapHandler.class.getName())
          .log(System.Logger.Level.ERROR, "the client authenticator failed; refusing " + key, e);
      return false;
    }
  }

  private static String ascii(byte[] frame) {
    return new String(frame, StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
