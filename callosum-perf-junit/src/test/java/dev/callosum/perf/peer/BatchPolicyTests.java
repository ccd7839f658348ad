package dev.callosum.perf.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** {@link BatchPolicy}: ZeroMQ's I/O threads do not preempt the threads that wake them. */
class BatchPolicyTests {

  @Test
  void byDefaultIoThreadsKeepTheDefaultPolicy() throws Exception {
    assertThat(System.getProperty(BatchPolicy.PROPERTY)).isNull();
    ZContext context = SharedContext.newContext("bp0");
    try {
      ZMQ.Socket socket = context.createSocket(SocketType.ROUTER);
      socket.bind("tcp://127.0.0.1:*");
      Awaiting.until(() -> !threadsNamed("bp0-zmq-iothrea").isEmpty(), "the I/O thread");
      Thread.sleep(200); // what a chrt would have had time to change
      assertThat(threadsNamed("bp0-zmq-iothrea"))
          .allSatisfy(tid -> assertThat(policy(tid)).isZero());
    } finally {
      context.close();
    }
  }

  @Test
  void aValueOtherThanTrueOrFalseIsRefusedByName() {
    System.setProperty(BatchPolicy.PROPERTY, "yes");
    try {
      assertThatThrownBy(() -> SharedContext.newContext("bp2"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("callosum.perf.batchIoThreads must be true or false, not 'yes'");
    } finally {
      System.clearProperty(BatchPolicy.PROPERTY);
    }
  }

  @Test
  void askedFor_aContextsIoThreadRunsAsBatchAndItsOwnersThreadsDoNot() throws Exception {
    System.setProperty(BatchPolicy.PROPERTY, "true");
    ZContext context;
    try {
      context = SharedContext.newContext("bp1");
    } finally {
      System.clearProperty(BatchPolicy.PROPERTY);
    }
    try {
      ZMQ.Socket socket = context.createSocket(SocketType.ROUTER); // starts the I/O thread
      socket.bind("tcp://127.0.0.1:*");
      Awaiting.until(
          () ->
              !threadsNamed("bp1-zmq-iothrea").isEmpty()
                  && threadsNamed("bp1-zmq-iothrea").stream()
                      .allMatch(tid -> policy(tid) == BatchPolicy.SCHED_BATCH),
          "the I/O thread's policy to be SCHED_BATCH");
      String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
      assertThat(BatchPolicy.policyOf(self)).as("the thread that made the context").isZero();
    } finally {
      context.close();
    }
  }

  @Test
  void theCallingThreadAloneChangesPolicy() throws Exception {
    AtomicReference<String> failure = new AtomicReference<>("not run");
    AtomicReference<Integer> after = new AtomicReference<>();
    Thread thread =
        new Thread(
            () -> {
              failure.set(BatchPolicy.apply(List.of("chrt", "--batch", "--pid", "0")));
              try {
                String self =
                    Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
                after.set(BatchPolicy.policyOf(self));
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
    assertThat(BatchPolicy.apply(List.of("no-such-chrt-here")))
        .startsWith("no-such-chrt-here (util-linux) is not installed here");
    assertThat(BatchPolicy.apply(List.of("sh", "-c", "echo refused >&2; exit 3", "sh")))
        .contains("exited with 3: refused");
  }

  private static int policy(String tid) {
    try {
      return BatchPolicy.policyOf(tid);
    } catch (IOException e) {
      return -1; // the thread ended meanwhile
    }
  }

  private static List<String> threadsNamed(String comm) {
    List<String> tids = new ArrayList<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          if (Files.readString(task.resolve("comm")).strip().equals(comm)) {
            tids.add(task.getFileName().toString());
          }
        } catch (IOException e) {
          // ended meanwhile
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tids;
  }
}
