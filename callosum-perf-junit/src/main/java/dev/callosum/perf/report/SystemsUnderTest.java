package dev.callosum.perf.report;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.SystemUnderTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The servers a run measured, one entry per kind (placement and identity; each benchmark starts its
 * own, on its own port and process), for the "system under test" block of every report.
 *
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class SystemsUnderTest {
  private SystemsUnderTest() {}

  /**
   * One kind of server.
   *
   * @param placement where it ran ({@code in-jvm}, {@code forked}, {@code python}, …)
   * @param identity what it said it is, or "not stated"
   * @param benchmarks how many results measured one of them
   * @param example one of them in words: spec, process, address
   * @param sharesThisMachine whether it ran on this machine, beside the load generator
   * @param cpus its CPUs and the load generator's when each had its own ("server 1, load generator
   *     0"), or {@code null} when they shared them
   */
  public record Entry(
      String placement,
      String identity,
      int benchmarks,
      String example,
      boolean sharesThisMachine,
      String cpus) {

    /** Whether it and the load generator took CPU from each other. */
    public boolean sharesCpus() {
      return sharesThisMachine && cpus == null;
    }
  }

  /** The kinds of server the records measured, in the order first met. */
  public static List<Entry> of(List<BenchmarkRecord> records) {
    Map<List<Object>, Entry> kinds = new LinkedHashMap<>();
    for (BenchmarkRecord r : records) {
      SystemUnderTest sut = r.measured().flatMap(BenchmarkResult::systemUnderTest).orElse(null);
      if (sut == null) {
        continue;
      }
      String identity = sut.identified().orElse("not stated");
      String cpus =
          sut.serverCpus() == null
              ? null
              : "server " + sut.serverCpus() + ", load generator " + sut.loadGeneratorCpus();
      List<Object> key = Arrays.asList(sut.placement(), identity, sut.sharesThisMachine(), cpus);
      Entry seen = kinds.get(key);
      kinds.put(
          key,
          new Entry(
              sut.placement().label(),
              identity,
              seen == null ? 1 : seen.benchmarks() + 1,
              seen == null ? sut.description() : seen.example(),
              sut.sharesThisMachine(),
              cpus));
    }
    return new ArrayList<>(kinds.values());
  }

  /**
   * The warning a run deserves when a server shared this machine's CPUs with the load generator, or
   * null: servers on CPUs of their own ({@code callosum.perf.cpus=split}) do not.
   */
  public static String sharedCoresWarning(List<Entry> entries, Object cores) {
    if (entries.stream().noneMatch(Entry::sharesCpus)) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "The server under test and the load generator shared this machine's %s cores: CPU the"
            + " load generator used was taken from the server it measured, and either one's"
            + " stalls show in the other's numbers. For figures of the server alone, run it on"
            + " another host (callosum.perf.target).",
        Objects.toString(cores, "?"));
  }

  /** One line per kind, as the console and Allure's environment write it. */
  public static String line(Entry e) {
    return e.placement()
        + ": "
        + e.identity()
        + " ("
        + e.benchmarks()
        + (e.benchmarks() == 1 ? " result" : " results")
        + "; e.g. "
        + e.example()
        + (e.cpus() == null ? "" : "; on CPUs of its own: " + e.cpus())
        + ")";
  }
}
