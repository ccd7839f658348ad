package dev.callosum.perf.junit;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ErrorBudget;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.ManagedServer;
import dev.callosum.perf.Placement;
import dev.callosum.perf.ThroughputBudget;
import dev.callosum.perf.allure.AllureReport;
import dev.callosum.perf.baseline.Comparison;
import dev.callosum.perf.budgets.Budgets;
import dev.callosum.perf.peer.ServerStats;
import dev.callosum.perf.profile.ProfileSummary;
import dev.callosum.perf.profile.Profiler;
import dev.callosum.perf.report.BenchmarkRecord;
import dev.callosum.perf.report.ConsoleReport;
import dev.callosum.perf.report.Note;
import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The extension behind {@link RpcBenchmark}: it injects a {@link Bench} per test invocation, keeps
 * it in that invocation's store (which closes it), records a profile around the method, and after
 * it checks the budgets, the baseline and the server's leftovers, then reports the benchmark to the
 * console, the run's results and Allure.
 */
final class RpcBenchmarkExtension
    implements ParameterResolver,
        BeforeTestExecutionCallback,
        AfterTestExecutionCallback,
        AfterAllCallback,
        ExecutionCondition {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RpcBenchmarkExtension.class);
  private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Bench.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    RunState run = run(context);
    Bench bench = context.getStore(NAMESPACE).get(Bench.class, Bench.class);
    if (bench == null) { // the first Bench parameter of this invocation
      bench = new Bench(run.settings, name(context), where(context, run.settings), run.console);
      context.getStore(NAMESPACE).put(Bench.class, bench);
    }
    return bench;
  }

  /**
   * Where the benchmark's servers run: the settings' placement and command if given, else the
   * nearest {@code @RpcBenchmark}'s.
   */
  private static Bench.Where where(ExtensionContext context, BenchmarkSettings settings) {
    Optional<RpcBenchmark> annotation =
        context
            .getTestMethod()
            .flatMap(m -> AnnotationSupport.findAnnotation(m, RpcBenchmark.class))
            .or(
                () ->
                    context
                        .getTestClass()
                        .flatMap(c -> AnnotationSupport.findAnnotation(c, RpcBenchmark.class)));
    Placement annotated = annotation.map(RpcBenchmark::placement).orElse(Placement.IN_JVM);
    if (annotated == Placement.REMOTE) {
      throw new ParameterResolutionException(
          name(context)
              + ": @RpcBenchmark(placement ="
              + " REMOTE) cannot say where the server is; set callosum.perf.target=tcp://host:port"
              + " instead");
    }
    Placement placement = settings.placementOr(annotated);
    String command =
        settings.serverCommand() != null
            ? settings.serverCommand()
            : annotation.map(RpcBenchmark::serverCommand).filter(c -> !c.isBlank()).orElse(null);
    String ready =
        !settings.serverReady().isEmpty()
            ? settings.serverReady()
            : annotation.map(RpcBenchmark::serverReady).orElse("");
    if (placement == Placement.EXTERNAL && (command == null || !command.contains("{port}"))) {
      throw new ParameterResolutionException(
          name(context)
              + ": @RpcBenchmark(placement ="
              + " EXTERNAL) needs a server command with {port}, in @RpcBenchmark(serverCommand) or"
              + " the setting callosum.perf.server.command, such as 'python3 server.py --port"
              + " {port}'; it is '"
              + (command == null ? "" : command)
              + "'");
    }
    return new Bench.Where(placement, command, ready);
  }

  /** With {@code callosum.perf.list=true}, names each benchmark and runs none. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    BenchmarkSettings settings;
    try {
      settings = settings(context);
    } catch (ParameterResolutionException e) {
      return ConditionEvaluationResult.enabled("the Bench parameter reports the wrong setting");
    }
    String kind = context.getUniqueId().substring(context.getUniqueId().lastIndexOf("/[") + 2);
    boolean single = kind.startsWith("method:") || kind.startsWith("test-template-invocation:");
    if (!settings.list() || !single) {
      return ConditionEvaluationResult.enabled("running");
    }
    System.out.println(
        "callosum-perf: benchmark " + name(context) + "  " + new TreeSet<>(context.getTags()));
    return ConditionEvaluationResult.disabled("listed, not run (callosum.perf.list=true)");
  }

  @Override
  public void beforeTestExecution(ExtensionContext context) {
    RunState run = runIfReadable(context);
    if (run == null) {
      return; // the Bench parameter reports the wrong setting
    }
    run.console.benchmarkStarted(name(context));
    boolean profiling = run.settings.reports().profiling();
    boolean budgets;
    try {
      budgets = !budgets(context).isEmpty();
    } catch (ExtensionConfigurationException e) {
      budgets = false; // reported after the method, with the method's name
    }
    if (profiling || budgets) {
      try {
        context.getStore(NAMESPACE).put(Profiler.class, Profiler.start(name(context), profiling));
      } catch (IllegalStateException e) {
        System.err.println("callosum-perf: " + e.getMessage() + "; measuring without a profile");
      }
    }
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    Bench bench = store.get(Bench.class, Bench.class);
    Optional<Throwable> thrown = context.getExecutionException();
    if (thrown.isPresent() && thrown.get() instanceof TestAbortedException) {
      return; // skipped, as it says why: not a benchmark result
    }
    RunState run = runIfReadable(context);
    Budgets budgets = budgets(context);
    List<BenchmarkResult> results = bench == null ? List.of() : bench.results();
    if (thrown.isEmpty() && results.isEmpty()) {
      if (AllureReport.active()) { // a benchmark that measures by itself is filed like the rest
        AllureReport.file(
            BenchmarkRecord.family(context.getTags()),
            context.getTestClass().map(Class::getSimpleName).orElse("")
                + "."
                + context.getTestMethod().map(m -> m.getName()).orElse(""));
      }
      if (!budgets.isEmpty()) {
        throw new ExtensionConfigurationException(
            name(context)
                + " declares budgets but"
                + " measured nothing: inject a Bench and run a load with it");
      }
      return;
    }
    if (run == null) {
      return;
    }
    String name = name(context);
    double scale = run.settings.budgetScale();
    List<String> broken = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<List<Budgets.Verdict>> verdicts = new ArrayList<>();
    List<Comparison> comparisons = new ArrayList<>();
    List<ServerStats> states = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      BenchmarkResult result = results.get(i);
      String id = id(name, i, results.size());
      List<Budgets.Verdict> checked = budgets.check(result, scale);
      checked.stream().filter(v -> !v.kept()).forEach(v -> broken.add(v.message()));
      verdicts.add(checked);
      Comparison comparison =
          run.baseline == null ? null : run.baseline.compare(id, result).orElse(null);
      if (comparison != null && comparison.verdict().fails()) {
        problems.add(
            id
                + " regressed against the baseline "
                + comparison.baseline()
                + ": "
                + comparison.summary());
      }
      comparisons.add(comparison);
      ServerStats state = drained(bench.serverOf(result));
      if (state != null && (state.pending() > 0 || state.keyQueues() > 0)) {
        problems.add(
            String.format(
                Locale.ROOT,
                "requests left on the server after %s: %d"
                    + " pending, %d order-key queues (the scheduler leaks)",
                id,
                state.pending(),
                state.keyQueues()));
      }
      states.add(state);
    }
    if (!broken.isEmpty()) {
      problems.add(0, "budget broken: " + String.join("; ", broken));
    }
    BenchmarkRecord.Outcome outcome;
    String failure;
    if (thrown.isPresent()) {
      Throwable t = thrown.get();
      outcome =
          t instanceof AssertionError
              ? BenchmarkRecord.Outcome.FAILED
              : BenchmarkRecord.Outcome.BROKEN;
      failure =
          t.getMessage() == null
              ? t.getClass().getName()
              : t instanceof AssertionError
                  ? t.getMessage()
                  : t.getClass().getSimpleName() + ": " + t.getMessage();
    } else if (!problems.isEmpty()) {
      outcome = BenchmarkRecord.Outcome.FAILED;
      failure = String.join("; ", problems);
    } else {
      outcome = BenchmarkRecord.Outcome.PASSED;
      failure = null;
    }
    ProfileSummary profile = profile(store, run, name, outcome, results);
    List<BenchmarkRecord> records = new ArrayList<>();
    String className = context.getTestClass().map(Class::getSimpleName).orElse("");
    String method = context.getTestMethod().map(m -> m.getName()).orElse("");
    List<String> tags = List.copyOf(new TreeSet<>(context.getTags()));
    List<Note> notes = bench == null ? List.of() : bench.notes();
    if (results.isEmpty()) {
      records.add(
          new BenchmarkRecord(
              name,
              className,
              method,
              context.getDisplayName(),
              tags,
              null,
              List.of(),
              outcome,
              failure,
              profile,
              null,
              null,
              notes));
    }
    for (int i = 0; i < results.size(); i++) {
      records.add(
          new BenchmarkRecord(
              id(name, i, results.size()),
              className,
              method,
              context.getDisplayName(),
              tags,
              results.get(i),
              verdicts.get(i),
              outcome,
              failure,
              profile,
              comparisons.get(i),
              states.get(i),
              notes));
    }
    for (BenchmarkRecord record : records) {
      run.report.add(record);
      run.console.benchmarkFinished(record);
    }
    run.console.notes(notes);
    if (AllureReport.active()) {
      run.allureSeen();
      AllureReport.describe(records, run.settings.reports().outputDirectory());
    }
    if (thrown.isEmpty() && !problems.isEmpty()) {
      throw new AssertionFailedError(String.join("; ", problems));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    RunState run = context.getRoot().getStore(NAMESPACE).get(RunState.class, RunState.class);
    if (run != null && context.getTestClass().isPresent()) {
      String className = context.getRequiredTestClass().getSimpleName();
      run.console.classFinished(
          className,
          run.report.records().stream().filter(r -> r.className().equals(className)).toList());
    }
  }

  /**
   * Stops the profile and keeps it when profiling is on or the benchmark did not pass (a broken
   * budget always brings its profile); otherwise discards it.
   */
  private static ProfileSummary profile(
      ExtensionContext.Store store,
      RunState run,
      String name,
      BenchmarkRecord.Outcome outcome,
      List<BenchmarkResult> results) {
    Profiler profiler = store.remove(Profiler.class, Profiler.class);
    if (profiler == null) {
      return null;
    }
    if (!run.settings.reports().profiling() && outcome == BenchmarkRecord.Outcome.PASSED) {
      profiler.close();
      return null;
    }
    // The recording spans warm-ups too: estimate their requests from the measured iterations.
    long requests =
        results.stream()
            .mapToLong(
                r ->
                    Math.round(
                        r.requests()
                            / (double) r.iterations().size()
                            * (run.settings.warmups() + r.iterations().size())))
            .sum();
    try {
      return profiler.stop(run.profilePath(name), requests, true);
    } catch (RuntimeException e) {
      System.err.println("callosum-perf: no profile for " + name + ": " + e);
      return null;
    } finally {
      profiler.close();
    }
  }

  /**
   * The server's counters once its in-flight work has drained (a reply may reach the client a
   * moment before the server's bookkeeping ends); {@code null} where they cannot be read.
   */
  private static ServerStats drained(ManagedServer server) {
    if (server == null || server.stats().isEmpty()) {
      return null;
    }
    long giveUp = System.nanoTime() + DRAIN_WAIT.toNanos();
    ServerStats stats = server.stats().get();
    while ((stats.pending() > 0 || stats.keyQueues() > 0) && System.nanoTime() - giveUp < 0) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      stats = server.stats().orElse(stats);
    }
    return stats;
  }

  private static String id(String name, int index, int count) {
    return count > 1 ? name + " #" + (index + 1) : name;
  }

  /** The run's shared state, made on first use; a wrong setting fails the Bench parameter. */
  private static RunState run(ExtensionContext context) {
    BenchmarkSettings settings = settings(context);
    ExtensionContext.Store root = context.getRoot().getStore(NAMESPACE);
    Object value =
        root.getOrComputeIfAbsent(
            RunState.class,
            key -> {
              try {
                return new RunState(settings, ConsoleReport.standard());
              } catch (IllegalArgumentException e) {
                return e;
              }
            });
    if (value instanceof IllegalArgumentException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
    return (RunState) value;
  }

  private static RunState runIfReadable(ExtensionContext context) {
    try {
      return run(context);
    } catch (ParameterResolutionException e) {
      return null;
    }
  }

  /** Settings read once per run, kept in the root store. */
  private static BenchmarkSettings settings(ExtensionContext context) {
    ExtensionContext.Store root = context.getRoot().getStore(NAMESPACE);
    Object value =
        root.getOrComputeIfAbsent(
            BenchmarkSettings.class,
            key -> {
              try {
                return BenchmarkSettings.read(context::getConfigurationParameter);
              } catch (IllegalArgumentException e) {
                return e;
              }
            });
    if (value instanceof IllegalArgumentException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
    return (BenchmarkSettings) value;
  }

  /** The method's budgets; where the method declares none of a kind, the class's. */
  private static Budgets budgets(ExtensionContext context) {
    List<AnnotatedElement> scopes = new ArrayList<>();
    context.getTestMethod().ifPresent(scopes::add);
    context.getTestClass().ifPresent(scopes::add);
    List<LatencyBudget> latency = List.of();
    ThroughputBudget throughput = null;
    ErrorBudget errors = null;
    for (AnnotatedElement scope : scopes) {
      if (latency.isEmpty()) {
        latency = AnnotationSupport.findRepeatableAnnotations(scope, LatencyBudget.class);
      }
      if (throughput == null) {
        throughput = AnnotationSupport.findAnnotation(scope, ThroughputBudget.class).orElse(null);
      }
      if (errors == null) {
        errors = AnnotationSupport.findAnnotation(scope, ErrorBudget.class).orElse(null);
      }
    }
    try {
      return new Budgets(latency, throughput, errors);
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException(name(context) + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code Class.method display name}, stable across runs: without the invocation index of a
   * parameterized test, which shifts when a matrix grows or quick mode shrinks it.
   */
  private static String name(ExtensionContext context) {
    String method = context.getTestMethod().map(m -> m.getName()).orElse(context.getDisplayName());
    String display = context.getDisplayName().replaceFirst("^\\[\\d+\\]\\s*", "");
    Optional<String> type = context.getTestClass().map(Class::getSimpleName);
    String base = type.map(t -> t + "." + method).orElse(method);
    return display.startsWith(method) ? base : base + " " + display;
  }
}
