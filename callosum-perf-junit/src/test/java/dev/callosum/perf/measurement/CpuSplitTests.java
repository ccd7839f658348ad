package dev.callosum.perf.measurement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.callosum.perf.peer.Handler;
import dev.callosum.perf.peer.RpcClient;
import dev.callosum.perf.peer.RpcServer;
import dev.callosum.perf.peer.ServerConfig;
import dev.callosum.perf.peer.UtilLinux;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The split pins real threads and processes with taskset, read back from /proc. */
class CpuSplitTests {
  private static final String SERVER_COMM = CpuSplit.comm(RpcServer.THREAD_PREFIX);
  private static String everyCpu;

  @BeforeAll
  static void needsTwoCpus() {
    List<Integer> cpus = CpuSplit.allowedCpus();
    assumeTrue(
        cpus.size() >= 2, "a split needs two CPUs; this JVM may use " + CpuSplit.ranges(cpus));
    everyCpu = CpuSplit.ranges(cpus);
  }

  @Test
  void rangesReadAndWriteAsLinuxWritesThem() {
    assertThat(CpuSplit.parseRanges("0-2,5\n")).containsExactly(0, 1, 2, 5);
    assertThat(CpuSplit.parseRanges("3")).containsExactly(3);
    assertThat(CpuSplit.ranges(List.of(0, 1, 2, 5, 7, 8))).isEqualTo("0-2,5,7-8");
    assertThat(CpuSplit.ranges(List.of())).isEmpty();
    assertThat(CpuSplit.comm("callosum-server-1-zmq-iothread-2")).isEqualTo("callosum-server");
  }

  @Test
  void aWrongSettingSaysWhatItTakes() {
    assertThat(CpuSplit.Mode.parse(" Split ")).isEqualTo(CpuSplit.Mode.SPLIT);
    assertThatThrownBy(() -> CpuSplit.Mode.parse("half"))
        .hasMessage(
            "must be split (the server under test and the load generator on"
                + " CPUs of their own) or shared, not 'half'");
  }

  @Test
  void aServerInThisJvmGetsTheUpperHalfAndEverythingElseTheLowerUntilClosed() throws Exception {
    Handler blocking = Handler.blocking(body -> body);
    try (RpcServer server =
            RpcServer.start(ServerConfig.builder().handler("work", blocking).build());
        RpcClient client = RpcClient.connect(server.endpoint())) {
      try (CpuSplit split = CpuSplit.ofThreadsHere(CpuSplit.Mode.SPLIT, SERVER_COMM::equals)) {
        assertThat(split.isSplit()).as(split.describe()).isTrue();
        assertThat(split.serverCpus()).isNotEqualTo(split.loadCpus());
        assertThat(split.describe())
            .isEqualTo(
                "server under test on CPU"
                    + (split.serverCpus().matches("\\d+") ? " " : "s ")
                    + split.serverCpus()
                    + ", load generator on CPU"
                    + (split.loadCpus().matches("\\d+") ? " " : "s ")
                    + split.loadCpus()
                    + " (pinned, callosum.perf.cpus=split)");
        // The server's first worker starts now, from its loop: it inherits the server's CPUs.
        assertThat(client.call("work", new byte[] {7})).containsExactly(7);
        assertThat(cpusOf(SERVER_COMM)).isNotEmpty().containsOnly(split.serverCpus());
        assertThat(cpusOfThisThread()).isEqualTo(split.loadCpus());
        CompletableFuture<String> later = new CompletableFuture<>();
        Thread started = new Thread(() -> later.complete(cpusOfThisThread()), "started-later");
        started.start();
        assertThat(later.get(10, TimeUnit.SECONDS))
            .as("a thread the test starts")
            .isEqualTo(split.loadCpus());
      }
      assertThat(cpusOf(SERVER_COMM)).containsOnly(everyCpu);
      assertThat(cpusOfThisThread()).isEqualTo(everyCpu);
    }
  }

  @Test
  void aServerProcessAndTheProcessesItStartedArePinnedWholly() throws Exception {
    Process shell = new ProcessBuilder("sh", "-c", "sleep 30 & wait").start();
    try {
      ProcessHandle child = awaitChild(shell);
      try (CpuSplit split = CpuSplit.ofProcess(CpuSplit.Mode.SPLIT, shell.pid())) {
        assertThat(split.isSplit()).as(split.describe()).isTrue();
        assertThat(cpusOfProcess(shell.pid())).isEqualTo(split.serverCpus());
        assertThat(cpusOfProcess(child.pid())).isEqualTo(split.serverCpus());
        assertThat(cpusOfThisThread()).isEqualTo(split.loadCpus());
      }
      assertThat(cpusOfThisThread()).isEqualTo(everyCpu);
    } finally {
      shell.descendants().forEach(ProcessHandle::destroyForcibly);
      shell.destroyForcibly().waitFor();
    }
  }

