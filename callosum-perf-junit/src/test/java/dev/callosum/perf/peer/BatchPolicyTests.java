package dev.callosum.perf.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.Placement;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.fixtures.ManagedServers;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.testing.SchedulingScopeContract;
import dev.callosum.perf.testing.TestKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * {@link BatchPolicy}: while a benchmark measures after a warm-up, ZeroMQ's I/O threads do not
 * preempt the threads that wake them.
 */
class BatchPolicyTests implements SchedulingScopeContract {

  @Test
  void outsideAScopeIoThreadsKeepTheDefaultPolicy() throws Exception {
    ZContext context = SharedContext.newContext("bp0");
    try {
      startIoThread(context);
      Awaiting.until(() -> !threadsNamed("bp0-zmq-iothrea").isEmpty(), "the I/O thread");
      Thread.sleep(200); // what a chrt would have had time to change
      assertThat(threadsNamed("bp0-zmq-iothrea"))
          .allSatisfy(tid -> assertThat(policy(tid)).isZero());
    } finally {
      context.close();
    }
  }

  @Test
  void inAScopeEveryIoThreadRunsAsBatch_untilTheLastScopeCloses() throws Exception {
    ZContext before = SharedContext.newContext("bp1");
    ZContext during = null;
    try {
      startIoThread(before);
      // Known to BatchPolicy, not only named: a thread is named before its first line runs, and
      // one that registers after the scope opened makes itself batch a chrt later (also right).
      Awaiting.until(
          () ->
              !threadsNamed("bp1-zmq-iothrea").isEmpty()
                  && BatchPolicy.ioThreadIds().containsAll(threadsNamed("bp1-zmq-iothrea")),
          "the I/O thread, registered");
      String self = selfTid();
      BatchPolicy.Scope outer = BatchPolicy.measuring();
      try {
        assertThat(threadsNamed("bp1-zmq-iothrea"))
            .as("an I/O thread alive when the scope opened")
            .isNotEmpty()
            .allSatisfy(tid -> assertThat(policy(tid)).isEqualTo(BatchPolicy.SCHED_BATCH));
        assertThat(BatchPolicy.policyOf(self)).as("the thread that opened the scope").isZero();

        during = SharedContext.newContext("bp2");
        startIoThread(during);
        Awaiting.until(
            () ->
                !threadsNamed("bp2-zmq-iothrea").isEmpty()
                    && threadsNamed("bp2-zmq-iothrea").stream()
                        .allMatch(tid -> policy(tid) == BatchPolicy.SCHED_BATCH),
            "an I/O thread started in the scope to run as SCHED_BATCH");

        BatchPolicy.measuring().close(); // a nested scope closing leaves the outer one's policy
        assertThat(threadsNamed("bp1-zmq-iothrea"))
            .allSatisfy(tid -> assertThat(policy(tid)).isEqualTo(BatchPolicy.SCHED_BATCH));
      } finally {
        outer.close();
      }
      assertThat(threadsNamed("bp1-zmq-iothrea"))
          .allSatisfy(tid -> assertThat(policy(tid)).isZero());
      assertThat(threadsNamed("bp2-zmq-iothrea"))
          .allSatisfy(tid -> assertThat(policy(tid)).isZero());
    } finally {
      before.close();
      if (during != null) {
        during.close();
      }
    }
  }

  @Test
  void aForkedServerSaysItsIoThreadsAndTheyFollowTheScopeFromThisProcess() throws Exception {
    try (ManagedServer server = ManagedServers.forked(ServerSpec.echo())) {
      long pid = server.pid().orElseThrow();
      assertThat(server.ioThreads()).as("from its ready line").isNotEmpty();
      assertThat(server.ioThreads())
          .allSatisfy(tid -> assertThat(policyIn(pid, tid)).as("before").isZero());
      BatchPolicy.Scope scope = BatchPolicy.measuring(server.ioThreads());
      try {
        assertThat(server.ioThreads())
            .allSatisfy(tid -> assertThat(policyIn(pid, tid)).as("in the scope").isEqualTo(3));
      } finally {
        scope.close();
      }
      assertThat(server.ioThreads())
          .allSatisfy(tid -> assertThat(policyIn(pid, tid)).as("after").isZero());
    }
  }

