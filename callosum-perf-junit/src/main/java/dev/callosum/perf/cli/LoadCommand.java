package dev.callosum.perf.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.callosum.perf.OrderKeys;
import dev.callosum.perf.Payload;
import dev.callosum.perf.load.ClosedLoad;
import dev.callosum.perf.load.ClosedLoop;
import dev.callosum.perf.measurement.Environment;
import dev.callosum.perf.measurement.LoadResult;
import dev.callosum.perf.measurement.Quantities;
import dev.callosum.perf.peer.ClientConfig;
import dev.callosum.perf.peer.CurveKeyPair;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code load}: a closed-loop load against a server, printed as one JSON document. */
final class LoadCommand {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private LoadCommand() {}

  static int run(String[] argv, PrintStream out) {
    Args args = new Args("load", argv, 1, Set.of("compress", "raw"));
    String target = args.required("target", "the server's address, such as tcp://127.0.0.1:5020");
    int clients = args.positiveInt("clients", 1);
    Payload payload = args.size("payload", "1KiB");
    int requests = args.positiveInt("requests", 10_000);
    int warmup = args.nonNegativeInt("warmup", Math.min(1000, requests / 10));
    String method = args.string("method", "echo");
    OrderKeys keys = orderKeys(args.string("order-keys", "none"));
    boolean raw = args.flag("raw");
    ClientConfig.Builder client =
        ClientConfig.builder(target)
            .compress(args.flag("compress"))
            .invokeTimeout(args.duration("timeout", Duration.ofSeconds(30)))
            .handshakeTimeout(args.duration("handshake-timeout", Duration.ofSeconds(5)));
    String serverKey = args.string("curve-server-key", null);
    String clientKeys = args.string("curve-keys", null);
    if ((serverKey == null) != (clientKeys == null)) {
      throw new Args.UsageException("CURVE needs both --curve-server-key and --curve-keys");
    }
    if (serverKey != null) {
      String key =
          Files.isRegularFile(Path.of(serverKey))
              ? ServerCommand.readKeys(Path.of(serverKey), "--curve-server-key").publicKey()
              : serverKey;
      CurveKeyPair mine = ServerCommand.readKeys(Path.of(clientKeys), "--curve-keys");
      try {
        client.curve(key, mine);
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new Args.UsageException(e.getMessage());
      }
    }
    args.rejectUnknown();

    ClosedLoad load =
        ClosedLoad.DEFAULT
            .clients(clients)
            .payload(payload)
            .requests(requests)
            .warmup(warmup)
            .method(method)
            .orderKeys(keys);
    LoadResult result =
        (raw ? ClosedLoop.rawZeroMq(target, load) : ClosedLoop.against(client.build(), load)).run();
    out.println(toJson(result, target, method, keys, raw, client.build()));
    return result.errorCount() == 0 ? 0 : 1;
  }

  private static OrderKeys orderKeys(String text) {
    return switch (text.toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "none" -> OrderKeys.NONE;
      case "shared" -> OrderKeys.SHARED;
      case "per-client" -> OrderKeys.PER_CLIENT;
      default ->
          throw new Args.UsageException(
              "--order-keys expects none, shared or" + " per-client, got '" + text + "'");
    };
  }

  static String toJson(
      LoadResult r,
      String target,
      String method,
      OrderKeys keys,
      boolean raw,
      ClientConfig client) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("target", target);
    doc.put("transport", raw ? "raw-zeromq" : "callosum");
    doc.put("loop", r.closedLoop() ? "closed" : "open");
    doc.put("method", method);
    doc.put("clients", r.clients());
    doc.put("payloadBytes", r.payloadBytes());
    doc.put("orderKeys", keys.label());
    doc.put("compress", client.compress());
    doc.put("curve", client.serverPublicKey() != null);
    doc.put("requests", r.requests());
    doc.put("errors", r.errors());
    doc.put("elapsedSeconds", r.elapsed().toNanos() / 1e9);
    doc.put("throughputPerSecond", round(r.throughput()));
    doc.put("mebibytesSentPerSecond", round(r.mebibytesSentPerSecond()));
    doc.put("mebibytesReceivedPerSecond", round(r.mebibytesReceivedPerSecond()));
    Map<String, Object> latency = new LinkedHashMap<>();
    for (double p : new double[] {50, 90, 95, 99, 99.9, 99.99}) {
      latency.put(Quantities.percentile(p), micros(r.percentile(p)));
    }
    latency.put("max", micros(r.maxLatency()));
    latency.put("mean", micros(r.meanLatency()));
    doc.put("latencyMicros", latency);
    doc.put(
        "handshakeMicros",
        Map.of(
            "p50", r.handshakeHistogram().getValueAtPercentile(50) / 1000.0,
            "max", r.handshakeHistogram().getMaxValue() / 1000.0));
    doc.put("environment", Environment.describe());
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double micros(Duration d) {
    return round(d.toNanos() / 1000.0);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
