package dev.callosum.perf.peer;

import java.util.Set;
import org.apiguardian.api.API;

/**
 * Decides which CURVE clients a server admits, as Python's {@code check_client(domain, key)} does.
 * It runs on the server's I/O thread during the ZAP handshake, so it must be quick.
 *
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
@FunctionalInterface
public interface ClientAuthenticator {

  /**
   * Whether to admit a client.
   *
   * @param domain the server's ZAP domain
   * @param clientPublicKey the client's public key, 40 Z85 characters
   */
  boolean admits(String domain, String clientPublicKey);

  /** Admits exactly the listed public keys (Z85). */
  static ClientAuthenticator allowing(Set<String> publicKeys) {
    Set<String> allowed = Set.copyOf(publicKeys);
    return (domain, key) -> allowed.contains(key);
  }
}
