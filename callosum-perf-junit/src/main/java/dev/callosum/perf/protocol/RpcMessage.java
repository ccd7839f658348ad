package dev.callosum.perf.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One Callosum message: the header's fields, the metadata and the body (WIRE.md §3–4).
 *
 * <p>Replies are built from the request they answer, so they carry its method, order key and seq
 * exactly as received, as Python's client requires to match them:
 *
 * <pre>{@code
 * RpcMessage request = RpcMessage.function("echo", OrderKey.NONE, 0, payload);
 * RpcMessage reply = request.result(payload);
 * }</pre>
 *
 * <p>Instances are immutable; the body array is not copied, so do not change it after handing it
 * over.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class RpcMessage {

  private static final List<String> EMPTY_METADATA = List.of();

  private final MessageType type;
  private final String method;
  private final OrderKey orderKey;
  private final long seq;
  private final List<String> metadata;
  private final byte[] body;
  private final boolean compressed;

  /**
   * Creates a message.
   *
   * @param metadata {@code null} for none (an empty {@code meta} bin on the wire), else the strings
   *     of the metadata array
   * @param body {@code null} for nil, else the bin body
   * @param compressed whether the body frame is (to be) snappy-compressed
   */
  public RpcMessage(
      MessageType type,
      String method,
      OrderKey orderKey,
      long seq,
      List<String> metadata,
      byte[] body,
      boolean compressed) {
    this.type = Objects.requireNonNull(type, "type");
    this.method = Objects.requireNonNull(method, "method");
    this.orderKey = Objects.requireNonNull(orderKey, "orderKey");
    this.seq = seq;
    this.metadata = metadata == null ? null : List.copyOf(metadata);
    this.body = body;
    this.compressed = compressed;
  }

  /** A request as Python's {@code Peer.invoke} builds it: no metadata, a bin body. */
  public static RpcMessage function(String method, OrderKey orderKey, long seq, byte[] body) {
    return new RpcMessage(
        MessageType.FUNCTION,
        method,
        orderKey,
        seq,
        null,
        Objects.requireNonNull(body, "body"),
        false);
  }

  /** The RESULT answering this request. */
  public RpcMessage result(byte[] result) {
    return reply(MessageType.RESULT, EMPTY_METADATA, Objects.requireNonNull(result, "result"));
  }

  /** The FAILURE answering this request: the user's handler failed. */
  public RpcMessage failure(ErrorInfo error) {
    return reply(MessageType.FAILURE, error.toMetadata(), null);
  }

  /** The ERROR answering this request: the peer itself failed. */
  public RpcMessage error(ErrorInfo error) {
    return reply(MessageType.ERROR, error.toMetadata(), null);
  }

  /** The CANCELLED answering this request. */
  public RpcMessage cancelled() {
    return reply(MessageType.CANCELLED, EMPTY_METADATA, null);
  }

  /** The CANCEL a client sends for this request when it gives up on it. */
  public RpcMessage cancel() {
    return reply(MessageType.CANCEL, EMPTY_METADATA, null);
  }

  private RpcMessage reply(MessageType replyType, List<String> replyMetadata, byte[] replyBody) {
    return new RpcMessage(replyType, method, orderKey, seq, replyMetadata, replyBody, compressed);
  }

  /** The same message, to be sent with or without compression. */
  public RpcMessage withCompression(boolean compress) {
    return compress == compressed
        ? this
        : new RpcMessage(type, method, orderKey, seq, metadata, body, compress);
  }

  public MessageType type() {
    return type;
  }

  public String method() {
    return method;
  }

  public OrderKey orderKey() {
    return orderKey;
  }

  /** The client's sequence id, echoed unchanged; normally 0 to 2^32-1. */
  public long seq() {
    return seq;
  }

  /** The metadata strings, or {@code null} when the message has none. */
  public List<String> metadata() {
    return metadata;
  }

  /** The exception a FAILURE or ERROR describes, or {@code null}. */
  public ErrorInfo errorInfo() {
    return ErrorInfo.fromMetadata(metadata);
  }

  /** The body, or {@code null} for nil. Not copied. */
  public byte[] body() {
    return body;
  }

  /** Whether the body frame is snappy-compressed on the wire. */
  public boolean compressed() {
    return compressed;
  }

  /** Whether this message and a request have the same method, order key (with its type) and seq. */
  public boolean answers(RpcMessage request) {
    return seq == request.seq && method.equals(request.method) && orderKey.equals(request.orderKey);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RpcMessage m
        && type == m.type
        && seq == m.seq
        && compressed == m.compressed
        && method.equals(m.method)
        && orderKey.equals(m.orderKey)
        && Objects.equals(metadata, m.metadata)
        && Arrays.equals(body, m.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, method, orderKey, seq, compressed) * 31 + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder(type.name())
            .append('(')
            .append(method)
            .append(", okey=")
            .append(orderKey)
            .append(", seq=")
            .append(seq);
    if (metadata != null && !metadata.isEmpty()) {
      s.append(", meta=").append(metadata.get(0));
    }
    if (body != null) {
      s.append(", body=").append(body.length).append(" bytes");
      if (body.length <= 32) {
        s.append(" '").append(new String(body, StandardCharsets.ISO_8859_1)).append('\'');
      }
    }
    if (compressed) {
      s.append(", zip");
    }
    return s.append(')').toString();
  }
}
