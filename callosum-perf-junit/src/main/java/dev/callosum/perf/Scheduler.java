package dev.callosum.perf;

import org.apiguardian.api.API;

/**
 * How a server orders the handlers of the requests it receives (WIRE.md §6).
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public enum Scheduler {
  /**
   * Every handler starts at once; replies leave as handlers finish. A CANCEL has no effect, as in
   * Python's {@code ExitOrderedAsyncScheduler}. The default.
   */
  EXIT_ORDERED("ExitOrdered"),
  /**
   * Requests that share an order key run one at a time, in arrival order, across all clients;
   * requests with no key all share the empty key. A CANCEL cancels the handler, or removes the
   * request from its queue, and is answered CANCELLED, as in Python's {@code
   * KeySerializedAsyncScheduler}.
   */
  KEY_SERIALIZED("KeySerialized");

  private final String displayName;

  Scheduler(String displayName) {
    this.displayName = displayName;
  }

  /** The short name used in reports: {@code ExitOrdered} or {@code KeySerialized}. */
  public String displayName() {
    return displayName;
  }

  /** {@code exit-ordered} or {@code key-serialized}: as command-line options write it. */
  public String option() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** Parses {@code EXIT_ORDERED}, {@code exit-ordered}, {@code ExitOrdered} and the like. */
  public static Scheduler parse(String text) {
    String norm = text.trim().replace("-", "").replace("_", "").toLowerCase(java.util.Locale.ROOT);
    for (Scheduler s : values()) {
      if (s.displayName.toLowerCase(java.util.Locale.ROOT).equals(norm)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown scheduler '" + text + "'; expected ExitOrdered or KeySerialized");
  }

  @Override
  public String toString() {
    return displayName;
  }
}
