package dev.callosum.perf.cli;

import dev.callosum.perf.load.EchoComparison;
import dev.callosum.perf.measurement.CpuSplit;
import java.io.PrintStream;
import java.util.Set;

/** {@code compare}: raw jeromq echo against Callosum echo, side by side, with their ratio. */
final class CompareCommand {
  private CompareCommand() {}

  static int run(String[] argv, PrintStream out) {
    Args args = new Args("compare", argv, 1, Set.of());
    int requests = args.positiveInt("requests", 20_000);
    int rounds = args.positiveInt("rounds", 5);
    CpuSplit.Mode cpus;
    try {
      cpus = CpuSplit.Mode.parse(args.string("cpus", "split"));
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException("--cpus: " + e.getMessage());
    }
    String batch = args.string("batch-io-threads", "true");
    if (!batch.equals("true") && !batch.equals("false")) {
      throw new Args.UsageException("--batch-io-threads: true or false, not '" + batch + "'");
    }
    boolean batchIoThreads = Boolean.parseBoolean(batch);
    args.rejectUnknown();
    out.println(EchoComparison.header(rounds, cpus, batchIoThreads));
    EchoComparison.run(
        EchoComparison.standardCases(requests),
        rounds,
        cpus,
        batchIoThreads,
        row -> {
          out.println(EchoComparison.line(row));
          out.flush();
        });
    return 0;
  }
}
