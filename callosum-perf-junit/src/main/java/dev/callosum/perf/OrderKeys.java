package dev.callosum.perf;

import org.apiguardian.api.API;

/**
 * How a closed loop keys its requests: no key, one key shared by all clients, or one key per
 * client. Under {@link Scheduler#KEY_SERIALIZED} requests that share a key run one at a time.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public enum OrderKeys {
  NONE,
  SHARED,
  PER_CLIENT;

  /** {@code none}, {@code shared}, {@code per-client}: as the command line and reports write it. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