  @Test
  void threadsEndingWhileAProcessIsPinnedLeaveNoThreadBehind() throws Exception {
    // taskset -a lists a process's threads, then sets each, and stops at one that ended meanwhile:
    // a JVM's threads come and go, so the split must pin and give back every thread regardless.
    AtomicBoolean churning = new AtomicBoolean(true);
    Thread churner =
        new Thread(
            () -> {
              while (churning.get()) {
                Thread brief = new Thread(() -> {}, "brief");
                brief.start();
                try {
                  brief.join();
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "churner");
    Process sleeper = new ProcessBuilder("sleep", "60").start();
    churner.start();
    try {
      for (int round = 0; round < 15; round++) {
        try (CpuSplit split = CpuSplit.ofProcess(CpuSplit.Mode.SPLIT, sleeper.pid())) {
          assertThat(split.isSplit()).as(split.describe()).isTrue();
          assertThat(cpusOfThisThread()).isEqualTo(split.loadCpus());
        }
        assertThat(cpusOfEveryThread())
            .as("round %d: every thread of this JVM has every CPU back", round)
            .containsOnly(everyCpu);
      }
    } finally {
      churning.set(false);
      churner.join();
      sleeper.destroyForcibly().waitFor();
    }
  }

  @Test
  void sharedChangesNothingAndSaysSo() throws IOException {
    try (CpuSplit split = CpuSplit.ofThreadsHere(CpuSplit.Mode.SHARED, SERVER_COMM::equals)) {
      assertThat(split.isSplit()).isFalse();
      assertThat(split.describe()).isEqualTo("shared (callosum.perf.cpus=shared)");
      assertThat(split.serverCpus()).isEmpty();
      assertThat(cpusOfThisThread()).isEqualTo(everyCpu);
    }
  }

  @Test
  void aServerThatCannotBePinnedLeavesEveryCpuToEveryoneAndSaysWhy() throws Exception {
    try (CpuSplit split = CpuSplit.ofThreadsHere(CpuSplit.Mode.SPLIT, comm -> false)) {
      assertThat(split.isSplit()).isFalse();
      assertThat(split.describe())
          .isEqualTo("shared (pinning failed: no thread of the server was found in this JVM)");
      assertThat(cpusOfThisThread()).isEqualTo(everyCpu);
    }
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    try (CpuSplit split = CpuSplit.ofProcess(CpuSplit.Mode.SPLIT, gone.pid())) {
      assertThat(split.describe())
          .isEqualTo("shared (pinning failed: the server's process " + gone.pid() + " ended)");
      assertThat(cpusOfThisThread()).isEqualTo(everyCpu);
    }
  }

  @Test
  void oneSplitAtATime() throws Exception {
    try (RpcServer server = RpcServer.start(ServerConfig.builder().testHandlers().build());
        CpuSplit first = CpuSplit.ofThreadsHere(CpuSplit.Mode.SPLIT, SERVER_COMM::equals)) {
      assertThat(first.isSplit()).as(server.endpoint()).isTrue();
      try (CpuSplit second = CpuSplit.ofThreadsHere(CpuSplit.Mode.SPLIT, SERVER_COMM::equals)) {
        assertThat(second.describe())
            .isEqualTo("shared (another benchmark holds this JVM's CPU split)");
      }
      assertThat(cpusOfThisThread())
          .as("closing the second undoes nothing")
          .isEqualTo(first.loadCpus());
    }
  }

  /** Prints what a split does in a JVM that may use one CPU only; run by the test below. */
  public static final class OneCpu {
    public static void main(String[] args) {
      try (CpuSplit split = CpuSplit.ofThreadsHere(CpuSplit.Mode.SPLIT, comm -> true)) {
        System.out.println(split.describe());
      }
    }
  }

  @Test
  void aJvmThatMayUseOneCpuSharesItAndSaysSo() throws Exception {
    String cpu = CpuSplit.ranges(List.of(CpuSplit.allowedCpus().get(0)));
    Process jvm =
        new ProcessBuilder(
                "taskset",
                "-c",
                cpu,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                OneCpu.class.getName())
            .redirectErrorStream(true)
            .start();
    String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(jvm.waitFor()).as(out).isZero();
    assertThat(out).isEqualTo("shared (this JVM may use one CPU only (" + cpu + "))");
  }

  private static ProcessHandle awaitChild(Process shell) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      var child = shell.children().findFirst();
      if (child.isPresent()) {
        return child.get();
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the shell started no child");
  }

  /** The CPUs of every thread of this JVM with that comm. */
  private static List<String> cpusOf(String comm) throws IOException {
    return UtilLinux.threads("self", comm::equals).stream()
        .map(tid -> allowed(Path.of("/proc/self/task", tid, "status")))
        .toList();
  }

  /** The CPUs of every thread of this JVM, leaving out threads that end while they are read. */
  private static List<String> cpusOfEveryThread() throws IOException {
    List<String> cpus = new ArrayList<>();
    for (String tid : UtilLinux.threads("self", comm -> true)) {
      try {
        cpus.add(UtilLinux.cpusAllowed(Path.of("/proc/self/task", tid, "status")));
      } catch (IOException e) {
        // ended meanwhile
      }
    }
    return cpus;
  }

  private static String cpusOfThisThread() {
    return allowed(Path.of("/proc/thread-self/status"));
  }

  private static String cpusOfProcess(long pid) {
    return allowed(Path.of("/proc", Long.toString(pid), "status"));
  }

  private static String allowed(Path status) {
    try {
      return UtilLinux.cpusAllowed(status);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + status, e);
    }
  }
}
