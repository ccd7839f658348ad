package dev.callosum.perf.cli;

import dev.callosum.perf.Scheduler;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.peer.BatchPolicy;
import dev.callosum.perf.peer.CurveKeyPair;
import dev.callosum.perf.peer.Handler;
import dev.callosum.perf.peer.RpcServer;
import dev.callosum.perf.peer.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code server}: starts a Callosum server with the test handlers and prints, once it accepts
 * connections, exactly one line: {@code CALLOSUM-PERF READY tcp://127.0.0.1:PORT}, followed by
 * {@code curve-public-key=KEY} with CURVE, {@code spec=WORD} (what it serves, as {@link
 * dev.callosum.perf.ServerSpec#word()} writes it), {@code io-threads=ID,...} (its ZeroMQ I/O
 * threads' ids, for the harness to run them as batch while it measures) and, last, {@code
 * identity=callosum-perf VERSION java VERSION}. It runs until stopped (SIGTERM, Ctrl-C), or until
 * its standard input closes with {@code --stop-on-eof}.
 *
 * <p>{@code --crash-after N} makes it a server that fails on cue, for checking what a harness does
 * with one: when the N-th {@code echo} call arrives it does not answer it, and exits with status 3
 * ({@code --crash-with exit}), kills itself with SIGKILL ({@code sigkill}) or stops itself with
 * SIGSTOP ({@code sigstop}: alive, answering nothing). Counted in calls, not seconds, so that where
 * the failure lands does not depend on how long its JVM took to start.
 */
final class ServerCommand {
  static final String READY = "CALLOSUM-PERF READY";

  private ServerCommand() {}

  static int run(String[] argv, PrintStream out) {
    Args args = new Args("server", argv, 1, Set.of("compress", "stop-on-eof", "echo-fails"));
    ServerSpec spec = spec(args);
    ServerConfig config = config(args, spec);
    boolean stopOnEof = args.flag("stop-on-eof");
    args.rejectUnknown();

    RpcServer server = RpcServer.start(config);
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              server.close();
            },
            "callosum-server-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println(
        READY
            + " "
            + server.endpoint()
            + (server.publicKey() == null ? "" : " curve-public-key=" + server.publicKey())
            + " spec="
            + spec.curve(server.publicKey() != null).word().orElseThrow()
            + " io-threads="
            + String.join(",", BatchPolicy.ioThreadIds())
            + " identity="
            + RpcServer.identity()); // last: it runs to the end of the line
    out.flush();
    if (stopOnEof) {
      Thread watcher =
          new Thread(
              () -> {
                try {
                  while (System.in.read() >= 0) {
                    // ignore input; wait for the end of it
                  }
                } catch (IOException e) {
                  // stdin gone: stop as well
                }
                stop.countDown();
              },
              "callosum-server-stdin");
      watcher.setDaemon(true);
      watcher.start();
    }
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
    return 0;
  }

  /** What the options ask {@code echo} to do, and the scheduler and compression, as a spec. */
  static ServerSpec spec(Args args) {
    java.time.Duration delay = args.duration("echo-delay", null);
    java.time.Duration delayMax = args.duration("echo-delay-max", null);
    String replySize = args.string("echo-reply-size", null);
    ServerSpec spec;
    if (args.flag("echo-fails")) {
      spec = ServerSpec.failing();
    } else if (replySize != null) {
      spec = ServerSpec.sizedReply(args.size("echo-reply-size", "0"));
    } else if (delay != null && delayMax != null) {
      spec = ServerSpec.randomlyDelayed(delay, delayMax);
    } else if (delay != null) {
      spec = ServerSpec.delayed(delay);
    } else {
      spec = ServerSpec.echo();
    }
    try {
      spec = spec.scheduler(Scheduler.parse(args.string("scheduler", "exit-ordered")));
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException("--scheduler: " + e.getMessage());
    }
    return spec.compress(args.flag("compress"));
  }

  static ServerConfig config(Args args, ServerSpec spec) {
    // What `echo` does, for servers started for a benchmark spec (see ServerSpec.commandLine).
    ServerConfig.Builder builder =
        ServerConfig.builder().testHandlers().handler("echo", crashing(args, spec.handler()));
    String port = args.string("port", null);
    String bind = args.string("bind", null);
    if (port != null && bind != null) {
      throw new Args.UsageException("give --port or --bind, not both");
    }
    if (port != null) {
      builder.bind("tcp://127.0.0.1:" + args.positiveInt("port", 0));
    } else if (bind != null) {
      builder.bind(bind);
    }
    builder.keySerialized(spec.scheduler() == Scheduler.KEY_SERIALIZED);
    builder.compress(spec.compress());
    builder.maxBodySize(args.size("max-body-size", "10MiB").bytes());
    String keys = args.string("curve-keys", null);
    List<String> allow = args.all("curve-allow");
    if (keys == null && !allow.isEmpty()) {
      throw new Args.UsageException("--curve-allow needs --curve-keys (the server's key pair)");
    }
    if (keys != null) {
      CurveKeyPair serverKeys = readKeys(Path.of(keys), "--curve-keys");
      if (serverKeys.secretKey() == null) {
        throw new Args.UsageException(
            "--curve-keys " + keys + " holds no secret key; give the" + " .key_secret file");
      }
      builder.curve(serverKeys, allowedKeys(allow).toArray(new String[0]));
    }
    return builder.build();
  }

  /** How a server told to crash ends. */
  enum Crash {
    EXIT,
    SIGKILL,
    SIGSTOP
  }

  /** {@code echo} as asked, or, with {@code --crash-after N}, failing on cue at its N-th call. */
  static Handler crashing(Args args, Handler echo) {
    int after = args.positiveInt("crash-after", 0);
    String with = args.string("crash-with", null);
    if (after == 0) {
      if (with != null) {
        throw new Args.UsageException("--crash-with needs --crash-after N (the call to fail at)");
      }
      return echo;
    }
    Crash crash =
        switch (with == null ? "exit" : with) {
          case "exit" -> Crash.EXIT;
          case "sigkill" -> Crash.SIGKILL;
          case "sigstop" -> Crash.SIGSTOP;
          default ->
              throw new Args.UsageException(
                  "--crash-with expects exit, sigkill or sigstop, got '" + with + "'");
        };
    AtomicLong calls = new AtomicLong();
    return request -> {
      if (calls.incrementAndGet() >= after) {
        crash(crash, after);
        return new CompletableFuture<>(); // never answered: stopped, or ending
      }
      return echo.handle(request);
    };
  }

  private static void crash(Crash crash, int after) {
    System.err.println(
        "callosum-perf server: crashing at call "
            + after
            + " as asked (--crash-with "
            + crash.name().toLowerCase(Locale.ROOT)
            + ")");
    System.err.flush();
    if (crash == Crash.EXIT) {
      Runtime.getRuntime().halt(3); // no shutdown hooks: as abrupt as a crash
    }
    String signal = crash == Crash.SIGKILL ? "KILL" : "STOP";
    try {
      new ProcessBuilder("sh", "-c", "kill -" + signal + " " + ProcessHandle.current().pid())
          .inheritIO()
          .start()
          .waitFor();
    } catch (IOException e) {
      Runtime.getRuntime().halt(3); // cannot signal itself: crash all the same
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Public keys from certificate files, or from every {@code .key} file in a directory. */
  static Set<String> allowedKeys(List<String> paths) {
    Set<String> keys = new HashSet<>();
    for (String p : paths) {
      Path path = Path.of(p);
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.list(path)) {
          files
              .filter(f -> f.toString().endsWith(".key"))
              .forEach(f -> keys.add(readKeys(f, "--curve-allow").publicKey()));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot list " + path + ": " + e.getMessage(), e);
        }
      } else {
        keys.add(readKeys(path, "--curve-allow").publicKey());
      }
    }
    return keys;
  }

  static CurveKeyPair readKeys(Path path, String option) {
    try {
      return CurveKeyPair.read(path);
    } catch (IOException e) {
      throw new Args.UsageException(option + ": cannot read " + path + " (" + e.getMessage() + ")");
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException(option + ": " + e.getMessage());
    }
  }
}
