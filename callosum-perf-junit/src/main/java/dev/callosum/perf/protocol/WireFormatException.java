package dev.callosum.perf.protocol;

import org.apiguardian.api.API;

/**
 * A frame that is not a well-formed Callosum message; the message says what was wrong with it.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public class WireFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public WireFormatException(String message) {
    super(message);
  }

  public WireFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
