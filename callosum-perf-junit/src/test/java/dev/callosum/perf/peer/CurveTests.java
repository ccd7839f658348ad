package dev.callosum.perf.peer;

import static dev.callosum.perf.peer.Bytes.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** CURVE with a ZAP authenticator, and the handshake failures each said for what they are. */
class CurveTests {
  private static final Duration SHORT = Duration.ofMillis(1500);
  private final CurveKeyPair serverKeys = CurveKeyPair.generate();
  private final CurveKeyPair allowed = CurveKeyPair.generate();

  private RpcServer curveServer() {
    return ServerConfig.builder().testHandlers().curve(serverKeys, allowed.publicKey()).start();
  }

  private static ClientConfig.Builder client(String endpoint) {
    return ClientConfig.builder(endpoint).handshakeTimeout(SHORT);
  }

  @Test
  void anAllowedKeyConnectsAndCalls() {
    try (RpcServer server = curveServer();
        RpcClient client =
            RpcClient.connect(
                client(server.endpoint()).curve(serverKeys.publicKey(), allowed).build())) {
      assertThat(client.call("echo", ascii("secret"))).isEqualTo(ascii("secret"));
      assertThat(client.handshakeLatency()).isPositive();
      assertThat(server.stats().zapDenied()).isZero();
      assertThat(server.publicKey()).isEqualTo(serverKeys.publicKey());
    }
  }

  @Test
  void anUnknownClientKeyIsRefusedAndSaysSo() {
    CurveKeyPair stranger = CurveKeyPair.generate();
    try (RpcServer server = curveServer()) {
      assertThatThrownBy(
              () ->
                  RpcClient.connect(
                      client(server.endpoint()).curve(serverKeys.publicKey(), stranger).build()))
          .isInstanceOfSatisfying(
              HandshakeException.class,
              e -> assertThat(e.reason()).isEqualTo(HandshakeException.Reason.CLIENT_KEY_REFUSED))
          .hasMessageContaining("refused this client's CURVE public key " + stranger.publicKey());
      assertThat(server.stats().zapDenied()).isPositive();
    }
  }

  @Test
  void aWrongServerKeyIsSaidToBeMostLikelyThat() {
    try (RpcServer server = curveServer()) {
      assertThatThrownBy(
              () ->
                  Connection.open(
                      client(server.endpoint())
                          .curve(CurveKeyPair.generate().publicKey(), allowed)
                          .build()))
          .isInstanceOfSatisfying(
              HandshakeException.class,
              e -> assertThat(e.reason()).isEqualTo(HandshakeException.Reason.WRONG_SERVER_KEY))
          .hasMessageContaining("most likely this client has the wrong server public key");
    }
  }

  @Test
  void aClientWithoutCurveAgainstACurveServerIsAMismatch() {
    try (RpcServer server = curveServer()) {
      assertThatThrownBy(() -> Connection.open(client(server.endpoint()).build()))
          .isInstanceOfSatisfying(
              HandshakeException.class,
              e -> assertThat(e.reason()).isEqualTo(HandshakeException.Reason.SECURITY_MISMATCH))
          .hasMessageContaining("most likely requires CURVE, and this client has no CURVE keys");
    }
  }

  @Test
  void aCurveClientAgainstAPlainServerIsAMismatch() {
    try (RpcServer server = ServerConfig.builder().testHandlers().start()) {
      assertThatThrownBy(
              () ->
                  Connection.open(
                      client(server.endpoint()).curve(serverKeys.publicKey(), allowed).build()))
          .isInstanceOfSatisfying(
              HandshakeException.class,
              e -> assertThat(e.reason()).isEqualTo(HandshakeException.Reason.SECURITY_MISMATCH))
          .hasMessageContaining("does not use CURVE, but this client does");
    }
  }

