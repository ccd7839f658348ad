package dev.callosum.perf.report;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.SystemUnderTest;
import java.util.ArrayList;
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
   * @param sharesThisMachine whether it shared this machine's cores with the load generator
   */
  public record Entry(
      String placement,
      String identity,
      int benchmarks,
      String example,
      boolean sharesThisMachine) {}

  /** The kinds of server the records measured, in the order first met. */
  public static List<Entry> of(List<BenchmarkRecord> records) {
    Map<List<Object>, Entry> kinds = new LinkedHashMap<>();
    for (BenchmarkRecord r : records) {
      SystemUnderTest sut = r.measured().flatMap(BenchmarkResult::systemUnderTest).orElse(null);
      if (sut == null) {
        continue;
      }
      String identity = sut.identified().orElse("not stated");
      List<Object> key = List.of(sut.placement(), identity, sut.sharesThisMachine());
      Entry seen = kinds.get(key);
      kinds.put(
          key,
          new Entry(
              sut.placement().label(),
              identity,
              seen == null ? 1 : seen.benchmarks() + 1,
              seen == null ? sut.description() : seen.example(),
              sut.sharesThisMachine()));
    }
    return new ArrayList<>(kinds.values());
  }

  /**
   * The warning a run deserves when a server shared this machine with the load generator, or null.
   */
  public static String sharedCoresWarning(List<Entry> entries, Object cores) {
    if (entries.stream().noneMatch(Entry::sharesThisMachine)) {
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
        + ")";
  }
}
