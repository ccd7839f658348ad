package dev.callosum.perf.junit;

import dev.callosum.perf.BenchmarkResult;
import dev.callosum.perf.ErrorBudget;
import dev.callosum.perf.LatencyBudget;
import dev.callosum.perf.Placement;
import dev.callosum.perf.ThroughputBudget;
import dev.callosum.perf.budgets.Budgets;
import dev.callosum.perf.profile.ProfileSummary;
import dev.callosum.perf.report.BenchmarkRecord;
import dev.callosum.perf.report.ConsoleReport;
import dev.callosum.perf.report.Note;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
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
 * it in that invocation's store (which closes it), says which runs get a profiled iteration, and
 * after it checks the budgets, the baseline and the server's leftovers, then reports the benchmark
 * to the console, the run's results and Allure.
 */
final class RpcBenchmarkExtension
    implements ParameterResolver,
        BeforeTestExecutionCallback,
        AfterTestExecutionCallback,
        AfterAllCallback,
        ExecutionCondition {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RpcBenchmarkExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Bench.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    RunState run;
    try {
      run = run(context);
    } catch (IllegalArgumentException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
    Bench bench = context.getStore(NAMESPACE).get(Bench.class, Bench.class);
    if (bench == null) { // the first Bench parameter of this invocation
      Bench.Where where = where(context, run.settings);
      Profiling profiling = profiling(context, run.settings, where);
      context.getStore(NAMESPACE).put(Profiling.class, profiling);
      bench =
          new Bench(run.settings, name(context), where, run.console, run::profilePath, profiling);
      context.getStore(NAMESPACE).put(Bench.class, bench);
    }
    return bench;
  }

  /**
   * Which of the benchmark's runs get a profiled iteration: every run with profiling on or a server
   * profiler set, else a run that breaks one of its budgets; none when the benchmark says
   * {@code @RpcBenchmark(profiled = false)}.
   */
  private static Profiling profiling(
      ExtensionContext context, BenchmarkSettings settings, Bench.Where where) {
    if (!annotation(context).map(RpcBenchmark::profiled).orElse(true)) {
      return Profiling.NEVER;
    }
    String name = name(context);
    if (settings.reports().profiling() || settings.reports().serverProfiler() != null) {
      return new Profiling(name, result -> true);
    }
    Budgets budgets;
    try {
      budgets = budgets(context);
    } catch (ExtensionConfigurationException e) {
      return Profiling.NEVER; // reported after the method, with the method's name
    }
    Placement placement = where.placementUnder(settings);
    if (budgets.isEmpty() || settings.budgetsOff(placement, name).isPresent()) {
      return Profiling.NEVER;
    }
    double scale = settings.budgetScale(placement);
    return new Profiling(name, result -> !budgets.violations(result, scale).isEmpty());
  }

  /** The nearest {@code @RpcBenchmark}: the method's, else its class's. */
  private static Optional<RpcBenchmark> annotation(ExtensionContext context) {
    return context
        .getTestMethod()
        .flatMap(m -> AnnotationSupport.findAnnotation(m, RpcBenchmark.class))
        .or(
            () ->
                context
                    .getTestClass()
                    .flatMap(c -> AnnotationSupport.findAnnotation(c, RpcBenchmark.class)));
  }

  /**
   * Where the benchmark's servers run: the settings' placement and command if given, else the
   * nearest {@code @RpcBenchmark}'s.
   */
  private static Bench.Where where(ExtensionContext context, BenchmarkSettings settings) {
    Optional<RpcBenchmark> annotation = annotation(context);
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
    } catch (IllegalArgumentException e) {
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
  }

  /**
   * Gathers what the benchmark measured and how it ended, has the verdicts reached, and hands the
   * records to the run, which reports them; then fails the test if a verdict says so.
   */
  @Override
  public void afterTestExecution(ExtensionContext context) {
    Optional<Throwable> thrown = context.getExecutionException();
    if (thrown.isPresent() && thrown.get() instanceof TestAbortedException) {
      return; // skipped, as it says why: not a benchmark result
    }
    Bench bench = context.getStore(NAMESPACE).get(Bench.class, Bench.class);
    Budgets budgets = budgets(context);
    List<BenchmarkResult> results = bench == null ? List.of() : bench.results();
    RunState run = runIfReadable(context);
    List<Note> notes = bench == null ? List.of() : bench.notes();
    if (thrown.isEmpty() && results.isEmpty()) {
      if (!budgets.isEmpty()) {
        throw new ExtensionConfigurationException(
            name(context)
                + " declares budgets but measured nothing: inject a Bench and run a load with it");
      }
      if (run != null && notes.isEmpty()) {
        run.fileUnmeasured(family(context), story(context));
        return;
      }
      // A benchmark that measured by itself and noted what it found: its notes are its record.
    }
    if (run == null) {
      return;
    }
    String name = name(context);
    Placement placement = bench == null ? null : bench.placement();
    Optional<String> off =
        placement == null ? Optional.empty() : run.settings.budgetsOff(placement, name);
    if (off.isPresent() && !budgets.isEmpty()) {
      budgets = new Budgets(List.of(), null, null);
      notes = new ArrayList<>(notes);
      notes.add(
          new Note(
              "Budgets not judged",
              "The setting "
                  + off.get()
                  + " names this benchmark, so its budgets are not judged against a "
                  + placement.label()
                  + " server; its numbers are reported as measured."));
    }
    Verdicts verdicts =
        Verdicts.judge(
            name,
            results,
            budgets,
            placement == null ? run.settings.budgetScale() : run.settings.budgetScale(placement),
            run.baseline,
            bench::serverOf);
    BenchmarkRecord.Outcome outcome = outcome(thrown, verdicts);
    String failure = thrown.map(RpcBenchmarkExtension::describe).orElse(verdicts.failure());
    ProfileSummary profile = profile(context, run, name, results);
    run.publish(records(context, name, verdicts, outcome, failure, profile, notes), notes);
    if (thrown.isEmpty() && !verdicts.passed()) {
      throw new AssertionFailedError(verdicts.failure());
    }
  }

  private static BenchmarkRecord.Outcome outcome(Optional<Throwable> thrown, Verdicts verdicts) {
    if (thrown.isPresent()) {
      return thrown.get() instanceof AssertionError
          ? BenchmarkRecord.Outcome.FAILED
          : BenchmarkRecord.Outcome.BROKEN;
    }
    return verdicts.passed() ? BenchmarkRecord.Outcome.PASSED : BenchmarkRecord.Outcome.FAILED;
  }

  /** What the test threw, as reports say it. */
  private static String describe(Throwable t) {
    if (t.getMessage() == null) {
      return t.getClass().getName();
    }
    return t instanceof AssertionError
        ? t.getMessage()
        : t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  /** One record per result, or one without a result for a benchmark that failed before any. */
  private static List<BenchmarkRecord> records(
      ExtensionContext context,
      String name,
      Verdicts verdicts,
      BenchmarkRecord.Outcome outcome,
      String failure,
      ProfileSummary profile,
      List<Note> notes) {
    String className = context.getTestClass().map(Class::getSimpleName).orElse("");
    String method = context.getTestMethod().map(m -> m.getName()).orElse("");
    List<String> tags = List.copyOf(new TreeSet<>(context.getTags()));
    if (verdicts.judged().isEmpty()) {
      return List.of(
          new BenchmarkRecord(
              name,
              className,
              method,
              context.getDisplayName(),
              context.getUniqueId(),
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
    List<Verdicts.Judged> judged = verdicts.judged();
    return java.util.stream.IntStream.range(0, judged.size())
        .mapToObj(
            k -> {
              Verdicts.Judged j = judged.get(k);
              return new BenchmarkRecord(
                  j.id(),
                  className,
                  method,
                  rowName(context.getDisplayName(), j.result(), k, judged.size()),
                  context.getUniqueId(),
                  tags,
                  j.result(),
                  j.budgets(),
                  outcome,
                  failure,
                  profile,
                  j.baseline(),
                  j.serverState(),
                  notes);
            })
        .toList();
  }

  /**
   * A row's name: the invocation's, and, when the invocation measured several times, what each run
   * was ({@code .label(...)}) or its place, so that no two rows read the same.
   */
  private static String rowName(String displayName, BenchmarkResult result, int k, int of) {
    if (of == 1) {
      return displayName;
    }
    String label = result.parameters().get("run");
    return displayName + " · " + (label != null ? label : "run " + (k + 1) + " of " + of);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    RunState run = context.getRoot().getStore(NAMESPACE).get(RunState.class, RunState.class);
    if (run != null && context.getTestClass().isPresent()) {
      run.classFinished(context.getRequiredTestClass().getSimpleName());
    }
  }

  /** Stops the profile its profiled iterations recorded, if any; null without one. */
  private static ProfileSummary profile(
      ExtensionContext context, RunState run, String name, List<BenchmarkResult> results) {
    Profiling profiling = context.getStore(NAMESPACE).remove(Profiling.class, Profiling.class);
    if (profiling == null || profiling.used().isEmpty()) {
      return null;
    }
    try {
      return profiling
          .used()
          .get()
          .stop(
              run.profilePath(name),
              true,
              results.stream().flatMap(r -> r.serverProfile().stream()).toList());
    } catch (RuntimeException e) {
      System.err.println("callosum-perf: no profile for " + name + ": " + e);
      return null;
    } finally {
      profiling.close();
    }
  }

  /** The run's shared state, made on first use; a wrong setting fails the Bench parameter. */
  private static RunState run(ExtensionContext context) {
    BenchmarkSettings settings = settings(context);
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            RunState.class,
            key -> new RunState(settings, ConsoleReport.standard()),
            RunState.class);
  }

  /** The run's state, or null when a wrong setting keeps it from being made. */
  private static RunState runIfReadable(ExtensionContext context) {
    try {
      return run(context);
    } catch (IllegalArgumentException e) {
      return null; // the Bench parameter reports it
    }
  }

  /**
   * The run's settings, read once and kept in the root store; every reader (the extension, {@link
   * BenchmarkMatrix}) gets these, or the same error for a wrong value.
   *
   * @throws IllegalArgumentException naming the wrong setting and what it takes
   */
  static BenchmarkSettings settings(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            BenchmarkSettings.class,
            key -> BenchmarkSettings.read(context::getConfigurationParameter),
            BenchmarkSettings.class);
  }

  private static String family(ExtensionContext context) {
    return BenchmarkRecord.family(context.getTags());
  }

  private static String story(ExtensionContext context) {
    return context.getTestClass().map(Class::getSimpleName).orElse("")
        + "."
        + context.getTestMethod().map(m -> m.getName()).orElse("");
  }

  /**
   * The method's budgets, read once per invocation; where the method declares none of a kind, the
   * class's.
   */
  private static Budgets budgets(ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Budgets.class, key -> readBudgets(context), Budgets.class);
  }

  private static Budgets readBudgets(ExtensionContext context) {
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
