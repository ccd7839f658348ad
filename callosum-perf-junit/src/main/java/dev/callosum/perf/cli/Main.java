package dev.callosum.perf.cli;

import java.io.PrintStream;
import java.util.Arrays;
import org.apiguardian.api.API;

/**
 * The command line: {@code java -jar callosum-perf-cli.jar COMMAND [--option value ...]}.
 *
 * <ul>
 *   <li>{@code server}: starts a Callosum server and prints one readiness line with its address
 *   <li>{@code load}: runs a closed-loop client load against an address and prints JSON
 *   <li>{@code compare}: raw jeromq echo against the Callosum peer's echo, side by side
 *   <li>{@code keys}: writes a CURVE key pair in pyzmq's certificate format
 * </ul>
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class Main {
  static final String USAGE =
      """
      usage: callosum-perf COMMAND [options]

        server   start a Callosum server (echo, sized, delay, fail) and print
                 "CALLOSUM-PERF READY <address>" once it accepts connections
                   --port N | --bind tcp://127.0.0.1:N   (default: an ephemeral port)
                   --scheduler exit-ordered|key-serialized   --compress
                   --curve-keys FILE.key_secret   --curve-allow FILE|DIR (repeatable)
                   --max-body-size 10MiB   --stop-on-eof (stop when stdin closes)
                   what echo does: --echo-delay 1ms [--echo-delay-max 5ms] (reply after a
                   fixed or random delay)   --echo-reply-size 64KiB   --echo-fails
                   a server that fails on cue: --crash-after N (at its N-th echo call)
                   [--crash-with exit|sigkill|sigstop] (exit status 3, the default)
        load     closed-loop load against a server; prints the result as JSON
                   --target tcp://127.0.0.1:N (required)   --clients 1   --payload 1KiB
                   --requests 10000   --warmup 1000   --method echo
                   --order-keys none|shared|per-client   --compress   --timeout 30s
                   --curve-server-key KEY|FILE   --curve-keys FILE.key_secret   --raw
        compare  raw jeromq DEALER/ROUTER echo against the Callosum peer echo
                   --requests 50000 (for 1 KiB; fewer for larger)   --rounds 5
                   --cpus split|shared (split: each server on CPUs of its own, the clients on
                   the others)   --batch-io-threads true|false (ZeroMQ I/O threads SCHED_BATCH
                   after the warm-up, raw and Callosum alike)   --idle-jit true|false (the
                   JIT's compiler threads SCHED_IDLE after the warm-up)
        keys     write a CURVE key pair as NAME.key and NAME.key_secret (pyzmq format)
                   --out DIR (default .)   --name NAME (default callosum)
      """;

  private Main() {}

  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  /** Runs a command; returns the exit status (0 ok, 1 failed, 2 wrong usage). */
  static int run(String[] argv, PrintStream out, PrintStream err) {
    if (argv.length == 0 || Arrays.asList("-h", "--help", "help").contains(argv[0])) {
      (argv.length == 0 ? err : out).print(USAGE);
      return argv.length == 0 ? 2 : 0;
    }
    String command = argv[0];
    try {
      return switch (command) {
        case "server" -> ServerCommand.run(argv, out);
        case "load" -> LoadCommand.run(argv, out);
        case "compare" -> CompareCommand.run(argv, out);
        case "keys" -> KeysCommand.run(argv, out);
        default ->
            throw new Args.UsageException(
                "unknown command '" + command + "'; expected server, load, compare or keys");
      };
    } catch (Args.UsageException e) {
      err.println("callosum-perf " + command + ": " + e.getMessage());
      err.println("run 'callosum-perf --help' for the options");
      return 2;
    } catch (RuntimeException e) {
      err.println("callosum-perf " + command + ": " + e.getMessage());
      return 1;
    }
  }
}
