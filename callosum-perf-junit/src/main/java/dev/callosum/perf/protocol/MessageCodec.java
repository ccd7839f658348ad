package dev.callosum.perf.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;
import org.xerial.snappy.Snappy;

/**
 * Encodes and decodes the header and body frames of Callosum messages, byte for byte as callosum
 * 1.0.3 does (WIRE.md §3–5, §9).
 *
 * <p>Header: a msgpack map {@code {type, meth, okey, seq, zip}}, never compressed. Body: a msgpack
 * map {@code {meta, body}} where {@code meta} is a bin holding a separately packed metadata array;
 * the whole body frame is snappy-compressed (raw block format) when the header says {@code zip}.
 *
 * <p>Decoding is as lenient as Python's where Python is lenient (key order, extra keys, an integer
 * {@code zip}) and strict where Python fails, except that every failure is a {@link
 * WireFormatException} saying what was wrong instead of an exception that kills the peer. The
 * frames every peer writes are read straight from their bytes ({@link CommonFrames}), any other the
 * general way. A codec is safe to share between threads.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class MessageCodec {

  /** Python's {@code Peer} default {@code max_body_size}, which it never enforces: 10 MiB. */
  public static final int DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024;

  static final byte[] TYPE = MsgpackWriter.utf8("type");
  static final byte[] METH = MsgpackWriter.utf8("meth");
  static final byte[] OKEY = MsgpackWriter.utf8("okey");
  static final byte[] SEQ = MsgpackWriter.utf8("seq");
  static final byte[] ZIP = MsgpackWriter.utf8("zip");
  static final byte[] META = MsgpackWriter.utf8("meta");
  static final byte[] BODY = MsgpackWriter.utf8("body");
  private static final int HEADER_KEYS_SIZE = 1 + 5 + 5 + 5 + 4 + 4;
  private static final byte[] NO_BYTES = new byte[0];

  private final int maxBodySize;
  private final CommonFrames common = new CommonFrames();

  /** A codec that accepts bodies of up to {@link #DEFAULT_MAX_BODY_SIZE}. */
  public MessageCodec() {
    this(DEFAULT_MAX_BODY_SIZE);
  }

  /**
   * A codec that rejects body frames larger than {@code maxBodySize} bytes, compressed or not.
   *
   * @throws IllegalArgumentException if the size is not positive
   */
  public MessageCodec(int maxBodySize) {
    if (maxBodySize <= 0) {
      throw new IllegalArgumentException("maxBodySize must be positive, was " + maxBodySize);
    }
    this.maxBodySize = maxBodySize;
  }

  public int maxBodySize() {
    return maxBodySize;
  }

  // ---------------------------------------------------------------- encoding

  /** The header frame. */
  public byte[] encodeHeader(RpcMessage message) {
    byte[] method = MsgpackWriter.utf8(message.method());
    OrderKey key = message.orderKey();
    int keySize =
        key.kind() == OrderKey.Kind.NIL
            ? 1
            : key.kind() == OrderKey.Kind.STR
                ? MsgpackWriter.strHeaderSize(key.length()) + key.length()
                : MsgpackWriter.binSize(key.length());
    int size =
        HEADER_KEYS_SIZE
            + MsgpackWriter.intSize(message.type().code())
            + MsgpackWriter.strSize(method)
            + keySize
            + MsgpackWriter.intSize(message.seq())
            + 1;
    MsgpackWriter w = new MsgpackWriter(size);
    w.mapHeader(5);
    w.str(TYPE);
    w.integer(message.type().code());
    w.str(METH);
    w.str(method);
    w.str(OKEY);
    switch (key.kind()) {
      case NIL -> w.nil();
      case STR -> w.str(key.unsafeBytes());
      case BIN -> w.bin(key.unsafeBytes(), 0, key.length());
      default -> throw new AssertionError(key.kind());
    }
    w.str(SEQ);
    w.integer(message.seq());
    w.str(ZIP);
    w.bool(message.compressed());
    return w.finish();
  }

  /** The body frame, snappy-compressed if the message says so. */
  public byte[] encodeBody(RpcMessage message) {
    byte[] body = message.body();
    return encodeBody(
        message.metadata(), body, 0, body == null ? 0 : body.length, message.compressed());
  }

  /**
   * A body frame from its parts, the body taken from {@code array[offset, offset + length)}, or nil
   * when {@code array} is {@code null}.
   */
  public byte[] encodeBody(
      List<String> metadata, byte[] array, int offset, int length, boolean compress) {
    byte[] packed = packBody(metadata, array, offset, length);
    if (!compress) {
      return packed;
    }
    try {
      return Snappy.compress(packed);
    } catch (IOException e) {
      throw new IllegalStateException("snappy could not compress " + packed.length + " bytes", e);
    }
  }

  /** The body map before compression. */
  public byte[] packBody(RpcMessage message) {
    byte[] body = message.body();
    return packBody(message.metadata(), body, 0, body == null ? 0 : body.length);
  }

  /**
   * Writes an uncompressed body frame's prefix (everything before the body's bytes) for a body of
   * {@code length} bytes that already lies at {@code array[offset, offset + length)}, into the
   * bytes just before it, so that {@code array[start, offset + length)} is the whole frame: a reply
   * built in the request's own array, without copying its body.
   *
   * @return where the frame starts, or -1 if the prefix does not fit after {@code minStart}
   */
  public int packBodyPrefixBefore(
      List<String> metadata, byte[] array, int offset, int length, int minStart) {
    byte[] meta = packMetadata(metadata);
    int size = mapUpToBodySize(meta) + MsgpackWriter.binHeaderSize(length);
    int start = offset - size;
    if (start < minStart || start < 0) {
      return -1;
    }
    MsgpackWriter w = new MsgpackWriter(size);
    writeMapUpToBody(w, meta);
    w.binHeader(length);
    System.arraycopy(w.finish(), 0, array, start, size);
    return start;
  }

  private static byte[] packBody(List<String> metadata, byte[] array, int offset, int length) {
    byte[] meta = packMetadata(metadata);
    int size = mapUpToBodySize(meta) + (array == null ? 1 : MsgpackWriter.binSize(length));
    MsgpackWriter w = new MsgpackWriter(size);
    writeMapUpToBody(w, meta);
    if (array == null) {
      w.nil();
    } else {
      w.bin(array, offset, length);
    }
    return w.finish();
  }

  /** The body map's bytes before the body's value: {meta: bin, body: …}. */
  private static int mapUpToBodySize(byte[] meta) {
    return 1 + 5 + MsgpackWriter.binSize(meta.length) + 5;
  }

  private static void writeMapUpToBody(MsgpackWriter w, byte[] meta) {
    w.mapHeader(2);
    w.str(META);
    w.bin(meta, 0, meta.length);
    w.str(BODY);
  }

  private static byte[] packMetadata(List<String> metadata) {
    if (metadata == null) {
      return NO_BYTES;
    }
    List<byte[]> items = new ArrayList<>(metadata.size());
    int size = MsgpackWriter.arrayHeaderSize(metadata.size());
    for (String item : metadata) {
      byte[] utf8 = MsgpackWriter.utf8(item);
      items.add(utf8);
      size += MsgpackWriter.strSize(utf8);
    }
    MsgpackWriter w = new MsgpackWriter(size);
    w.arrayHeader(items.size());
    for (byte[] item : items) {
      w.str(item);
    }
    return w.finish();
  }

  // ---------------------------------------------------------------- decoding

  /** Decodes a whole message from its header and body frames. */
  public RpcMessage decode(byte[] header, byte[] body) throws WireFormatException {
    return decodeBody(decodeHeader(header), body);
  }

  /**
   * Decodes the header frame alone, into a message with no metadata and no body. A server uses it
   * to know whom to answer before it tries the body.
   */
  public RpcMessage decodeHeader(byte[] header) throws WireFormatException {
    RpcMessage common = this.common.header(header);
    return common != null ? common : readHeader(header);
  }

  /** {@link #decodeHeader} the general way, with a msgpack reader. */
  RpcMessage readHeader(byte[] header) throws WireFormatException {
    try (Reader in = new Reader(header)) {
      int entries = mapHeader(in, "header");
      MessageType type = null;
      String method = null;
      OrderKey okey = null;
      Long seq = null;
      Boolean zip = null;
      for (int i = 0; i < entries; i++) {
        String key = readKey(in);
        if (key == null) {
          in.skipValue();
          continue;
        }
        switch (key) {
          case "type" -> type = MessageType.ofCode(readInteger(in, "header 'type'"));
          case "meth" -> method = readMethod(in);
          case "okey" -> okey = readOrderKey(in);
          case "seq" -> seq = readInteger(in, "header 'seq'");
          case "zip" -> zip = readTruth(in);
          default -> in.skipValue();
        }
      }
      requireEnd(in, header.length, "header");
      if (type == null || method == null || okey == null || seq == null || zip == null) {
        throw new WireFormatException(
            "header lacks "
                + missing(type, method, okey, seq, zip)
                + "; a Callosum header has type, meth, okey, seq and zip");
      }
      return new RpcMessage(type, method, okey, seq, null, null, zip);
    } catch (IOException | RuntimeException e) {
      throw new WireFormatException("header is not valid msgpack: " + describe(e), e);
    }
  }

  /** Decodes the body frame of a message whose header is already decoded. */
  public RpcMessage decodeBody(RpcMessage header, byte[] frame) throws WireFormatException {
    BodyView view = decodeBodyView(header, frame);
    return new RpcMessage(
        header.type(),
        header.method(),
        header.orderKey(),
        header.seq(),
        view.metadata(),
        view.copy(),
        header.compressed());
  }

  /**
   * Decodes a body frame without copying the body out of it (out of the decompressed frame, when
   * compressed).
   */
  public BodyView decodeBodyView(RpcMessage header, byte[] frame) throws WireFormatException {
    return decodeBodyView(header, frame, 0, frame.length);
  }

  /**
   * As {@link #decodeBodyView(RpcMessage, byte[])}, for a body frame that lies at {@code
   * array[offset, offset + length)}.
   */
  public BodyView decodeBodyView(RpcMessage header, byte[] array, int offset, int length)
      throws WireFormatException {
    byte[] packed = array;
    int start = offset;
    int size = length;
    if (header.compressed()) {
      packed = uncompress(array, offset, length);
      start = 0;
      size = packed.length;
    } else {
      checkSize(length);
      BodyView common = CommonFrames.body(array, offset, length);
      if (common != null) {
        return common;
      }
    }
    return readBodyView(packed, start, size);
  }

  /** {@link #decodeBodyView} of a frame not (or no longer) compressed, with a msgpack reader. */
  BodyView readBodyView(byte[] packed, int start, int size) throws WireFormatException {
    try (Reader in = new Reader(packed, start, size)) {
      int entries = mapHeader(in, "body");
      boolean sawMeta = false;
      boolean sawBody = false;
      List<String> metadata = null;
      int bodyOffset = 0;
      int bodyLength = -1;
      for (int i = 0; i < entries; i++) {
        String key = readKey(in);
        if ("meta".equals(key)) {
          sawMeta = true;
          metadata = readMetadata(in);
        } else if ("body".equals(key)) {
          sawBody = true;
          bodyLength = readBody(in);
          bodyOffset = start + (int) in.getTotalReadBytes() - Math.max(0, bodyLength);
        } else {
          in.skipValue();
        }
      }
      requireEnd(in, size, "body");
      if (!sawMeta || !sawBody) {
        throw new WireFormatException(
            "body map lacks '"
                + (sawMeta ? "body" : "meta")
                + "'; a Callosum body is {meta, body}");
      }
      return bodyLength < 0
          ? new BodyView(metadata, null, 0, 0)
          : new BodyView(metadata, packed, bodyOffset, bodyLength);
    } catch (IOException | RuntimeException e) {
      throw new WireFormatException("body is not valid msgpack: " + describe(e), e);
    }
  }

  private void checkSize(long size) throws WireFormatException {
    if (size > maxBodySize) {
      throw new WireFormatException(
          "body of " + size + " bytes exceeds the maximum body size of " + maxBodySize + " bytes");
    }
  }

  private byte[] uncompress(byte[] array, int offset, int length) throws WireFormatException {
    checkSize(length);
    try {
      if (!Snappy.isValidCompressedBuffer(array, offset, length)) {
        throw new WireFormatException(
            "header says zip but the " + length + "-byte body is not a valid snappy raw block");
      }
      int size = Snappy.uncompressedLength(array, offset, length);
      checkSize(size);
      byte[] out = new byte[size];
      Snappy.uncompress(array, offset, length, out, 0);
      return out;
    } catch (IOException e) {
      throw new WireFormatException(
          "header says zip but the "
              + length
              + "-byte body is not a valid snappy raw block: "
              + e.getMessage(),
          e);
    }
  }

  private static int mapHeader(Reader in, String what) throws IOException, WireFormatException {
    if (!in.hasNext()) {
      throw new WireFormatException(what + " frame is empty, expected a msgpack map");
    }
    ValueType type = in.getNextFormat().getValueType();
    if (type != ValueType.MAP) {
      throw new WireFormatException(what + " is a msgpack " + name(type) + ", expected a map");
    }
    return in.unpackMapHeader();
  }

  private static String readKey(Reader in) throws IOException, WireFormatException {
    if (in.getNextFormat().getValueType() != ValueType.STRING) {
      in.skipValue();
      return null;
    }
    return readString(in, "a map key");
  }

  private static String readString(Reader in, String what) throws IOException, WireFormatException {
    byte[] utf8 = payload(in, in.unpackRawStringHeader());
    return decodeUtf8(utf8, what);
  }

  /** Reads a str or bin payload, refusing a declared length longer than what is left. */
  private static byte[] payload(Reader in, int length) throws IOException, WireFormatException {
    long left = in.length - in.getTotalReadBytes();
    if (length < 0 || length > left) {
      throw new WireFormatException(
          "a value declares "
              + Integer.toUnsignedString(length)
              + " bytes but only "
              + left
              + " are left in the frame");
    }
    return in.readPayload(length);
  }

  private static String decodeUtf8(byte[] utf8, String what) throws WireFormatException {
    // ASCII (every key, almost every method name) is valid UTF-8 as it stands: a strict decoder
    // per string was 40 % of decoding a header.
    if (CommonFrames.ascii(utf8, 0, utf8.length)) {
      return new String(utf8, StandardCharsets.US_ASCII);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new WireFormatException(what + " is a msgpack str that is not valid UTF-8", e);
    }
  }

  private static long readInteger(Reader in, String what) throws IOException, WireFormatException {
    ValueType type = in.getNextFormat().getValueType();
    if (type != ValueType.INTEGER) {
      throw new WireFormatException(what + " is a msgpack " + name(type) + ", expected an integer");
    }
    try {
      return in.unpackLong();
    } catch (RuntimeException e) {
      throw new WireFormatException(what + " does not fit in 64 bits", e);
    }
  }

  private static String readMethod(Reader in) throws IOException, WireFormatException {
    ValueType type = in.getNextFormat().getValueType();
    if (type != ValueType.STRING) {
      throw new WireFormatException(
          "header 'meth' is a msgpack " + name(type) + ", expected a str (the method name)");
    }
    return readString(in, "header 'meth'");
  }

  private static OrderKey readOrderKey(Reader in) throws IOException, WireFormatException {
    ValueType type = in.getNextFormat().getValueType();
    switch (type) {
      case BINARY:
        return OrderKey.wrap(OrderKey.Kind.BIN, payload(in, in.unpackBinaryHeader()));
      case STRING:
        byte[] utf8 = payload(in, in.unpackRawStringHeader());
        decodeUtf8(utf8, "header 'okey'");
        return OrderKey.wrap(OrderKey.Kind.STR, utf8);
      case NIL:
        in.unpackNil();
        return OrderKey.nil();
      default:
        throw new WireFormatException(
            "header 'okey' is a msgpack " + name(type) + ", expected bin, str or nil");
    }
  }

  private static boolean readTruth(Reader in) throws IOException, WireFormatException {
    ValueType type = in.getNextFormat().getValueType();
    switch (type) {
      case BOOLEAN:
        return in.unpackBoolean();
      case INTEGER:
        return in.unpackValue().asIntegerValue().toBigInteger().signum() != 0;
      case NIL:
        in.unpackNil();
        return false;
      default:
        throw new WireFormatException(
            "header 'zip' is a msgpack " + name(type) + ", expected a bool");
    }
  }

  private static List<String> readMetadata(Reader in) throws IOException, WireFormatException {
    ValueType type = in.getNextFormat().getValueType();
    if (type == ValueType.NIL) {
      in.unpackNil();
      return null;
    }
    if (type != ValueType.BINARY) {
      throw new WireFormatException(
          "body 'meta' is a msgpack " + name(type) + ", expected a bin holding packed metadata");
    }
    byte[] packed = payload(in, in.unpackBinaryHeader());
    if (packed.length == 0) {
      return null;
    }
    try (Reader meta = new Reader(packed)) {
      ValueType inner = meta.getNextFormat().getValueType();
      if (inner != ValueType.ARRAY) {
        throw new WireFormatException(
            "body 'meta' holds a msgpack " + name(inner) + ", expected an array of str");
      }
      int n = meta.unpackArrayHeader();
      List<String> items = new ArrayList<>(Math.min(n, 16));
      for (int i = 0; i < n; i++) {
        ValueType item = meta.getNextFormat().getValueType();
        if (item != ValueType.STRING) {
          throw new WireFormatException(
              "body 'meta' item " + i + " is a msgpack " + name(item) + ", expected a str");
        }
        items.add(readString(meta, "body 'meta' item " + i));
      }
      requireEnd(meta, packed.length, "body 'meta'");
      return items;
    }
  }

  /** Skips over the body, returning its length, or -1 for nil. */
  private static int readBody(Reader in) throws IOException, WireFormatException {
    ValueType type = in.getNextFormat().getValueType();
    switch (type) {
      case BINARY:
        int length = in.unpackBinaryHeader();
        long left = in.length - in.getTotalReadBytes();
        if (length < 0 || length > left) {
          throw new WireFormatException(
              "body 'body' declares "
                  + Integer.toUnsignedString(length)
                  + " bytes but only "
                  + left
                  + " are left in the frame");
        }
        in.skipPayload(length);
        return length;
      case NIL:
        in.unpackNil();
        return -1;
      default:
        throw new WireFormatException(
            "body 'body' is a msgpack " + name(type) + ", expected bin or nil");
    }
  }

  private static void requireEnd(Reader in, int length, String what)
      throws IOException, WireFormatException {
    if (in.hasNext()) {
      throw new WireFormatException(
          what + " has " + (length - in.getTotalReadBytes()) + " bytes after its msgpack value");
    }
  }

  private static String missing(Object... fields) {
    String[] names = {"type", "meth", "okey", "seq", "zip"};
    List<String> out = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      if (fields[i] == null) {
        out.add("'" + names[i] + "'");
      }
    }
    return String.join(", ", out);
  }

  private static String name(ValueType type) {
    return type.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /** A msgpack reader that knows its frame's length, so declared sizes can be checked. */
  private static final class Reader implements AutoCloseable {
    private final MessageUnpacker u;
    private final int length;

    Reader(byte[] frame) {
      this(frame, 0, frame.length);
    }

    Reader(byte[] array, int offset, int length) {
      this.u = MessagePack.newDefaultUnpacker(array, offset, length);
      this.length = length;
    }

    boolean hasNext() throws IOException {
      return u.hasNext();
    }

    org.msgpack.core.MessageFormat getNextFormat() throws IOException {
      return u.getNextFormat();
    }

    int unpackMapHeader() throws IOException {
      return u.unpackMapHeader();
    }

    int unpackArrayHeader() throws IOException {
      return u.unpackArrayHeader();
    }

    int unpackRawStringHeader() throws IOException {
      return u.unpackRawStringHeader();
    }

    int unpackBinaryHeader() throws IOException {
      return u.unpackBinaryHeader();
    }

    long unpackLong() throws IOException {
      return u.unpackLong();
    }

    boolean unpackBoolean() throws IOException {
      return u.unpackBoolean();
    }

    void unpackNil() throws IOException {
      u.unpackNil();
    }

    org.msgpack.value.ImmutableValue unpackValue() throws IOException {
      return u.unpackValue();
    }

    void skipValue() throws IOException {
      u.skipValue();
    }

    long getTotalReadBytes() {
      return u.getTotalReadBytes();
    }

    byte[] readPayload(int n) throws IOException {
      return u.readPayload(n);
    }

    void skipPayload(int n) throws IOException {
      u.readPayloadAsReference(n);
    }

    @Override
    public void close() throws IOException {
      u.close();
    }
  }
}
