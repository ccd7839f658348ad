package dev.callosum.perf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.peer.ClientConfig;
import dev.callosum.perf.peer.Connection;
import dev.callosum.perf.peer.CurveKeyPair;
import dev.callosum.perf.peer.RpcServer;
import dev.callosum.perf.peer.ServerConfig;
import dev.callosum.perf.protocol.OrderKey;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: its errors, and each command run for real. */
class MainTests {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... argv) {
    return Main.run(
        argv,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void noCommandPrintsTheUsage() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("usage: callosum-perf COMMAND");
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("server", "load", "compare", "keys");
  }

  @Test
  void wrongCommandLinesSayWhatIsWrong() {
    assertThat(run("serve")).isEqualTo(2);
    assertThat(err()).contains("unknown command 'serve'; expected server, load, compare or keys");
    assertThat(run("load")).isEqualTo(2);
    assertThat(err()).contains("--target is required");
    assertThat(run("load", "--target", "tcp://127.0.0.1:1", "--clients", "many")).isEqualTo(2);
    assertThat(err()).contains("--clients expects a positive whole number, got 'many'");
    assertThat(run("load", "--target", "tcp://127.0.0.1:1", "--payload", "1XB")).isEqualTo(2);
    assertThat(err()).contains("--payload: '1XB' is not a size");
    assertThat(run("load", "--target", "tcp://127.0.0.1:1", "--bogus", "1")).isEqualTo(2);
    assertThat(err()).contains("unknown option --bogus");
    assertThat(run("load", "--target", "tcp://127.0.0.1:1", "--timeout", "soon")).isEqualTo(2);
    assertThat(err()).contains("--timeout expects a duration like 500ms, 5s or 2m, got 'soon'");
    assertThat(run("server", "--scheduler", "fifo")).isEqualTo(2);
    assertThat(err()).contains("unknown scheduler 'fifo'; expected ExitOrdered or KeySerialized");
    assertThat(run("server", "--curve-allow", "x.key")).isEqualTo(2);
    assertThat(err()).contains("--curve-allow needs --curve-keys");
    assertThat(run("load", "--target", "tcp://127.0.0.1:1", "--order-keys", "some")).isEqualTo(2);
    assertThat(err()).contains("--order-keys expects none, shared or per-client");
    assertThat(run("compare", "--cpus", "half")).isEqualTo(2);
    assertThat(err())
        .contains(
            "--cpus: must be split (the server under test and the load generator on CPUs of"
                + " their own) or shared, not 'half'");
    assertThat(run("compare", "--batch-io-threads", "yes")).isEqualTo(2);
    assertThat(err()).contains("--batch-io-threads: true or false, not 'yes'");
    assertThat(run("compare", "--idle-jit", "off")).isEqualTo(2);
    assertThat(err()).contains("--idle-jit: true or false, not 'off'");
  }

  @Test
  void loadPrintsItsResultAsJson() throws Exception {
    try (RpcServer server = ServerConfig.builder().testHandlers().start()) {
      int status =
          run(
              "load",
              "--target",
              server.endpoint(),
              "--clients",
              "3",
              "--payload",
              "256B",
              "--requests",
              "300",
              "--warmup",
              "30");

      assertThat(status).as(err()).isZero();
      JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
      assertThat(json.get("transport").asText()).isEqualTo("callosum");
      assertThat(json.get("loop").asText()).isEqualTo("closed");
      assertThat(json.get("clients").asInt()).isEqualTo(3);
      assertThat(json.get("payloadBytes").asInt()).isEqualTo(256);
      assertThat(json.get("requests").asLong()).isEqualTo(300);
      assertThat(json.get("errors").size()).isZero();
      assertThat(json.get("throughputPerSecond").asDouble()).isPositive();
      assertThat(json.get("latencyMicros").get("p99").asDouble())
          .isGreaterThanOrEqualTo(json.get("latencyMicros").get("p50").asDouble());
      assertThat(json.get("environment").get("cores").asInt()).isPositive();
      assertThat(server.stats().requests()).isEqualTo(330);
    }
  }

  @Test
  void compareRunsEveryCaseAndSaysUnderWhatConditions() {
    assertThat(run("compare", "--requests", "200", "--rounds", "2")).isZero();
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("2 rounds per case")
        .contains("SCHED_BATCH after the warm-up, raw and Callosum alike (--batch-io-threads true)")
        .contains("JIT compiler threads: SCHED_IDLE after the warm-up (--idle-jit true)")
        .doesNotContain("note: ");
    assertThat(printed.lines().filter(l -> l.matches("^(1 KiB|64 KiB|1 MiB) x \\d+ clients? .*")))
        .as("one row per case")
        .hasSize(4)
        // the load generator's CPU per call, Callosum's then raw's, each a real measurement
        .allSatisfy(l -> assertThat(l).matches(".* \\d+\\.\\dus +\\d+\\.\\dus$"));
    assertThat(printed).contains("gen CPU     (raw)");
  }

  @Test
  void loadAgainstNothingFailsWithTheHandshakeDiagnosis() {
    int status =
        run(
            "load",
            "--target",
            "tcp://127.0.0.1:1",
            "--requests",
            "10",
            "--handshake-timeout",
            "500ms");

    assertThat(status).isEqualTo(1);
    assertThat(err()).contains("nothing accepted a connection at tcp://127.0.0.1:1");
  }

