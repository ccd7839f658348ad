package dev.callosum.perf.peer;

import org.apiguardian.api.API;

/**
 * A request body encoded once and sent many times, made by {@link Connection#prepare}. Load
 * generators use it so that what they measure is the server, not their own encoding.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class PreparedBody {
  private final byte[] frame;
  private final int length;
  private final boolean compressed;

  PreparedBody(byte[] frame, int length, boolean compressed) {
    this.frame = frame;
    this.length = length;
    this.compressed = compressed;
  }

  byte[] frame() {
    return frame;
  }

  /** The body's length before encoding. */
  public int length() {
    return length;
  }

  /** Whether the frame is snappy-compressed. */
  public boolean compressed() {
    return compressed;
  }
}
