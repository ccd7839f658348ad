package dev.callosum.perf.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real headless Chromium driven over the Chrome DevTools Protocol (the JDK's own WebSocket
 * client, nothing else): open a page, evaluate script in it, collect its script errors, take a
 * screenshot. Tests that need it skip where no browser is installed ({@link #find}).
 */
final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();

  /** The browser's command, where Debian or a user installed one. */
  static Optional<String> find() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p.toString());
        }
      }
    }
    return Optional.empty();
  }

  HeadlessChromium(String command, int width, int height) throws Exception {
    profile = Files.createTempDirectory("callosum-chromium-");
    process =
        new ProcessBuilder(
                command,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--allow-file-access-from-files",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile,
                "about:blank")
            .redirectErrorStream(true)
            .redirectOutput(profile.resolve("chromium.log").toFile())
            .start();
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.isRegularFile(portFile) || Files.readAllLines(portFile).size() < 2) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String log = Files.readString(profile.resolve("chromium.log"));
        close();
        throw new IllegalStateException("chromium did not start its DevTools endpoint: " + log);
      }
      Thread.sleep(50);
    }
    int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
    HttpClient http = HttpClient.newHttpClient();
    JsonNode targets =
        JSON.readTree(
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    String page = null;
    for (JsonNode t : targets) {
      if (t.path("type").asText().equals("page")) {
        page = t.path("webSocketDebuggerUrl").asText();
      }
    }
    if (page == null) {
      close();
      throw new IllegalStateException("chromium has no page target: " + targets);
    }
    socket =
        http.newWebSocketBuilder()
            .buildAsync(URI.create(page), new Listener())
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    call("Runtime.enable", JSON.createObjectNode());
    call("Page.enable", JSON.createObjectNode());
    call("Log.enable", JSON.createObjectNode());
  }

  /** Opens a page and waits for its load event (and a moment for its scripts). */
  void open(String url) throws Exception {
    loaded = new CompletableFuture<>();
    call("Page.navigate", JSON.createObjectNode().put("url", url));
    loaded.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    Thread.sleep(300);
  }

  /** Evaluates an expression in the page (or in a frame via script) and returns its value. */
  JsonNode evaluate(String expression) throws Exception {
    JsonNode result =
        call(
            "Runtime.evaluate",
            JSON.createObjectNode()
                .put("expression", expression)
                .put("returnByValue", true)
                .put("awaitPromise", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException(
          "script failed: " + result.path("exceptionDetails").toString());
    }
    return result.path("result").path("value");
  }

  /** Waits until an expression is true in the page. */
  void await(String condition, String what) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!evaluate("!!(" + condition + ")").asBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the page never showed " + what + " (" + condition + ")");
      }
      Thread.sleep(100);
    }
  }

  /** The page's script errors and console errors so far. */
  List<String> errors() {
    return new ArrayList<>(errors);
  }

  /** A PNG of the page as the window shows it. */
  void screenshot(Path png) throws Exception {
    JsonNode shot = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
    Files.createDirectories(png.toAbsolutePath().getParent());
    Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    calls.put(id, reply);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    socket.sendText(JSON.writeValueAsString(message), true).get();
    JsonNode answer = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IllegalStateException(method + " failed: " + answer.path("error"));
    }
    return answer.path("result");
  }

  private void onMessage(JsonNode message) {
    if (message.has("id")) {
      CompletableFuture<JsonNode> reply = calls.remove(message.path("id").asInt());
      if (reply != null) {
        reply.complete(message);
      }
      return;
    }
    JsonNode params = message.path("params");
    switch (message.path("method").asText()) {
      case "Page.loadEventFired" -> loaded.complete(null);
      case "Runtime.exceptionThrown" ->
          errors.add(
              "exception: "
                  + params
                      .path("exceptionDetails")
                      .path("exception")
                      .path("description")
                      .asText(params.path("exceptionDetails").path("text").asText()));
      case "Runtime.consoleAPICalled" -> {
        if (params.path("type").asText().equals("error")) {
          errors.add("console.error: " + params.path("args").toString());
        }
      }
      case "Log.entryAdded" -> {
        JsonNode entry = params.path("entry");
        if (entry.path("level").asText().equals("error")) {
          errors.add("log: " + entry.path("text").asText() + " " + entry.path("url").asText(""));
        }
      }
      default -> {}
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.abort();
    }
    // Its helper processes (renderer, network service) go too: left alone they may still be
    // writing into the profile while it is deleted (seen in CI: a file that vanished mid-walk).
    List<ProcessHandle> helpers = process.descendants().toList();
    process.destroy();
    helpers.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      for (ProcessHandle helper : helpers) {
        helper.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      helpers.forEach(ProcessHandle::destroyForcibly);
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | java.io.UncheckedIOException e) {
      // a temporary directory left behind, or part of it: nothing the test depends on
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          onMessage(JSON.readTree(text.toString()));
        } catch (IOException e) {
          errors.add("unreadable DevTools message: " + e.getMessage());
        }
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }
}
