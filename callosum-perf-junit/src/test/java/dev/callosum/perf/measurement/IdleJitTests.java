package dev.callosum.perf.measurement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.Placement;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.fixtures.ManagedServers;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.peer.Handler;
import dev.callosum.perf.peer.UtilLinux;
import dev.callosum.perf.testing.TestKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link IdleJit}: while a benchmark measures after a warm-up, the JIT's compiler threads yield to
 * any thread that wakes where they run. Policies are read from the kernel's {@code /proc}.
 */
class IdleJitTests {

  @Test
  void compilerThreadsAreKnownByTheirNames() throws IOException {
    assertThat(IdleJit.isCompilerThread("C2 CompilerThre")).isTrue();
    assertThat(IdleJit.isCompilerThread("C1 CompilerThre")).isTrue();
    assertThat(IdleJit.isCompilerThread("callosum-server")).isFalse();
    assertThat(IdleJit.compilerThreads("self")).as("this HotSpot JVM's").isNotEmpty();
  }

  @Test
  void inAScopeThisJvmsCompilerThreadsRunAsIdle_untilTheLastScopeCloses() throws IOException {
    assertThat(policies("self")).as("before").isNotEmpty().containsOnly(0);
    IdleJit.Scope outer = IdleJit.measuring(OptionalLong.empty());
    try {
      assertThat(policies("self")).as("in the scope").containsOnly(IdleJit.SCHED_IDLE);
      IdleJit.measuring(OptionalLong.empty()).close(); // a nested scope closing leaves the outer's
      assertThat(policies("self")).as("after a nested scope").containsOnly(IdleJit.SCHED_IDLE);
      assertThat(IdleJit.failure()).isEmpty();
    } finally {
      outer.close();
    }
    assertThat(policies("self")).as("after").containsOnly(0);
    outer.close(); // closing twice changes nothing
    assertThat(policies("self")).containsOnly(0);
  }

  @Test
  void aForkedServersCompilerThreadsFollowTheScopeFromThisProcess() throws IOException {
    try (ManagedServer server = ManagedServers.forked(ServerSpec.echo())) {
      String pid = Long.toString(server.pid().orElseThrow());
      assertThat(policies(pid)).as("before").isNotEmpty().containsOnly(0);
      IdleJit.Scope scope = IdleJit.measuring(server.pid());
      try {
        assertThat(policies(pid)).as("in the scope").containsOnly(IdleJit.SCHED_IDLE);
      } finally {
        scope.close();
      }
      assertThat(policies(pid)).as("after").containsOnly(0);
    }
  }

  @RpcBenchmark(placement = Placement.FORKED)
  static class Forked {
    static final AtomicReference<String> PID = new AtomicReference<>();

    @Test
    void echo(Bench bench) {
      ManagedServer server = bench.server(ServerSpec.echo());
      PID.set(Long.toString(server.pid().orElseThrow()));
      bench.closedLoop(server).duration(Duration.ofSeconds(2)).run();
    }
  }

  @Test
  void aBenchmarkRunsAForkedServersJitAsIdleWhileItMeasures() throws Exception {
    Forked.PID.set(null);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    Thread watcher =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                String pid = Forked.PID.get();
                if (pid != null) {
                  try {
                    seen.addAll(policies(pid));
                  } catch (RuntimeException e) {
                    // the server ended
                  }
                }
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    watcher.start();
    try {
      TestKit.jupiter(TestKit.freshOutputDirectory())
          .selectors(selectClass(Forked.class))
          .configurationParameter("callosum.perf.iterations", "1")
          .configurationParameter("callosum.perf.warmups", "1")
          .configurationParameter("callosum.perf.profiling", "false")
          .execute()
          .testEvents()
          .assertStatistics(s -> s.succeeded(1));
    } finally {
      watcher.interrupt();
      watcher.join();
    }
    assertThat(seen)
        .as("the forked server's compiler threads: default in the warm-up, idle while measured")
        .contains(0, IdleJit.SCHED_IDLE);
  }