  @Test
  void noServerAtTheAddressSaysSo() throws IOException {
    int freePort;
    try (ServerSocket probe = new ServerSocket(0)) {
      freePort = probe.getLocalPort();
    }
    String endpoint = "tcp://127.0.0.1:" + freePort;
    assertThatThrownBy(() -> Connection.open(client(endpoint).build()))
        .isInstanceOfSatisfying(
            HandshakeException.class,
            e -> assertThat(e.reason()).isEqualTo(HandshakeException.Reason.NO_SERVER))
        .hasMessageContaining("nothing accepted a connection at " + endpoint);
  }

  @Test
  void aSocketThatNeverAnswersPingIsNotACallosumServer() {
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket silent = context.createSocket(SocketType.ROUTER);
      silent.setLinger(0);
      silent.bind("tcp://127.0.0.1:*");
      assertThatThrownBy(() -> Connection.open(client(silent.getLastEndpoint()).build()))
          .isInstanceOfSatisfying(
              HandshakeException.class,
              e -> assertThat(e.reason()).isEqualTo(HandshakeException.Reason.NO_PONG))
          .hasMessageContaining("no PONG answered PING within PT1.5S")
          .hasMessageContaining("not a Callosum server, or its receive loop is dead");
    }
  }

  @Test
  void aCustomAuthenticatorSeesTheDomainAndKey() {
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (RpcServer server =
            ServerConfig.builder()
                .testHandlers()
                .zapDomain("bench")
                .curve(serverKeys, (domain, key) -> seen.add(domain + " " + key))
                .start();
        RpcClient client =
            RpcClient.connect(
                client(server.endpoint()).curve(serverKeys.publicKey(), allowed).build())) {
      assertThat(client.call("echo", ascii("x"))).isEqualTo(ascii("x"));
      assertThat(seen).contains("bench " + allowed.publicKey());
    }
  }

  @Test
  void keyFilesRoundTripInPyzmqsCertificateFormat(@TempDir Path dir) throws IOException {
    CurveKeyPair pair = CurveKeyPair.generate();
    pair.write(dir, "server");

    assertThat(Files.readString(dir.resolve("server.key")))
        .contains("public-key = \"" + pair.publicKey() + "\"")
        .doesNotContain("secret-key");
    assertThat(CurveKeyPair.read(dir.resolve("server.key"))).isEqualTo(pair.publicOnly());
    assertThat(CurveKeyPair.read(dir.resolve("server.key_secret"))).isEqualTo(pair);
  }

  @Test
  void readsWhatPyzmqWritesAndBareZ85Keys(@TempDir Path dir) throws IOException {
    // The layout zmq.auth.create_certificates writes (keys from the ZeroMQ RFC 26 test vectors).
    Files.writeString(
        dir.resolve("client.key_secret"),
        """
        #   ****  Generated on 2026-11-27 08:00:00.000000 by pyzmq  ****
        #   ZeroMQ CURVE **Secret** Certificate
        #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

        metadata
        curve
            public-key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
            secret-key = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
        """);
    Files.writeString(dir.resolve("bare.txt"), "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n");

    CurveKeyPair pyzmq = CurveKeyPair.read(dir.resolve("client.key_secret"));
    assertThat(pyzmq.publicKey()).isEqualTo("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    assertThat(pyzmq.secretKey()).isEqualTo("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs");
    assertThat(CurveKeyPair.read(dir.resolve("bare.txt")).publicKey())
        .isEqualTo("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
  }

  @Test
  void badKeysAndKeyFilesAreRefusedClearly(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("empty.key"), "nothing here\n");

    assertThatThrownBy(() -> CurveKeyPair.read(dir.resolve("empty.key")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty.key holds no CURVE key");
    assertThatThrownBy(() -> new CurveKeyPair("short", null))
        .hasMessageContaining("a CURVE public key is 40 Z85 characters, got 5");
    assertThatThrownBy(() -> ServerConfig.builder().curve(allowed.publicOnly(), "x"))
        .hasMessageContaining("has only a public key");
  }
}