  @Test
  void theServersEchoOptionsMakeTheServerSpecsTheyName() {
    assertThat(serverSpec())
        .isEqualTo("handler=echo,scheduler=exit-ordered,compress=false,curve=false");
    assertThat(serverSpec("--echo-delay", "1ms"))
        .isEqualTo("handler=delay,delay-ms=1,scheduler=exit-ordered,compress=false,curve=false");
    assertThat(serverSpec("--echo-delay", "1ms", "--echo-delay-max", "5ms"))
        .startsWith("handler=random-delay,delay-ms=1,delay-max-ms=5,");
    assertThat(serverSpec("--echo-reply-size", "64KiB")).startsWith("handler=sized-reply,");
    assertThat(serverSpec("--echo-fails")).startsWith("handler=fail,");
    assertThat(run("server", "--echo-delay", "a while")).isEqualTo(2);
    assertThat(err())
        .contains("--echo-delay expects a duration like 500ms, 5s or 2m, got 'a while'");
    assertThat(Main.USAGE).contains("--echo-delay 1ms", "--echo-reply-size", "--echo-fails");
  }

  /** Counted in calls, so that where it fails does not hang on how fast its JVM started. */
  @Test
  void aServerToldToCrashAnswersTheCallsBeforeAndExitsWithStatus3AtItsCall() throws Exception {
    Process server = startServer("--crash-after", "3");
    try {
      String ready =
          new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      String endpoint = ready.split(" ")[2];
      try (Connection connection = Connection.open(ClientConfig.builder(endpoint).build())) {
        byte[] body = {1, 2, 3};
        assertThat(connection.call("echo", body)).isEqualTo(body);
        assertThat(connection.call("echo", body)).isEqualTo(body);
        assertThat(server.isAlive()).isTrue();
        connection.send("echo", OrderKey.NONE, body); // the third: never answered
        assertThat(server.waitFor(20, TimeUnit.SECONDS)).as("the server ended").isTrue();
        assertThat(server.exitValue()).isEqualTo(3);
        assertThat(connection.receive(TimeUnit.MILLISECONDS.toNanos(200))).isNull();
      }
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void crashOptionsThatMakeNoSenseAreUsageErrors() {
    assertThat(run("server", "--crash-with", "sigkill")).isEqualTo(2);
    assertThat(err()).contains("--crash-with needs --crash-after N (the call to fail at)");
    assertThat(run("server", "--crash-after", "5", "--crash-with", "segfault")).isEqualTo(2);
    assertThat(err()).contains("--crash-with expects exit, sigkill or sigstop, got 'segfault'");
    assertThat(run("server", "--crash-after", "0")).isEqualTo(2);
    assertThat(err()).contains("--crash-after expects a positive whole number, got '0'");
    assertThat(Main.USAGE).contains("--crash-after N", "--crash-with exit|sigkill|sigstop");
  }

  private static String serverSpec(String... options) {
    String[] argv = new String[options.length + 1];
    argv[0] = "server";
    System.arraycopy(options, 0, argv, 1, options.length);
    return ServerCommand.spec(new Args("server", argv, 1, java.util.Set.of("echo-fails")))
        .word()
        .orElseThrow();
  }

  @Test
  void keysWritesACertificatePair(@TempDir Path dir) throws Exception {
    assertThat(run("keys", "--out", dir.toString(), "--name", "bench")).isZero();

    CurveKeyPair pair = CurveKeyPair.read(dir.resolve("bench.key_secret"));
    assertThat(CurveKeyPair.read(dir.resolve("bench.key"))).isEqualTo(pair.publicOnly());
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(pair.publicKey());
  }

  @Test
  void theServerCommandRunsAsItsOwnProcessWithCurve(@TempDir Path dir) throws Exception {
    CurveKeyPair serverKeys = CurveKeyPair.generate();
    CurveKeyPair clientKeys = CurveKeyPair.generate();
    serverKeys.write(dir, "server");
    clientKeys.write(dir.resolve("allowed"), "client");
    Process server =
        startServer(
            "--curve-keys",
            dir.resolve("server.key_secret").toString(),
            "--curve-allow",
            dir.resolve("allowed").toString(),
            "--scheduler",
            "key-serialized",
            "--compress",
            "--stop-on-eof");
    try {
      String ready =
          new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      assertThat(ready)
          .startsWith(ServerCommand.READY + " tcp://127.0.0.1:")
          .contains(" curve-public-key=" + serverKeys.publicKey() + " ")
          .contains(" spec=handler=echo,scheduler=key-serialized,compress=true,curve=true ")
          .containsPattern(" io-threads=\\d+(,\\d+)* identity=callosum-perf ")
          .endsWith(" java " + System.getProperty("java.version"));
      String endpoint = ready.split(" ")[2];

      try (Connection connection =
          Connection.open(
              ClientConfig.builder(endpoint)
                  .curve(serverKeys.publicKey(), clientKeys)
                  .compress(true)
                  .build())) {
        assertThat(connection.call("sized", "5".getBytes(StandardCharsets.US_ASCII))).hasSize(5);
      }
      int status =
          run(
              "load",
              "--target",
              endpoint,
              "--requests",
              "50",
              "--compress",
              "--curve-server-key",
              dir.resolve("server.key").toString(),
              "--curve-keys",
              dir.resolve("allowed/client.key_secret").toString());
      assertThat(status).as(err()).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"curve\" : true");

      server.getOutputStream().close(); // --stop-on-eof
      assertThat(server.waitFor(20, TimeUnit.SECONDS)).as("the server stopped").isTrue();
      assertThat(server.exitValue()).isZero();
    } finally {
      server.destroyForcibly();
    }
  }

  static Process startServer(String... options) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "server"));
    command.addAll(List.of(options));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