  @RpcBenchmark(placement = Placement.FORKED)
  static class Forked {
    @Test
    void echo(Bench bench) {
      ManagedServer server = bench.server(ServerSpec.echo());
      FORKED_IO.addAll(server.ioThreads());
      FORKED_PID.set(server.pid().orElseThrow());
      bench.closedLoop(server).duration(java.time.Duration.ofSeconds(2)).run();
    }
  }

  static final List<String> FORKED_IO = new CopyOnWriteArrayList<>();
  static final AtomicReference<Long> FORKED_PID = new AtomicReference<>();

  @Test
  void aBenchmarkRunsAForkedServersIoThreadsAsBatchWhileItMeasures() throws Exception {
    FORKED_IO.clear();
    FORKED_PID.set(null);
    List<Integer> seen =
        TestKit.sampledWhile(
            () -> FORKED_IO.stream().map(tid -> policyIn(FORKED_PID.get(), tid)).toList(),
            () ->
                TestKit.runOnce(
                    Forked.class, TestKit.freshOutputDirectory(), "callosum.perf.warmups", "1"));
    assertThat(FORKED_IO).as("the forked server's I/O threads").isNotEmpty();
    assertThat(seen)
        .as("their policy: default in the warm-up, batch while measured")
        .contains(0, 3);
  }

  private static int policyIn(long pid, String tid) {
    try {
      return UtilLinux.policyOf(Long.toString(pid), tid);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void startIoThread(ZContext context) {
    ZMQ.Socket socket = context.createSocket(SocketType.ROUTER); // starts the I/O thread
    socket.bind("tcp://127.0.0.1:*");
  }

  @Test
  void theCallingThreadAloneChangesPolicy() throws Exception {
    AtomicReference<String> failure = new AtomicReference<>("not run");
    AtomicReference<Integer> after = new AtomicReference<>();
    Thread thread =
        new Thread(
            () -> {
              failure.set(BatchPolicy.apply(List.of("chrt", "--batch", "--pid", "0"), selfTid()));
              try {
                after.set(BatchPolicy.policyOf(selfTid()));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    thread.start();
    thread.join();
    assertThat(failure.get()).isNull();
    assertThat(after.get()).isEqualTo(BatchPolicy.SCHED_BATCH);
  }

  @Test
  void aMissingOrFailingCommandSaysWhatWentWrong() {
    assertThat(BatchPolicy.apply(List.of("no-such-chrt-here"), "1"))
        .startsWith("no-such-chrt-here (util-linux) is not installed here");
    assertThat(BatchPolicy.apply(List.of("sh", "-c", "echo refused >&2; exit 3", "sh"), "1"))
        .contains("exited with 3: refused");
    // What util-linux prints as progress stays out; its complaint, in English, is the message.
    String script =
        "echo \"pid 1's current affinity list: 0\"; echo \"sh: no, locale $LC_ALL\"; exit 1";
    assertThat(BatchPolicy.apply(List.of("sh", "-c", script, "sh"), "1"))
        .endsWith("exited with 1: sh: no, locale C");
  }

  private static String selfTid() {
    try {
      return UtilLinux.threadId();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int policy(String tid) {
    try {
      return BatchPolicy.policyOf(tid);
    } catch (IOException e) {
      return -1; // the thread ended meanwhile
    }
  }

  private static List<String> threadsNamed(String comm) {
    try {
      return UtilLinux.threads("self", comm::equals);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Scope scope() { // ZeroMQ's I/O threads in this JVM: the client's and the server's
    return new Scope(
        BatchPolicy::policies,
        BatchPolicy.SCHED_BATCH,
        2,
        "callosum.perf.batchIoThreads",
        "ZeroMQ I/O threads not batch",
        command -> BatchPolicy.chrt = command);
  }
}
