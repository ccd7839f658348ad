package dev.callosum.perf.protocol;

import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What a FAILURE or ERROR reply says about the exception behind it: Python's {@code [exception
 * class name, repr(exc), formatted traceback]} (WIRE.md §4).
 *
 * @param name the exception's class name, such as {@code ZeroDivisionError}
 * @param repr the exception's representation, such as {@code ZeroDivisionError('division by zero')}
 * @param traceback the server-side stack trace as text
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record ErrorInfo(String name, String repr, String traceback) {

  public ErrorInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(repr, "repr");
    Objects.requireNonNull(traceback, "traceback");
  }

  /** Describes a Java exception the way Python describes its own. */
  public static ErrorInfo of(Throwable error) {
    String name = error.getClass().getSimpleName();
    String message = error.getMessage();
    String repr = name + "(" + (message == null ? "" : pythonQuote(message)) + ")";
    StringBuilder trace = new StringBuilder(error.toString()).append('\n');
    for (StackTraceElement frame : error.getStackTrace()) {
      trace.append("\tat ").append(frame).append('\n');
    }
    return new ErrorInfo(name, repr, trace.toString());
  }

  /**
   * An error that has no Java exception behind it: a name and a message, with the repr Python would
   * write, and the message for traceback.
   */
  public static ErrorInfo of(String name, String message, String where) {
    return new ErrorInfo(
        name, name + "(" + pythonQuote(message) + ")", where + ": " + message + "\n");
  }

  /** The metadata array as it travels. */
  public List<String> toMetadata() {
    return List.of(name, repr, traceback);
  }

  /** Reads the metadata array of a FAILURE or ERROR, if it has the expected three strings. */
  public static ErrorInfo fromMetadata(List<String> metadata) {
    if (metadata == null || metadata.size() != 3) {
      return null;
    }
    return new ErrorInfo(metadata.get(0), metadata.get(1), metadata.get(2));
  }

  /** Python's repr of a str: single quotes, or double quotes when the text has single ones. */
  private static String pythonQuote(String s) {
    String escaped = s.replace("\\", "\\\\").replace("\n", "\\n");
    if (s.indexOf('\'') >= 0 && s.indexOf('"') < 0) {
      return '"' + escaped + '"';
    }
    return "'" + escaped.replace("'", "\\'") + "'";
  }
}
