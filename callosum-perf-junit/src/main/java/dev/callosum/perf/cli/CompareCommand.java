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
    int requests = args.positiveInt("requests", EchoComparison.STANDARD_REQUESTS);
    int rounds = args.positiveInt("rounds", 5);
    CpuSplit.Mode cpus;
    try {
      cpus = CpuSplit.Mode.parse(args.string("cpus", "split"));
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException("--cpus: " + e.getMessage());
    }
    var conditions =
        new EchoComparison.Conditions(
            cpus, args.trueOrFalse("batch-io-threads", true), args.trueOrFalse("idle-jit", true));
    args.rejectUnknown();
    out.println(EchoComparison.header(rounds, conditions));
    EchoComparison.run(
        EchoComparison.standardCases(requests),
        rounds,
        conditions,
        row -> {
          out.println(EchoComparison.line(row));
          out.flush();
        });
    EchoComparison.unmet(conditions).forEach(why -> out.println("note: " + why));
    return 0;
  }
}
