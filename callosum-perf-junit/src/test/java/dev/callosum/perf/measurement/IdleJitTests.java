package dev.callosum.perf.measurement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.Payload;
import dev.callosum.perf.Placement;
import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.fixtures.ManagedServers;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.load.EchoComparison;
import dev.callosum.perf.peer.UtilLinux;
import dev.callosum.perf.testing.SchedulingScopeContract;
import dev.callosum.perf.testing.TestKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/**
 * {@link IdleJit}: while a benchmark measures after a warm-up, the JIT's compiler threads yield to
 * any thread that wakes where they run. Policies are read from the kernel's {@code /proc}.
 */
class IdleJitTests implements SchedulingScopeContract {

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
    List<Integer> seen =
        TestKit.sampledWhile(
            () -> Forked.PID.get() == null ? List.of() : policies(Forked.PID.get()),
            () ->
                TestKit.runOnce(
                    Forked.class, TestKit.freshOutputDirectory(), "callosum.perf.warmups", "1"));
    assertThat(seen)
        .as("the forked server's compiler threads: default in the warm-up, idle while measured")
        .contains(0, IdleJit.SCHED_IDLE);
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

  @Test
  void aComparisonSaysWhenTheJitCouldNotBeMadeIdle() {
    var conditions = new EchoComparison.Conditions(CpuSplit.Mode.SHARED, false, true);
    IdleJit.chrt = "no-such-chrt-here";
    try {
      EchoComparison.run(
          List.of(new EchoComparison.Case(Payload.parse("1KiB"), 1, 100)),
          1,
          conditions,
          row -> {});
    } finally {
      IdleJit.chrt = "chrt";
    }
    assertThat(EchoComparison.unmet(conditions))
        .singleElement(InstanceOfAssertFactories.STRING)
        .startsWith(
            "JIT compiler threads not SCHED_IDLE: no-such-chrt-here (util-linux) is not installed"
                + " here");
    assertThat(policies("self")).containsOnly(0);
  }

  @Override
  public Scope scope() { // this JVM's compiler threads
    return new Scope(
        () -> policies("self"),
        IdleJit.SCHED_IDLE,
        1,
        "callosum.perf.idleJit",
        "JIT threads not idle",
        command -> IdleJit.chrt = command);
  }
}
