package dev.callosum.perf;

import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;
import org.apiguardian.api.API;

/**
 * The server a result measured, as reports name it: where it ran, its address and process, and what
 * it says it is.
 *
 * @param placement where it ran
 * @param endpoint the address clients connected to
 * @param pid its process, or -1 for a server in this JVM or a remote one
 * @param identity what it says it is ({@code callosum 1.0.3 python 3.11.2}), or {@code null} when
 *     it says nothing
 * @param description its spec, placement, process and address in words
 * @param serverCpus the CPUs it had to itself, such as {@code 1}, or {@code null} when it shared
 *     them with the load generator ({@code callosum.perf.cpus})
 * @param loadGeneratorCpus the load generator's CPUs meanwhile, or {@code null} when shared
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record SystemUnderTest(
    Placement placement,
    String endpoint,
    long pid,
    String identity,
    String description,
    String serverCpus,
    String loadGeneratorCpus) {

  /** What reports know of this server, sharing CPUs with the load generator. */
  public static SystemUnderTest of(ManagedServer server) {
    OptionalLong pid = server.pid();
    return new SystemUnderTest(
        server.placement(),
        server.endpoint(),
        pid.isPresent() ? pid.getAsLong() : -1,
        server.identity().orElse(null),
        server.describe(),
        null,
        null);
  }

  /** The same server, measured on CPUs of its own ({@code "1"}) beside the load generator's. */
  public SystemUnderTest onCpus(String server, String loadGenerator) {
    return new SystemUnderTest(
        placement, endpoint, pid, identity, description, server, loadGenerator);
  }

  /**
   * Whether it took CPU from the load generator and the load generator from it: on this machine and
   * not on CPUs of its own.
   */
  public boolean sharesCpus() {
    return serverCpus == null && sharesThisMachine();
  }

  public Optional<String> identified() {
    return Optional.ofNullable(identity);
  }

  /**
   * Whether it runs on this machine, sharing its cores with the load generator: then the load
   * generator's CPU is taken from the server it measures. True for every placement but a remote
   * target on another host.
   */
  public boolean sharesThisMachine() {
    if (placement != Placement.REMOTE) {
      return true;
    }
    try {
      String host = URI.create(endpoint).getHost();
      return host == null
          || host.equals("localhost")
          || host.startsWith("127.")
          || host.equals("[::1]")
          || host.equals("::1");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
