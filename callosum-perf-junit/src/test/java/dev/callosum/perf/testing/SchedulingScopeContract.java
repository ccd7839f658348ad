package dev.callosum.perf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callosum.perf.ServerSpec;
import dev.callosum.perf.junit.Bench;
import dev.callosum.perf.junit.RpcBenchmark;
import dev.callosum.perf.peer.Handler;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What a benchmark's scheduling scope promises, whichever threads it moves (ZeroMQ's I/O threads to
 * SCHED_BATCH, the JIT's to SCHED_IDLE): the policy holds in measured iterations after a warm-up
 * and nowhere else, its setting turns it off and refuses anything but true or false, and a policy
 * it could not set is a note on the result, never a failed benchmark. A test class implements it
 * (JUnit's test-interface idiom) with a benchmark of 40 calls that records, at every call, the
 * policies of the scope's threads.
 */
public interface SchedulingScopeContract {

  /**
   * The scope under test.
   *
   * @param policies the policies of the scope's threads in this JVM now
   * @param policy the policy the scope sets (the kernel's number: 3 batch, 5 idle)
   * @param threadsAtLeast the fewest threads the scope moves in a benchmark of an in-JVM server
   * @param setting the setting ({@code callosum.perf.…}) that turns the scope on and off
   * @param notSetNote how a result says that the policy was not set
   * @param useChrt points the scope at another {@code chrt} command
   */
  record Scope(
      Supplier<List<Integer>> policies,
      int policy,
      int threadsAtLeast,
      String setting,
      String notSetNote,
      Consumer<String> useChrt) {}

  /** A benchmark of 40 calls to an in-JVM server; each call records {@link #POLICIES}. */
  @RpcBenchmark
  final class Recording {
    static final List<List<Integer>> SEEN = new CopyOnWriteArrayList<>();
    static volatile Supplier<List<Integer>> POLICIES = List::of;

    @Test
    void calls(Bench bench) {
      Handler recording =
          Handler.of(
              body -> {
                SEEN.add(POLICIES.get());
                return body;
              });
      bench.closedLoop(bench.server(ServerSpec.handler("recording", recording))).requests(40).run();
    }
  }

  Scope scope();

  @Test
  default void aBenchmarkSetsThePolicyWhileItMeasuresAfterAWarmUp() {
    List<List<Integer>> seen = record(TestKit.freshOutputDirectory(), "callosum.perf.warmups", "1");
    assertThat(seen).hasSize(80);
    assertThat(seen.subList(0, 40))
        .as("in the warm-up")
        .allSatisfy(p -> assertThat(p).isNotEmpty().containsOnly(0));
    assertThat(seen.subList(40, 80))
        .as("in the measured iteration")
        .allSatisfy(p -> assertThat(p).hasSizeGreaterThanOrEqualTo(scope().threadsAtLeast()))
        .allSatisfy(p -> assertThat(p).containsOnly(scope().policy()));
    assertThat(scope().policies().get()).as("after the benchmark").doesNotContain(scope().policy());
  }

  @Test
  default void withoutAWarmUpOrWhenTurnedOffTheThreadsKeepTheDefaultPolicy() {
    assertThat(record(TestKit.freshOutputDirectory(), "callosum.perf.warmups", "0"))
        .as("no warm-up: the JIT may still be compiling")
        .hasSize(40)
        .allSatisfy(p -> assertThat(p).containsOnly(0));
    assertThat(
            record(
                TestKit.freshOutputDirectory(),
                "callosum.perf.warmups",
                "1",
                scope().setting(),
                "false"))
        .hasSize(80)
        .allSatisfy(p -> assertThat(p).containsOnly(0));
  }

  @Test
  default void whereThePolicyCannotBeSetTheResultSaysWhy() {
    Path output = TestKit.freshOutputDirectory();
    scope().useChrt().accept("no-such-chrt-here");
    List<List<Integer>> seen;
    try {
      seen = record(output, "callosum.perf.warmups", "1");
    } finally {
      scope().useChrt().accept("chrt");
    }
    assertThat(TestKit.resultsJson(output))
        .contains(scope().notSetNote())
        .contains("no-such-chrt-here (util-linux) is not installed here");
    assertThat(seen).allSatisfy(p -> assertThat(p).containsOnly(0));
  }

  @Test
  default void aSettingOtherThanTrueOrFalseIsRefusedByName() {
    assertThat(TestKit.refusal(Recording.class, scope().setting(), "yes"))
        .contains(scope().setting())
        .contains("true or false")
        .contains("'yes'");
  }

  private List<List<Integer>> record(Path output, String... settings) {
    Recording.SEEN.clear();
    Recording.POLICIES = scope().policies();
    TestKit.runOnce(Recording.class, output, settings);
    return List.copyOf(Recording.SEEN);
  }
}
