package dev.callosum.perf.testing;

import dev.callosum.perf.fixtures.PythonCallosum;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the annotated tests against real Python Callosum when a Python here imports it (the one
 * {@code callosum.perf.python} names, else {@code python3} or {@code /usr/bin/python3}, with the
 * environment's {@code PYTHONPATH}); skips them saying why when none does. With {@code
 * callosum.perf.python.required=true} (as {@code .ci/run} sets it where it installs Python
 * Callosum) they run regardless, so that a broken setup fails instead of skipping.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("python")
@ExtendWith(PythonCallosumAvailable.Condition.class)
public @interface PythonCallosumAvailable {

  final class Condition implements ExecutionCondition {
    /** The interpreter the tests use: the setting's, else null to look for one. */
    public static String interpreter() {
      String named = System.getProperty("callosum.perf.python");
      return named == null || named.isBlank() ? null : named.trim();
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      if (Boolean.getBoolean("callosum.perf.python.required")) {
        return ConditionEvaluationResult.enabled("callosum.perf.python.required=true");
      }
      try {
        PythonCallosum python = PythonCallosum.find(interpreter());
        return ConditionEvaluationResult.enabled(
            "Python Callosum " + python.version() + " with " + python.interpreter());
      } catch (IllegalStateException e) {
        return ConditionEvaluationResult.disabled(
            "skipped: no Python Callosum here: " + e.getMessage());
      }
    }
  }
}
