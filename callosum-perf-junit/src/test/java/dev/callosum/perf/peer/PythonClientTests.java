package dev.callosum.perf.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callosum.perf.fixtures.PythonCallosum;
import dev.callosum.perf.testing.PythonCallosumAvailable;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Python Callosum client against this project's Java server. */
@PythonCallosumAvailable
class PythonClientTests {

  @TempDir Path dir;

  /** Runs callosum_client.py against the endpoint; returns what it printed last, as JSON. */
  private JsonNode pythonClient(String endpoint, String... options) throws Exception {
    Path script = dir.resolve("callosum_client.py");
    try (InputStream in = PythonClientTests.class.getResourceAsStream("callosum_client.py")) {
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    PythonCallosum python = PythonCallosum.find(PythonCallosumAvailable.Condition.interpreter());
    List<String> command =
        new ArrayList<>(List.of(python.interpreter(), script.toString(), endpoint));
    command.addAll(List.of(options));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("the client's output: %s", out).isZero();
    String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
    return new ObjectMapper().readTree(last);
  }

  @Test
  void callsEveryKindOfMethodOfTheJavaServer() throws Exception {
    try (RpcServer server = ServerConfig.builder().testHandlers().start()) {
      JsonNode seen = pythonClient(server.endpoint());
      assertThat(seen.path("echo_1KiB_x100").asInt()).isEqualTo(100);
      assertThat(seen.path("echo_1MiB").asBoolean()).isTrue();
      assertThat(seen.path("sized_5000").asInt()).isEqualTo(5000);
      assertThat(seen.path("fail").asText()).startsWith("RPCUserError ");
      assertThat(server.stats().requests()).isGreaterThanOrEqualTo(103);
    }
  }

  @Test
  void decodesTheJavaServersCompressedReplies() throws Exception {
    try (RpcServer server = ServerConfig.builder().testHandlers().compress(true).start()) {
      JsonNode seen = pythonClient(server.endpoint());
      assertThat(seen.path("echo_1KiB_x100").asInt()).isEqualTo(100);
      assertThat(seen.path("echo_1MiB").asBoolean()).isTrue();
    }
  }

  @Test
  void connectsWithCurveWhenAdmittedAndIsRefusedOtherwise() throws Exception {
    CurveKeyPair serverKeys = CurveKeyPair.generate();
    CurveKeyPair clientKeys = CurveKeyPair.generate();
    clientKeys.write(dir, "client");
    String keyFile = dir.resolve("client.key_secret").toString();
    try (RpcServer server =
        ServerConfig.builder().testHandlers().curve(serverKeys, clientKeys.publicKey()).start()) {
      JsonNode seen =
          pythonClient(
              server.endpoint(), "--server-key", serverKeys.publicKey(), "--client-keys", keyFile);
      assertThat(seen.path("echo_1KiB_x100").asInt()).isEqualTo(100);
      assertThat(server.stats().zapDenied()).isZero();
    }
    try (RpcServer server =
        ServerConfig.builder()
            .testHandlers()
            .curve(serverKeys, CurveKeyPair.generate().publicKey())
            .start()) {
      JsonNode seen =
          pythonClient(
              server.endpoint(), "--server-key", serverKeys.publicKey(), "--client-keys", keyFile);
      assertThat(seen.path("handshake").asText()).isEqualTo("AuthenticationError");
      assertThat(server.stats().zapDenied()).isPositive();
    }
  }
}
