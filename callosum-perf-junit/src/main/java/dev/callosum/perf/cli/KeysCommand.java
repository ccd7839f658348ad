package dev.callosum.perf.cli;

import dev.callosum.perf.peer.CurveKeyPair;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;

/** {@code keys}: writes a fresh CURVE key pair in pyzmq's certificate format. */
final class KeysCommand {
  private KeysCommand() {}

  static int run(String[] argv, PrintStream out) {
    Args args = new Args("keys", argv, 1, Set.of());
    Path dir = Path.of(args.string("out", "."));
    String name = args.string("name", "callosum");
    args.rejectUnknown();
    CurveKeyPair pair = CurveKeyPair.generate();
    try {
      pair.write(dir, name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write keys to " + dir + ": " + e.getMessage(), e);
    }
    out.println(
        "wrote "
            + dir.resolve(name + ".key")
            + " and "
            + dir.resolve(name + ".key_secret")
            + "; public key "
            + pair.publicKey());
    return 0;
  }
}
