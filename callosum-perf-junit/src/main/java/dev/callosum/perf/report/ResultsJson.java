package dev.callosum.perf.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.baseline.Comparison;
import dev.callosum.perf.budgets.Budgets;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.Quantities;
import dev.callosum.perf.measurement.ServerResources;
import dev.callosum.perf.measurement.Statistics;
import dev.callosum.perf.measurement.TimeSeries;
import dev.callosum.perf.profile.ProfileSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apiguardian.api.API;

/**
 * The run as JSON: {@code benchmark-results-YYYYMMDD-HHMMSS.json}, described by {@code
 * benchmark-results.schema.json} (schema version {@value #VERSION}). Latencies are in nanoseconds,
 * rates in requests per second, sizes in bytes.
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class ResultsJson {
  /** The schema's name, in every file's {@code schema} field. */
  public static final String SCHEMA = "callosum-perf/benchmark-results";

  /** The schema version, in every file's {@code schemaVersion} field. */
  // 2: serverResources, …; 3: profile cpuSampling and parts; 5: profiledIteration, profile
  // iterations
  public static final int VERSION = 5;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final double[] PERCENTILES = {50, 90, 95, 99, 99.9, 99.99};

  private ResultsJson() {}

  /** Writes the run to {@code file}. */
  public static void write(RunReport run, Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      MAPPER.writeValue(file.toFile(), toJson(run));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the JSON results " + file, e);
    }
  }

  /** The run as a JSON tree. */
  public static ObjectNode toJson(RunReport run) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schema", SCHEMA);
    root.put("schemaVersion", VERSION);
    ObjectNode info = root.putObject("run");
    info.put("started", run.started().toString());
    info.put("finished", run.finished().toString());
    info.put("durationSeconds", run.seconds());
    info.set("settings", MAPPER.valueToTree(run.settings()));
    info.set("environment", MAPPER.valueToTree(run.environment()));
    List<SystemsUnderTest.Entry> suts = SystemsUnderTest.of(run.records());
    ArrayNode sutNodes = info.putArray("systemUnderTest");
    suts.forEach(e -> sutNodes.add(MAPPER.valueToTree(e)));
    String shared = SystemsUnderTest.sharedCoresWarning(suts, run.environment().get("cores"));
    if (shared != null) {
      info.put("sharedCoresWarning", shared);
    }
    ObjectNode counts = info.putObject("outcomes");
    for (BenchmarkRecord.Outcome o : BenchmarkRecord.Outcome.values()) {
      counts.put(
          o.name().toLowerCase(Locale.ROOT),
          run.records().stream().filter(r -> r.outcome() == o).count());
    }
    ArrayNode benchmarks = root.putArray("benchmarks");
    for (BenchmarkRecord record : run.records()) {
      benchmarks.add(benchmark(record, run.outputDirectory()));
    }
    return root;
  }

  /** One benchmark as JSON, as in the file (also attached to its Allure test). */
  public static ObjectNode benchmark(BenchmarkRecord r, Path relativeTo) {
    ObjectNode b = MAPPER.createObjectNode();
    b.put("id", r.id());
    b.put("class", r.className());
    b.put("method", r.method());
    b.put("displayName", r.displayName());
    b.put("testUniqueId", r.testUniqueId());
    b.put("family", r.family());
    b.set("tags", MAPPER.valueToTree(r.tags()));
    b.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
    if (r.failure() != null) {
      b.put("failure", r.failure());
    }
    BenchmarkResult result = r.result();
    if (result != null) {
      result.cutShort().ifPresent(why -> b.put("partial", why));
      b.set("parameters", MAPPER.valueToTree(result.parameters()));
      b.put("loop", result.closedLoop() ? "closed" : "open");
      b.put("server", result.server());
      b.set("metrics", metrics(result));
      ArrayNode iterations = b.putArray("iterations");
      for (LoadResult i : result.iterations()) {
        iterations.add(iteration(i));
      }
      result.profiledIteration().ifPresent(i -> b.set("profiledIteration", iteration(i)));
      b.put("latencyHistogram", encode(result.latencyHistogram()));
    }
    ArrayNode budgets = b.putArray("budgets");
    for (Budgets.Verdict v : r.budgets()) {
      budgets
          .addObject()
          .put("metric", v.metric())
          .put("budget", v.budget())
          .put("measured", v.measured())
          .put("kept", v.kept())
          .put("message", v.message());
    }
    if (r.baseline() != null) {
      b.set("baseline", baseline(r.baseline()));
    }
    if (r.profile() != null) {
      b.set("profile", profile(r.profile(), relativeTo));
    }
    if (result != null) {
      result
          .serverProfile()
          .ifPresent(
              p -> {
                ObjectNode sp = b.putObject("serverProfile");
                sp.put("how", p.how());
                ArrayNode files = sp.putArray("files");
                p.files().forEach(f -> files.add(relative(f, relativeTo)));
                ArrayNode problems = sp.putArray("problems");
                p.problems().forEach(problems::add);
              });
    }
    if (!r.notes().isEmpty()) {
      ArrayNode notes = b.putArray("notes");
      r.notes().forEach(n -> notes.addObject().put("title", n.title()).put("text", n.text()));
    }
    if (r.serverState() != null) {
      b.putObject("serverState")
          .put("requests", r.serverState().requests())
          .put("replies", r.serverState().replies())
          .put("malformed", r.serverState().malformed())
          .put("pending", r.serverState().pending())
          .put("keyQueues", r.serverState().keyQueues());
    }
    return b;
  }

  private static ObjectNode metrics(BenchmarkResult result) {
    ObjectNode m = MAPPER.createObjectNode();
    m.put("requests", result.requests());
    m.put("samples", result.samples());
    ObjectNode errors = m.putObject("errors");
    result.errors().forEach((kind, n) -> errors.put(kind.name().toLowerCase(Locale.ROOT), n));
    m.put("errorRatio", result.errorRatio());
    m.set("throughput", statistics(result.throughputStatistics()));
    m.put("mebibytesSentPerSecond", result.mebibytesSentPerSecond());
    m.put("mebibytesReceivedPerSecond", result.mebibytesReceivedPerSecond());
    m.set("latencyNanos", latency(result.latencyHistogram()));
    result
        .processCpuTime()
        .ifPresent(
            cpu -> {
              m.put("processCpuSeconds", cpu.toNanos() / 1e9);
              if (Double.isFinite(result.cpuMicrosPerRequest())) {
                m.put("cpuMicrosPerRequest", result.cpuMicrosPerRequest());
              }
            });
    if (Double.isFinite(result.loadGeneratorCpuMicrosPerRequest())) {
      m.put("loadGeneratorCpuMicrosPerRequest", result.loadGeneratorCpuMicrosPerRequest());
    }
    result
        .serverResources()
        .ifPresent(
            server -> {
              ObjectNode sut = m.putObject("serverResources");
              sut.put("source", server.source());
              sut.put("inThisJvm", server.inThisJvm());
              if (server.cpuNanos() >= 0) {
                sut.put("cpuSeconds", server.cpuNanos() / 1e9);
                sut.put("cpuMicrosPerRequest", result.serverCpuMicrosPerRequest());
              }
              if (server.lastRssBytes() >= 0) {
                var rss = sut.putArray("rssBytesByIteration");
                server.rssBytes().forEach(rss::add);
              }
              if (server.peakRssBytes() >= 0) {
                sut.put("peakRssBytes", server.peakRssBytes());
              }
              if (server.threads() >= 0) {
                sut.put("threads", server.threads());
              }
              server.possibleLeak().ifPresent(leak -> sut.put("possibleLeak", leak));
              ArrayNode intervals = sut.putArray("intervals");
              for (ServerResources.Interval i : server.intervals()) {
                ObjectNode n = intervals.addObject();
                n.put("iteration", i.iteration());
                n.put("endSeconds", i.endSeconds());
                if (Double.isFinite(i.cpuCores())) {
                  n.put("cpuCores", i.cpuCores());
                }
                if (i.rssBytes() >= 0) {
                  n.put("rssBytes", i.rssBytes());
                }
              }
            });
    if (!result.closedLoop()) {
      m.put("targetRate", result.targetRate());
      m.put("sendRate", result.sendRate());
      m.put("lateSends", result.lateSends());
      m.put("lateShare", result.lateShare());
      m.put("loadLimit", result.limit() == LoadResult.Limit.NONE ? "none" : result.limit().label());
    }
    Histogram handshake = result.handshakeHistogram();
    if (handshake.getTotalCount() > 0) {
      m.set("handshakeNanos", latency(handshake));
    }
    result
        .hiccups()
        .ifPresent(
            h -> {
              ObjectNode hiccups = m.putObject("machineHiccups");
              hiccups.set("stallNanos", latency(h.stallHistogram()));
              hiccups.set("wakeUpNanos", latency(h.wakeUpHistogram()));
            });
    return m;
  }

  private static ObjectNode iteration(LoadResult i) {
    ObjectNode it = MAPPER.createObjectNode();
    it.put("requests", i.requests());
    it.put("errors", i.errorCount());
    it.put("elapsedSeconds", i.elapsed().toNanos() / 1e9);
    it.put("throughput", i.throughput());
    it.set("latencyNanos", latency(i.latencyHistogram()));
    i.rawSamples()
        .ifPresent(
            raw -> {
              ObjectNode samples = it.putObject("rawSamples");
              ArrayNode sent = samples.putArray("sentAtNanos");
              ArrayNode took = samples.putArray("latencyNanos");
              for (int k = 0; k < raw.size(); k++) {
                sent.add(raw.sentAt(k));
                took.add(raw.latency(k));
              }
            });
    ArrayNode series = it.putArray("timeSeries");
    for (TimeSeries.Point p : i.timeSeries().points()) {
      series
          .addObject()
          .put("endSeconds", p.endSeconds())
          .put("seconds", p.seconds())
          .put("calls", p.calls())
          .put("throughput", p.throughput())
          .put("p99Nanos", p.p99Nanos())
          .put("maxNanos", p.maxNanos());
    }
    return it;
  }

  private static ObjectNode latency(Histogram h) {
    ObjectNode l = MAPPER.createObjectNode();
    l.put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return l;
    }
    l.put("min", h.getMinValue());
    l.put("mean", h.getMean());
    for (double p : PERCENTILES) {
      l.put(Quantities.percentile(p), h.getValueAtPercentile(p));
    }
    l.put("max", h.getMaxValue());
    return l;
  }

  private static ObjectNode statistics(Statistics s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("mean", s.mean());
    n.put("count", s.count());
    n.put("stdev", s.stdev());
    if (Double.isFinite(s.ci95())) {
      n.put("ci95", s.ci95());
    } else {
      n.putNull("ci95");
    }
    return n;
  }

  private static ObjectNode baseline(Comparison c) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("file", c.baseline());
    n.put("verdict", c.verdict().name().toLowerCase(Locale.ROOT));
    ArrayNode changes = n.putArray("changes");
    for (Comparison.Change ch : c.changes()) {
      ObjectNode o =
          changes
              .addObject()
              .put("metric", ch.metric())
              .put("baseline", ch.baseline())
              .put("current", ch.current())
              .put("change", ch.change());
      if (Double.isFinite(ch.noise())) {
        o.put("noise", ch.noise());
      } else {
        o.putNull("noise");
      }
      o.put("verdict", ch.verdict().name().toLowerCase(Locale.ROOT)).put("sentence", ch.sentence());
    }
    return n;
  }

  private static ObjectNode profile(ProfileSummary p, Path relativeTo) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("jfr", relative(p.jfr(), relativeTo));
    if (p.flameGraph() != null) {
      n.put("flameGraph", relative(p.flameGraph(), relativeTo));
    }
    n.put("seconds", p.seconds());
    n.put("iterations", p.iterations());
    n.put("cpuSampling", p.cpuSampling());
    ArrayNode parts = n.putArray("parts");
    for (ProfileSummary.CpuProfile part : p.parts()) {
      ObjectNode o = parts.addObject();
      o.put("whose", part.whose());
      o.put("threads", part.threads());
      o.put("samples", part.samples());
      if (part.flameGraph() != null) {
        o.put("flameGraph", relative(part.flameGraph(), relativeTo));
      }
      o.set("topFrames", entries(part.topFrames(), "samples"));
      o.set("ownFrames", entries(part.ownFrames(), "samples"));
    }
    ProfileSummary.WallClock wall = p.wallClock();
    if (wall != null) {
      ObjectNode w = n.putObject("wallClock");
      w.put("sampling", wall.sampling());
      w.put("samples", wall.samples());
      if (wall.flameGraph() != null) {
        w.put("flameGraph", relative(wall.flameGraph(), relativeTo));
      }
      ArrayNode threads = w.putArray("threads");
      for (ProfileSummary.Threads t : wall.threads()) {
        threads
            .addObject()
            .put("name", t.name())
            .put("whose", t.whose())
            .put("count", t.count())
            .put("samples", t.samples())
            .set("where", entries(t.where(), "samples"));
      }
    }
    n.put("cpuSamples", p.cpuSamples());
    n.put("nativeSamples", p.nativeSamples());
    n.put("processCpuSeconds", p.processCpuNanos() / 1e9);
    n.set("topMethods", entries(p.topMethods(), "samples"));
    n.set("topNativeMethods", entries(p.topNativeMethods(), "samples"));
    n.set("ownMethods", entries(p.ownMethods(), "samples"));
    ObjectNode alloc = n.putObject("allocation");
    alloc.put("totalBytes", p.allocation().totalBytes());
    if (Double.isFinite(p.allocation().bytesPerRequest())) {
      alloc.put("bytesPerRequest", p.allocation().bytesPerRequest());
    } else {
      alloc.putNull("bytesPerRequest");
    }
    alloc.set("topSites", entries(p.allocation().topSites(), "bytes"));
    n.putObject("heap")
        .put("startUsedBytes", p.heap().startUsedBytes())
        .put("peakUsedBytes", p.heap().peakUsedBytes())
        .put("endUsedBytes", p.heap().endUsedBytes())
        .put("growthBytes", p.heap().growthBytes())
        .put("collections", p.heap().collections())
        .put("gcPauseSeconds", p.heap().gcPauseNanos() / 1e9);
    return n;
  }

  private static ArrayNode entries(List<ProfileSummary.Entry> entries, String unit) {
    ArrayNode a = MAPPER.createArrayNode();
    for (ProfileSummary.Entry e : entries) {
      a.addObject().put("name", e.name()).put(unit, e.weight()).put("share", e.share());
    }
    return a;
  }

  private static String relative(Path file, Path base) {
    try {
      return base.toAbsolutePath().relativize(file.toAbsolutePath()).toString();
    } catch (IllegalArgumentException e) {
      return file.toString();
    }
  }

  /** HdrHistogram's compressed form, Base64: {@code HistogramLogReader} and HdrHistogram tools. */
  private static String encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
  }

  /** A map as pretty JSON text. */
  static String pretty(Map<String, ?> map) {
    try {
      return MAPPER.writeValueAsString(map);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A tree as pretty JSON text. */
  public static String pretty(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
