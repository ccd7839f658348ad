package dev.callosum.perf.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Writes msgpack exactly as Python's msgpack 1.0 with {@code use_bin_type=True} does: every value
 * in its smallest form, str8 for 32–255-byte strings, bin for bytes (WIRE.md §9).
 *
 * <p>Sizes are computed first so that a frame is written once into an array of its exact length: a
 * 1 MiB body is copied once, not grown and copied again.
 */
final class MsgpackWriter {
  private final byte[] buf;
  private int pos;

  MsgpackWriter(int size) {
    this.buf = new byte[size];
  }

  byte[] finish() {
    if (pos != buf.length) {
      throw new IllegalStateException("wrote " + pos + " of " + buf.length + " bytes");
    }
    return buf;
  }

  static int mapHeaderSize(int n) {
    return n < 16 ? 1 : n < 65536 ? 3 : 5;
  }

  static int arrayHeaderSize(int n) {
    return mapHeaderSize(n);
  }

  static int strHeaderSize(int len) {
    return len < 32 ? 1 : len < 256 ? 2 : len < 65536 ? 3 : 5;
  }

  static int binHeaderSize(int len) {
    return len < 256 ? 2 : len < 65536 ? 3 : 5;
  }

  static int intSize(long v) {
    if (v >= 0) {
      return v < 128 ? 1 : v < 256 ? 2 : v < 65536 ? 3 : v < (1L << 32) ? 5 : 9;
    }
    return v >= -32 ? 1 : v >= -128 ? 2 : v >= -32768 ? 3 : v >= Integer.MIN_VALUE ? 5 : 9;
  }

  static int strSize(byte[] utf8) {
    return strHeaderSize(utf8.length) + utf8.length;
  }

  static int binSize(int len) {
    return binHeaderSize(len) + len;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  void mapHeader(int n) {
    if (n < 16) {
      put(0x80 | n);
    } else if (n < 65536) {
      put(0xde);
      put16(n);
    } else {
      put(0xdf);
      put32(n);
    }
  }

  void arrayHeader(int n) {
    if (n < 16) {
      put(0x90 | n);
    } else if (n < 65536) {
      put(0xdc);
      put16(n);
    } else {
      put(0xdd);
      put32(n);
    }
  }

  void str(byte[] utf8) {
    int len = utf8.length;
    if (len < 32) {
      put(0xa0 | len);
    } else if (len < 256) {
      put(0xd9);
      put(len);
    } else if (len < 65536) {
      put(0xda);
      put16(len);
    } else {
      put(0xdb);
      put32(len);
    }
    raw(utf8, 0, len);
  }

  void bin(byte[] data, int offset, int len) {
    binHeader(len);
    raw(data, offset, len);
  }

  /** A bin's header alone, for {@code len} bytes that follow it. */
  void binHeader(int len) {
    if (len < 256) {
      put(0xc4);
      put(len);
    } else if (len < 65536) {
      put(0xc5);
      put16(len);
    } else {
      put(0xc6);
      put32(len);
    }
  }

  void nil() {
    put(0xc0);
  }

  void bool(boolean v) {
    put(v ? 0xc3 : 0xc2);
  }

  void integer(long v) {
    if (v >= 0) {
      if (v < 128) {
        put((int) v);
      } else if (v < 256) {
        put(0xcc);
        put((int) v);
      } else if (v < 65536) {
        put(0xcd);
        put16((int) v);
      } else if (v < (1L << 32)) {
        put(0xce);
        put32((int) v);
      } else {
        put(0xcf);
        put64(v);
      }
    } else if (v >= -32) {
      put((int) v & 0xff);
    } else if (v >= -128) {
      put(0xd0);
      put((int) v);
    } else if (v >= -32768) {
      put(0xd1);
      put16((int) v);
    } else if (v >= Integer.MIN_VALUE) {
      put(0xd2);
      put32((int) v);
    } else {
      put(0xd3);
      put64(v);
    }
  }

  void raw(byte[] data, int offset, int len) {
    System.arraycopy(data, offset, buf, pos, len);
    pos += len;
  }

  private void put(int b) {
    buf[pos++] = (byte) b;
  }

  private void put16(int v) {
    put(v >>> 8);
    put(v);
  }

  private void put32(int v) {
    put(v >>> 24);
    put(v >>> 16);
    put(v >>> 8);
    put(v);
  }

  private void put64(long v) {
    put32((int) (v >>> 32));
    put32((int) v);
  }
}
