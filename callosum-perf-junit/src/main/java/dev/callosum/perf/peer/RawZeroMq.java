package dev.callosum.perf.peer;

import dev.callosum.perf.protocol.Frames;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Bare jeromq DEALER/ROUTER echo, with no Callosum on top: the baseline that tells what the
 * Callosum peer itself costs. The server echoes every message back to its sender; a client sends
 * one frame, or a request's three frames as Callosum puts them on the wire, and waits for them to
 * come back.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class RawZeroMq {
  private RawZeroMq() {}

  /** A ROUTER on loopback that echoes every message on its own thread. */
  public static final class EchoServer implements AutoCloseable {
    /** The name of its thread, and the beginning of its ZeroMQ threads' names. */
    public static final String THREAD = "callosum-raw-echo";

    private final ZContext context = SharedContext.newContext(THREAD);
    private final Thread thread;
    private final String endpoint;
    private volatile boolean running = true;

    private final long delayNanos;

    public EchoServer() {
      this(Duration.ZERO);
    }

    /**
     * An echo that answers each message {@code delay} after it came, waiting as Callosum's server
     * does (the ROUTER's receive timeout bounding its wait for the next one): what ZeroMQ and this
     * machine give a delayed reply, without Callosum.
     */
    public EchoServer(Duration delay) {
      delayNanos = delay.toNanos();
      ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
      router.setLinger(0);
      Sockets.heapMessages(router);
      router.setSndHWM(100_000);
      router.setRcvHWM(100_000);
      router.setReceiveTimeOut(100); // to notice close(); a benchmark keeps it busy anyway
      router.bind("tcp://127.0.0.1:*");
      endpoint = router.getLastEndpoint();
      // The socket was created here but is used only by the echo thread from now on; starting a
      // thread is the full memory barrier ZeroMQ asks for when a socket changes threads.
      thread = new Thread(() -> echo(router), THREAD);
      thread.setDaemon(true);
      thread.start();
    }

    public String endpoint() {
      return endpoint;
    }

    private void echo(ZMQ.Socket router) {
      if (delayNanos > 0) {
        delayedEcho(router);
        return;
      }
      try {
        while (running) {
          byte[] peer = router.recv(0);
          if (peer == null) {
            continue;
          }
          router.send(peer, ZMQ.SNDMORE);
          while (router.hasReceiveMore()) {
            byte[] frame = router.recv(0);
            router.send(frame, router.hasReceiveMore() ? ZMQ.SNDMORE : 0);
          }
        }
      } finally {
        router.close();
      }
    }

    private record Due(long deadline, List<byte[]> frames) {}

    private void delayedEcho(ZMQ.Socket router) {
      ArrayDeque<Due> due = new ArrayDeque<>(); // one delay for all: due in arrival order
      int timeout = 100;
      try {
        while (running) {
          long now = System.nanoTime();
          while (!due.isEmpty() && due.peek().deadline() - now <= 0) {
            List<byte[]> frames = due.poll().frames();
            for (int i = 0; i < frames.size(); i++) {
              router.send(frames.get(i), i + 1 < frames.size() ? ZMQ.SNDMORE : 0);
            }
          }
          int wait =
              due.isEmpty()
                  ? 100
                  : (int) Math.max(1, (due.peek().deadline() - now + 999_999) / 1_000_000);
          if (wait != timeout) {
            router.setReceiveTimeOut(wait);
            timeout = wait;
          }
          List<byte[]> frames = new ArrayList<>(4);
          if (Multipart.read(router, 0, frames)) {
            due.add(new Due(System.nanoTime() + delayNanos, frames));
          }
        }
      } finally {
        router.close();
      }
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      context.close();
    }
  }

  /** A DEALER used by the one thread that opened it, in a context shared by all clients. */
  public static final class Client implements AutoCloseable {
    private final ZContext context;
    private final ZMQ.Socket socket;
    private final Duration handshake;

    /** Connects and makes one round trip, whose time stands for the handshake. */
    public Client(String endpoint, Duration timeout) {
      context = SharedContext.acquire();
      socket = context.createSocket(SocketType.DEALER);
      socket.setLinger(0);
      socket.setHandshakeIvl(500); // jeromq's stalled connects: see Connection
      Sockets.heapMessages(socket);
      socket.setReceiveTimeOut((int) timeout.toMillis());
      long start = System.nanoTime();
      socket.connect(endpoint);
      roundTrip(Frames.PING);
      handshake = Duration.ofNanos(System.nanoTime() - start);
    }

    public Duration handshakeLatency() {
      return handshake;
    }

    /** Sends a multipart message and waits for its echo, every frame of it. */
    public void roundTrip(byte[][] frames) {
      for (int i = 0; i < frames.length; i++) {
        socket.send(frames[i], i + 1 < frames.length ? ZMQ.SNDMORE : 0);
      }
      for (int i = 0; i < frames.length; i++) {
        if (socket.recv(0) == null) {
          throw new RpcException(RpcException.Kind.TIMEOUT, "no echo from the raw ZeroMQ server");
        }
      }
    }

    /** Sends one frame and waits for the echo. */
    public byte[] roundTrip(byte[] body) {
      socket.send(body, 0);
      byte[] reply = socket.recv(0);
      if (reply == null) {
        throw new RpcException(RpcException.Kind.TIMEOUT, "no echo from the raw ZeroMQ server");
      }
      return reply;
    }

    @Override
    public void close() {
      socket.close();
      SharedContext.release(context);
    }
  }
}
