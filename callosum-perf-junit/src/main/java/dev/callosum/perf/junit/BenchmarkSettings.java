package dev.callosum.perf.junit;

import dev.callosum.perf.Placement;
import dev.callosum.perf.load.ClosedLoad;
import dev.callosum.perf.load.OpenLoad;
import dev.callosum.perf.measurement.CpuSplit;
import dev.callosum.perf.measurement.Quantities;
import dev.callosum.perf.report.ReportSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * The {@code callosum.perf.*} settings, from system properties or {@code
 * junit-platform.properties}, read once per run. A wrong value fails the benchmarks that need it,
 * naming the setting and what it takes.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th><th>what</th></tr>
 *   <tr><td>callosum.perf.quick</td><td>false</td><td>shrink every count: 1 iteration, 10 %
 *       of the requests</td></tr>
 *   <tr><td>callosum.perf.iterations</td><td>3</td><td>measured iterations per benchmark</td></tr>
 *   <tr><td>callosum.perf.warmups</td><td>1</td><td>warm-up iterations, not measured</td></tr>
 *   <tr><td>callosum.perf.budgetScale</td><td>1.0</td><td>multiplies latency budgets, divides
 *       throughput budgets</td></tr>
 *   <tr><td>callosum.perf.budgetScale.PLACEMENT</td><td>1.0</td><td>the same for servers of one
 *       placement ({@code budgetScale.python}), on top of {@code budgetScale}</td></tr>
 *   <tr><td>callosum.perf.budgetsOff.PLACEMENT</td><td>none</td><td>benchmarks (names, comma
 *       separated) whose budgets are not judged against servers of that placement</td></tr>
 *   <tr><td>callosum.perf.target</td><td>none</td><td>run against this server (tcp://host:port)
 *       instead of starting one</td></tr>
 *   <tr><td>callosum.perf.placement</td><td>the annotation's, else in-jvm</td><td>where started
 *       servers run: in-jvm, forked (a JVM of their own), external (the server command) or
 *       python (the bundled Python Callosum server); when set, it overrides {@code
 *       @RpcBenchmark(placement = ...)}</td></tr>
 *   <tr><td>callosum.perf.python</td><td>python3, else /usr/bin/python3</td><td>for python: the
 *       interpreter, which must import callosum</td></tr>
 *   <tr><td>callosum.perf.server.command</td><td>none</td><td>for external: the command that
 *       starts a server, with {port}, such as {@code python3 server.py --port {port}}</td></tr>
 *   <tr><td>callosum.perf.server.ready</td><td>none</td><td>for external: text in its output that
 *       says it is ready (else: when the port accepts connections)</td></tr>
 *   <tr><td>callosum.perf.outputDir</td><td>benchmark-results</td><td>where JSON results, the
 *       summary page and profiles go</td></tr>
 *   <tr><td>callosum.perf.format</td><td>both</td><td>html, json or both</td></tr>
 *   <tr><td>callosum.perf.profiling</td><td>false (true under -Pperf)</td><td>a profile per
 *       benchmark, from one more iteration after each run's measured ones</td></tr>
 *   <tr><td>callosum.perf.server.profiler</td><td>async-profiler for a forked server when
 *       profiling, else none</td><td>a command run beside the profiled iteration of a server in
 *       another process, with {pid}, {out} and {seconds}; or async-profiler (JVM servers)</td></tr>
 *   <tr><td>callosum.perf.server.profiler.required</td><td>false</td><td>whether a failing
 *       server profiler fails the benchmark</td></tr>
 *   <tr><td>callosum.perf.baseline</td><td>none</td><td>a previous run's JSON results to compare
 *       with</td></tr>
 *   <tr><td>callosum.perf.baseline.warn / .fail</td><td>10 / 25</td><td>percent of change
 *       against the baseline that warns / fails</td></tr>
 *   <tr><td>callosum.perf.rawSamples</td><td>false</td><td>every latency sample in the JSON
 *       results</td></tr>
 *   <tr><td>callosum.perf.stallLimit</td><td>10s</td><td>how long a live server may answer
 *       nothing while calls wait before its benchmark fails as hung</td></tr>
 *   <tr><td>callosum.perf.cpus</td><td>split</td><td>split: a server this run starts gets the
 *       upper half of the CPUs, the load generator the lower half, while each benchmark runs;
 *       shared: both wherever the kernel puts them</td></tr>
 *   <tr><td>callosum.perf.batchIoThreads</td><td>true</td><td>this JVM's ZeroMQ I/O threads run
 *       as Linux {@code SCHED_BATCH} during measured iterations that follow a warm-up, so that
 *       waking one never preempts its waker (see {@code BatchPolicy}); false: never</td></tr>
 *   <tr><td>callosum.perf.idleJit</td><td>true</td><td>the JIT's compiler threads (this JVM's,
 *       a forked server's) run as Linux {@code SCHED_IDLE} during measured iterations that
 *       follow a warm-up, so that a thread woken where one compiles runs at once (see {@code
 *       IdleJit}); false: never</td></tr>
 *   <tr><td>callosum.perf.list</td><td>false</td><td>list the benchmarks a run would run, and
 *       run none</td></tr>
 * </table>
 *
 * @param quick whether quick mode is on
 * @param iterations measured iterations per benchmark
 * @param warmups warm-up iterations per benchmark
 * @param budgetScale the budget scale
 * @param target the remote target, or {@code null}
 * @param placement where started servers run, or {@code null} when the setting is absent (then
 *     {@code @RpcBenchmark(placement)} decides, in-jvm by default)
 * @param serverCommand the external server command, or {@code null}
 * @param serverReady the external server's readiness text, empty for none
 * @param python the Python interpreter for placement python, or {@code null} to look for one
 * @param placementScales the budget scale of each placement that has one ({@code
 *     callosum.perf.budgetScale.python}), applied on top of {@code budgetScale}
 * @param budgetsOff for each placement that has some, the benchmarks whose budgets are not judged
 *     there ({@code callosum.perf.budgetsOff.python}): names as reports write them, or their
 *     beginnings (a method's name covers all its invocations)
 * @param reports what the run writes and compares
 * @param list whether to list the benchmarks instead of running them
 * @param stallLimit how long a server that is alive may answer nothing while calls wait before the
 *     benchmark fails, saying so
 * @param cpus whether a started server and the load generator run on CPUs of their own
 * @param batchIoThreads whether this JVM's ZeroMQ I/O threads run as {@code SCHED_BATCH} while
 *     measured iterations after a warm-up run
 * @param idleJit whether the JIT's compiler threads (this JVM's, a forked server's) run as {@code
 *     SCHED_IDLE} while measured iterations after a warm-up run
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record BenchmarkSettings(
    boolean quick,
    int iterations,
    int warmups,
    double budgetScale,
    String target,
    Placement placement,
    String serverCommand,
    String serverReady,
    String python,
    Map<Placement, Double> placementScales,
    Map<Placement, List<String>> budgetsOff,
    ReportSettings reports,
    boolean list,
    Duration stallLimit,
    CpuSplit.Mode cpus,
    boolean batchIoThreads,
    boolean idleJit) {

  public static final String PREFIX = "callosum.perf.";

  /** Quick mode runs this share of every request count. */
  public static final double QUICK_SHARE = 0.1;

  /**
   * Reads the settings through a lookup such as JUnit's configuration parameters.
   *
   * @throws IllegalArgumentException for a wrong value, naming the setting and what it accepts
   */
  public static BenchmarkSettings read(Function<String, Optional<String>> lookup) {
    boolean quick = parse(lookup, "quick", "false", "true or false", BenchmarkSettings::bool);
    int iterations =
        parse(
            lookup,
            "iterations",
            quick ? "1" : "3",
            "a whole number >= 1",
            v -> positive(Integer.parseInt(v.trim())));
    int warmups =
        parse(
            lookup,
            "warmups",
            "1",
            "a whole number >= 0",
            v -> {
              int n = Integer.parseInt(v.trim());
              if (n < 0) {
                throw new IllegalArgumentException();
              }
              return n;
            });
    double scale =
        parse(lookup, "budgetScale", "1.0", "a number > 0, such as 1.5", BenchmarkSettings::scale);
    String target =
        parse(
            lookup,
            "target",
            "",
            "an address such as tcp://127.0.0.1:5020",
            v -> {
              String t = v.trim();
              if (!t.isEmpty() && !t.matches("tcp://[^:/\\s]+:\\d{1,5}")) {
                throw new IllegalArgumentException();
              }
              return t;
            });
    Placement placement =
        parse(
            lookup,
            "placement",
            "",
            "in-jvm, forked, external or python",
            v ->
                switch (v.trim().toLowerCase(Locale.ROOT)) {
                  case "" -> null;
                  case "in-jvm" -> Placement.IN_JVM;
                  case "forked" -> Placement.FORKED;
                  case "external" -> Placement.EXTERNAL;
                  case "python" -> Placement.PYTHON;
                  default -> throw new IllegalArgumentException();
                });
    String command = lookup.apply(PREFIX + "server.command").map(String::trim).orElse("");
    if (placement == Placement.EXTERNAL && !command.contains("{port}")) {
      throw new IllegalArgumentException(
          "setting "
              + PREFIX
              + "placement is 'external', so "
              + PREFIX
              + "server.command must be a command with {port}, such as 'python3 server.py"
              + " --port {port}'; it is '"
              + command
              + "'");
    }
    String ready = lookup.apply(PREFIX + "server.ready").orElse("");
    String python =
        lookup.apply(PREFIX + "python").map(String::trim).filter(v -> !v.isEmpty()).orElse(null);
    return new BenchmarkSettings(
        quick,
        iterations,
        warmups,
        scale,
        target.isEmpty() ? null : target,
        placement,
        command.isEmpty() ? null : command,
        ready,
        python,
        placementScales(lookup),
        budgetsOff(lookup),
        reports(lookup),
        parse(lookup, "list", "false", "true or false", BenchmarkSettings::bool),
        parse(
            lookup,
            "stallLimit",
            "10s",
            "a duration of at least 1 s, such as 10s or 1m",
            v -> {
              Duration d = Quantities.duration(v);
              if (d.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException();
              }
              return d;
            }),
        parse(lookup, "cpus", "split", "split or shared", CpuSplit.Mode::parse),
        parse(lookup, "batchIoThreads", "true", "true or false", BenchmarkSettings::bool),
        parse(lookup, "idleJit", "true", "true or false", BenchmarkSettings::bool));
  }

  private static Map<Placement, Double> placementScales(Function<String, Optional<String>> lookup) {
    Map<Placement, Double> scales = new EnumMap<>(Placement.class);
    for (Placement placement : Placement.values()) {
      double scale =
          parse(
              lookup,
              "budgetScale." + placement.label(),
              "1.0",
              "a number > 0, such as 4",
              BenchmarkSettings::scale);
      if (scale != 1.0) {
        scales.put(placement, scale);
      }
    }
    return Map.copyOf(scales);
  }

  private static Map<Placement, List<String>> budgetsOff(
      Function<String, Optional<String>> lookup) {
    Map<Placement, List<String>> off = new EnumMap<>(Placement.class);
    for (Placement placement : Placement.values()) {
      List<String> names =
          lookup
              .apply(PREFIX + "budgetsOff." + placement.label())
              .map(
                  v ->
                      Arrays.stream(v.split(","))
                          .map(String::strip)
                          .filter(n -> !n.isEmpty())
                          .toList())
              .orElse(List.of());
      if (!names.isEmpty()) {
        off.put(placement, names);
      }
    }
    return Map.copyOf(off);
  }

  /**
   * The setting that turns off the budgets of the named benchmark for servers of this placement, as
   * {@code callosum.perf.budgetsOff.python=LatencyBenchmarks.underLoad 5000 req/s}; empty if none
   * does. An entry covers the benchmark of that name and those whose names start with it and a
   * space or an opening bracket.
   */
  public Optional<String> budgetsOff(Placement placement, String benchmark) {
    for (String entry : budgetsOff.getOrDefault(placement, List.of())) {
      if (benchmark.equals(entry)
          || benchmark.startsWith(entry + " ")
          || benchmark.startsWith(entry + "(")
          || benchmark.startsWith(entry + "[")) {
        return Optional.of(PREFIX + "budgetsOff." + placement.label() + " ('" + entry + "')");
      }
    }
    return Optional.empty();
  }

  private static double scale(String v) {
    double d = Double.parseDouble(v.trim());
    if (!(d > 0) || Double.isInfinite(d)) {
      throw new IllegalArgumentException();
    }
    return d;
  }

  /**
   * The budget scale for a benchmark whose server runs there: {@code budgetScale} times the
   * placement's own ({@code budgetScale.python}, ...).
   */
  public double budgetScale(Placement placement) {
    return budgetScale * placementScales.getOrDefault(placement, 1.0);
  }

  private static ReportSettings reports(Function<String, Optional<String>> lookup) {
    ReportSettings d = ReportSettings.defaults();
    Path output =
        parse(
            lookup,
            "outputDir",
            d.outputDirectory().toString(),
            "a directory path",
            v -> {
              if (v.isBlank()) {
                throw new IllegalArgumentException();
              }
              return Path.of(v.trim());
            });
    String format =
        parse(
            lookup,
            "format",
            "both",
            "html, json or both",
            v -> {
              String f = v.trim().toLowerCase(Locale.ROOT);
              if (!f.equals("html") && !f.equals("json") && !f.equals("both")) {
                throw new IllegalArgumentException();
              }
              return f;
            });
    boolean profiling =
        parse(lookup, "profiling", "false", "true or false", BenchmarkSettings::bool);
    Path baseline =
        parse(
            lookup,
            "baseline",
            "",
            "the path of a benchmark-results JSON file",
            v -> {
              if (v.isBlank()) {
                return null;
              }
              Path path = Path.of(v.trim());
              if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException();
              }
              return path;
            });
    double warn =
        parse(
            lookup,
            "baseline.warn",
            "10",
            "a percentage > 0, such as 10",
            BenchmarkSettings::percent);
    double fail =
        parse(
            lookup,
            "baseline.fail",
            "25",
            "a percentage > 0 and at least the warning's (" + Math.round(warn * 100) + ")",
            v -> {
              double p = percent(v);
              if (p < warn) {
                throw new IllegalArgumentException();
              }
              return p;
            });
    boolean raw = parse(lookup, "rawSamples", "false", "true or false", BenchmarkSettings::bool);
    String serverProfiler =
        parse(
            lookup,
            "server.profiler",
            "",
            "'async-profiler' or a command with {pid}, such as 'py-spy record -p {pid} -o"
                + " {out}.svg -d {seconds}'",
            v -> {
              String c = v.strip();
              if (!c.isEmpty() && !c.equals("async-profiler") && !c.contains("{pid}")) {
                throw new IllegalArgumentException();
              }
              return c.isEmpty() ? null : c;
            });
    boolean required =
        parse(
            lookup, "server.profiler.required", "false", "true or false", BenchmarkSettings::bool);
    return new ReportSettings(
        output,
        !format.equals("json"),
        !format.equals("html"),
        profiling,
        baseline,
        warn,
        fail,
        raw,
        serverProfiler,
        required);
  }

  private static boolean bool(String v) {
    if (!v.trim().equalsIgnoreCase("true") && !v.trim().equalsIgnoreCase("false")) {
      throw new IllegalArgumentException();
    }
    return Boolean.parseBoolean(v.trim());
  }

  private static double percent(String v) {
    double p = Double.parseDouble(v.trim().replace("%", ""));
    if (!(p > 0) || Double.isInfinite(p)) {
      throw new IllegalArgumentException();
    }
    return p / 100;
  }

  /**
   * Where servers run for a benchmark whose annotation says {@code annotated}: the setting wins.
   */
  public Placement placementOr(Placement annotated) {
    return placement != null ? placement : annotated;
  }

  /** A closed load as this run makes it: in quick mode, a tenth of its requests or duration. */
  public ClosedLoad applyTo(ClosedLoad load) {
    return quick ? load.shrunk(QUICK_SHARE) : load;
  }

  /** An open load as this run makes it: in quick mode, a tenth of its duration (at least 1 s). */
  public OpenLoad applyTo(OpenLoad load) {
    return quick ? load.shrunk(QUICK_SHARE) : load;
  }

  private static <T> T parse(
      Function<String, Optional<String>> lookup,
      String name,
      String fallback,
      String accepted,
      Function<String, T> parser) {
    String raw = lookup.apply(PREFIX + name).orElse(fallback);
    try {
      return parser.apply(raw);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT, "setting %s%s is '%s'; it takes %s", PREFIX, name, raw, accepted));
    }
  }

  private static int positive(int n) {
    if (n < 1) {
      throw new IllegalArgumentException();
    }
    return n;
  }
}