  /** Records, at every call, the policies of this JVM's compiler threads. */
  @RpcBenchmark
  static class Recording {
    static final List<List<Integer>> SEEN = new CopyOnWriteArrayList<>();

    @Test
    void echo(Bench bench) {
      Handler recording =
          Handler.of(
              body -> {
                SEEN.add(policies("self"));
                return body;
              });
      bench.closedLoop(bench.server(ServerSpec.handler("recording", recording))).requests(40).run();
    }
  }

  @Test
  void aBenchmarkRunsTheJitAsIdleWhileItMeasuresAfterAWarmUp() throws IOException {
    List<List<Integer>> seen = record("callosum.perf.warmups", "1");
    assertThat(seen).hasSize(80);
    assertThat(seen.subList(0, 40))
        .as("in the warm-up")
        .allSatisfy(p -> assertThat(p).isNotEmpty().containsOnly(0));
    assertThat(seen.subList(40, 80))
        .as("in the measured iteration")
        .allSatisfy(p -> assertThat(p).isNotEmpty().containsOnly(IdleJit.SCHED_IDLE));
    assertThat(policies("self")).as("after the benchmark").containsOnly(0);
  }

  @Test
  void withoutAWarmUpOrWhenTurnedOffTheJitKeepsTheDefaultPolicy() {
    assertThat(record("callosum.perf.warmups", "0"))
        .as("no warm-up: the JIT is needed at full speed")
        .hasSize(40)
        .allSatisfy(p -> assertThat(p).containsOnly(0));
    assertThat(record("callosum.perf.warmups", "1", "callosum.perf.idleJit", "false"))
        .hasSize(80)
        .allSatisfy(p -> assertThat(p).containsOnly(0));
  }

  @Test
  void whereThePolicyCannotBeSetTheResultSaysWhy() {
    Path output = TestKit.freshOutputDirectory();
    Recording.SEEN.clear();
    IdleJit.chrt = "no-such-chrt-here";
    try {
      run(output, "callosum.perf.warmups", "1");
    } finally {
      IdleJit.chrt = "chrt";
    }
    assertThat(TestKit.resultsJson(output))
        .contains("JIT threads not idle")
        .contains("no-such-chrt-here (util-linux) is not installed here");
    assertThat(Recording.SEEN).allSatisfy(p -> assertThat(p).containsOnly(0));
  }

  @Test
  void aSettingOtherThanTrueOrFalseIsRefusedByName() {
    List<String> failures =
        TestKit.failures(
            TestKit.jupiter()
                .selectors(selectClass(Recording.class))
                .configurationParameter("callosum.perf.idleJit", "yes")
                .execute());
    assertThat(failures)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("callosum.perf.idleJit")
        .contains("true or false")
        .contains("'yes'");
  }

  private static List<List<Integer>> record(String... settings) {
    Recording.SEEN.clear();
    run(TestKit.freshOutputDirectory(), settings);
    return List.copyOf(Recording.SEEN);
  }

  /** Runs {@link Recording} for one unprofiled measured iteration; it must pass. */
  private static void run(Path output, String... settings) {
    var kit =
        TestKit.jupiter(output)
            .selectors(selectClass(Recording.class))
            .configurationParameter("callosum.perf.iterations", "1")
            .configurationParameter("callosum.perf.profiling", "false");
    for (int i = 0; i < settings.length; i += 2) {
      kit.configurationParameter(settings[i], settings[i + 1]);
    }
    kit.execute().testEvents().assertStatistics(s -> s.succeeded(1));
  }

  /** The policies of process {@code pid}'s compiler threads now. */
  static List<Integer> policies(String pid) {
    List<Integer> policies = new ArrayList<>();
    try {
      for (String tid : IdleJit.compilerThreads(pid)) {
        try {
          policies.add(UtilLinux.policyOf(pid, tid));
        } catch (IOException e) {
          // a compiler thread ended meanwhile (the JVM starts and stops them as work comes)
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return policies;
  }
}
