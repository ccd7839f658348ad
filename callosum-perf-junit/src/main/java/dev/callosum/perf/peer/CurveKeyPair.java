package dev.callosum.perf.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;
import org.zeromq.ZMQ;

/**
 * A CURVE key pair as Z85 text, interchangeable with pyzmq's {@code zmq.curve_keypair()} and its
 * certificate files.
 *
 * <p>{@link #write} saves a pair as pyzmq's {@code zmq.auth.create_certificates} does: {@code
 * NAME.key} (public) and {@code NAME.key_secret} (both keys), readable by {@code
 * zmq.auth.load_certificate}. {@link #read} reads those files, or a file holding the bare
 * 40-character Z85 key(s) that {@code curve_keypair()} returns.
 *
 * @param publicKey the 40-character Z85 public key
 * @param secretKey the 40-character Z85 secret key, or {@code null} when only the public key is
 *     known
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record CurveKeyPair(String publicKey, String secretKey) {

  private static final Pattern PUBLIC = Pattern.compile("public-key\\s*=\\s*\"([^\"]{40})\"");
  private static final Pattern SECRET = Pattern.compile("secret-key\\s*=\\s*\"([^\"]{40})\"");
  private static final Pattern BARE = Pattern.compile("^\\s*(\\S{40})\\s*$", Pattern.MULTILINE);

  public CurveKeyPair {
    requireZ85(Objects.requireNonNull(publicKey, "publicKey"), "public key");
    if (secretKey != null) {
      requireZ85(secretKey, "secret key");
    }
  }

  /** A fresh key pair. */
  public static CurveKeyPair generate() {
    ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
    return new CurveKeyPair(pair.publicKey, pair.secretKey);
  }

  /** The public half alone, as given to the other side. */
  public CurveKeyPair publicOnly() {
    return new CurveKeyPair(publicKey, null);
  }

  byte[] publicKeyBytes() {
    return ZMQ.Curve.z85Decode(publicKey);
  }

  byte[] secretKeyBytes() {
    if (secretKey == null) {
      throw new IllegalStateException("this key pair has only a public key: " + publicKey);
    }
    return ZMQ.Curve.z85Decode(secretKey);
  }

  /** Writes {@code NAME.key} and {@code NAME.key_secret} in pyzmq's certificate format. */
  public void write(Path directory, String name) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(directory.resolve(name + ".key"), certificate("Public", false));
    if (secretKey != null) {
      Files.writeString(directory.resolve(name + ".key_secret"), certificate("Secret", true));
    }
  }

  private String certificate(String kind, boolean withSecret) {
    String text =
        "#   ****  Generated on "
            + ZonedDateTime.now()
            + " by callosum-perf  ****\n"
            + "#   ZeroMQ CURVE "
            + kind
            + " Certificate\n"
            + "#   Exchange securely, or use a secure mechanism to verify the contents\n"
            + "#   of this file after exchange. Store public certificates in your home\n"
            + "#   directory, in the .curve subdirectory.\n\n"
            + "metadata\n"
            + "curve\n"
            + "    public-key = \""
            + publicKey
            + "\"\n";
    return withSecret ? text + "    secret-key = \"" + secretKey + "\"\n" : text;
  }

  /**
   * Reads a pyzmq certificate file ({@code .key} or {@code .key_secret}), or a text file holding a
   * bare Z85 public key, optionally followed by the secret key on the next line.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it holds no key, naming the file
   */
  public static CurveKeyPair read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Matcher pub = PUBLIC.matcher(text);
    if (pub.find()) {
      Matcher sec = SECRET.matcher(text);
      return new CurveKeyPair(pub.group(1), sec.find() ? sec.group(1) : null);
    }
    Matcher bare = BARE.matcher(text);
    if (bare.find()) {
      String first = bare.group(1);
      return new CurveKeyPair(first, bare.find() ? bare.group(1) : null);
    }
    throw new IllegalArgumentException(
        file
            + " holds no CURVE key: expected a pyzmq certificate"
            + " (public-key = \"...\") or a bare 40-character Z85 key");
  }

  private static void requireZ85(String key, String what) {
    if (key.length() != 40) {
      throw new IllegalArgumentException(
          "a CURVE " + what + " is 40 Z85 characters, got " + key.length() + ": '" + key + "'");
    }
    try {
      if (ZMQ.Curve.z85Decode(key).length != 32) {
        throw new IllegalArgumentException("'" + key + "' is not a Z85 " + what);
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + key + "' is not a Z85 " + what, e);
    }
  }

  /** Hides the secret key. */
  @Override
  public String toString() {
    return "CurveKeyPair[public=" + publicKey + (secretKey == null ? "" : ", secret=…") + "]";
  }
}
