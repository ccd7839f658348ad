package dev.callosum.perf.junit;

import dev.callosum.perf.budgets.Budgets;
import dev.callosum.perf.budgets.ErrorBudget;
import dev.callosum.perf.budgets.LatencyBudget;
import dev.callosum.perf.budgets.ThroughputBudget;
import dev.callosum.perf.measurement.BenchmarkResult;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;

/**
 * The extension behind {@link RpcBenchmark}: it injects a {@link Bench} per test invocation, keeps
 * it in that invocation's store (which closes it), and checks the budgets after the method.
 */
final class RpcBenchmarkExtension implements ParameterResolver, AfterTestExecutionCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RpcBenchmarkExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Bench.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    BenchmarkSettings settings = settings(context);
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(Bench.class,
        key -> new Bench(settings, name(context)), Bench.class);
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    Budgets budgets = budgets(context);
    Bench bench = context.getStore(NAMESPACE).get(Bench.class, Bench.class);
    if (context.getExecutionException().isPresent() || budgets.isEmpty()) {
      return;
    }
    List<BenchmarkResult> results = bench == null ? List.of() : bench.results();
    if (results.isEmpty()) {
      throw new ExtensionConfigurationException(name(context) + " declares budgets but measured"
          + " nothing: inject a Bench and run a load with it");
    }
    double scale = bench.settings().budgetScale();
    List<String> broken = new ArrayList<>();
    for (BenchmarkResult result : results) {
      broken.addAll(budgets.violations(result, scale));
    }
    if (!broken.isEmpty()) {
      throw new AssertionFailedError("budget broken: " + String.join("; ", broken));
    }
  }

  /** Settings read once per run, kept in the root store. */
  private static BenchmarkSettings settings(ExtensionContext context) {
    ExtensionContext.Store root = context.getRoot().getStore(NAMESPACE);
    Object value = root.getOrComputeIfAbsent(BenchmarkSettings.class, key -> {
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

  private static String name(ExtensionContext context) {
    String method = context.getTestMethod().map(m -> m.getName()).orElse(context.getDisplayName());
    String display = context.getDisplayName();
    Optional<String> type = context.getTestClass().map(Class::getSimpleName);
    String base = type.map(t -> t + "." + method).orElse(method);
    return display.startsWith(method) ? base : base + " " + display;
  }
}
