package dev.callosum.perf.testing;

import dev.callosum.perf.peer.Handler;
import dev.callosum.perf.peer.Handlers;
import dev.callosum.perf.peer.RpcServer;
import dev.callosum.perf.peer.ServerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A server of known appetite in a process of its own, for the tests of server resources: {@code
 * burn PORT} echoes while a thread spins on one core; {@code hoard PORT} echoes and keeps 32 KiB
 * per request forever. Prints a ready line, and stops when its standard input closes or it is
 * killed.
 */
public final class StandInServer {
  private static final List<byte[]> HOARD = new ArrayList<>();
  private static volatile long spins;

  private StandInServer() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    Handler echo = Handlers.echo();
    ServerConfig.Builder config = ServerConfig.builder().bind("tcp://127.0.0.1:" + port);
    if (mode.equals("hoard")) {
      config.handler(
          "echo",
          Handler.blocking(
              body -> {
                synchronized (HOARD) {
                  byte[] kept = new byte[32 * 1024];
                  kept[0] = 1; // touched: resident
                  java.util.Arrays.fill(kept, (byte) 1);
                  HOARD.add(kept);
                }
                return body;
              }));
    } else {
      config.handler("echo", echo);
      Thread burner =
          new Thread(
              () -> {
                while (true) {
                  spins++;
                }
              },
              "burner");
      burner.setDaemon(true);
      burner.start();
    }
    try (RpcServer server = config.start()) {
      System.out.println("STAND-IN READY " + server.endpoint());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until stdin closes
      }
    }
  }
}
