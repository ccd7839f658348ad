package dev.callosum.perf.peer;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Test shorthands for byte arrays. */
final class Bytes {
  private Bytes() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }
}
