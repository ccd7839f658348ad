package dev.callosum.perf.cli;

import dev.callosum.perf.Payload;
import dev.callosum.perf.measurement.Quantities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and {@code --flag} arguments, with errors that name the option. */
final class Args {
  private final String command;
  private final Map<String, List<String>> values = new HashMap<>();
  private final Set<String> flags = new HashSet<>();
  private final Set<String> used = new HashSet<>();

  /** Thrown for a wrong command line; the message is meant for the person who typed it. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  Args(String command, String[] argv, int from, Set<String> flagNames) {
    this.command = command;
    for (int i = from; i < argv.length; i++) {
      String arg = argv[i];
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        values
            .computeIfAbsent(name.substring(0, eq), k -> new ArrayList<>())
            .add(name.substring(eq + 1));
      } else if (flagNames.contains(name)) {
        flags.add(name);
      } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(argv[++i]);
      } else {
        throw new UsageException("--" + name + " needs a value");
      }
    }
  }

  String command() {
    return command;
  }

  boolean flag(String name) {
    used.add(name);
    return flags.contains(name);
  }

  /** {@code --name true|false}; anything else is a usage error that names it. */
  boolean trueOrFalse(String name, boolean fallback) {
    String v = string(name, Boolean.toString(fallback));
    if (!v.equals("true") && !v.equals("false")) {
      throw new UsageException("--" + name + ": true or false, not '" + v + "'");
    }
    return Boolean.parseBoolean(v);
  }

  String string(String name, String fallback) {
    used.add(name);
    List<String> v = values.get(name);
    return v == null ? fallback : v.get(v.size() - 1);
  }

  List<String> all(String name) {
    used.add(name);
    return values.getOrDefault(name, List.of());
  }

  String required(String name, String what) {
    String v = string(name, null);
    if (v == null) {
      throw new UsageException("--" + name + " is required: " + what);
    }
    return v;
  }

  int positiveInt(String name, int fallback) {
    String v = string(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.replace("_", ""));
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--" + name + " expects a positive whole number, got '" + v + "'");
  }

  int nonNegativeInt(String name, int fallback) {
    String v = string(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.replace("_", ""));
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--" + name + " expects a whole number >= 0, got '" + v + "'");
  }

  Payload size(String name, String fallback) {
    String v = string(name, fallback);
    try {
      return Payload.parse(v);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + name + ": " + e.getMessage());
    }
  }

  /** {@code 500ms}, {@code 5s}, {@code 2m}, or ISO-8601 such as {@code PT5S}. */
  Duration duration(String name, Duration fallback) {
    String v = string(name, null);
    if (v == null) {
      return fallback;
    }
    if (v.trim().equals("0") || v.trim().equals("0ms")) {
      return Duration.ZERO;
    }
    try {
      return parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "--" + name + " expects a duration like 500ms, 5s or 2m, got '" + v + "'");
    }
  }

  static Duration parseDuration(String v) {
    String t = v.trim();
    Duration d =
        t.toLowerCase(java.util.Locale.ROOT).startsWith("pt")
            ? Duration.parse(t.toUpperCase(java.util.Locale.ROOT))
            : Quantities.duration(t);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(v);
    }
    return d;
  }

  /** Fails on options the command does not know, listing the ones it does. */
  void rejectUnknown() {
    Set<String> given = new HashSet<>(values.keySet());
    given.addAll(flags);
    given.removeAll(used);
    if (!given.isEmpty()) {
      throw new UsageException(
          "unknown option"
              + (given.size() > 1 ? "s" : "")
              + " --"
              + String.join(", --", given)
              + "; known: --"
              + String.join(", --", new java.util.TreeSet<>(used)));
    }
  }
}
