package dev.callosum.perf.cli;

import dev.callosum.perf.load.EchoComparison;
import java.io.PrintStream;
import java.util.Set;

/** {@code compare}: raw jeromq echo against Callosum echo, side by side, with their ratio. */
final class CompareCommand {
  private CompareCommand() {}

  static int run(String[] argv, PrintStream out) {
    Args args = new Args("compare", argv, 1, Set.of());
    int requests = args.positiveInt("requests", 20_000);
    int rounds = args.positiveInt("rounds", 5);
    args.rejectUnknown();
    out.println(EchoComparison.header(rounds));
    EchoComparison.run(
        EchoComparison.standardCases(requests),
        rounds,
        row -> {
          out.println(EchoComparison.line(row));
          out.flush();
        });
    return 0;
  }
}
