package dev.callosum.perf.report;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Something a benchmark found and wants read beside its numbers, such as a tail analysis: shown in
 * the console, attached in Allure, kept in the JSON results.
 *
 * @param title a few words
 * @param text the finding, plain text
 * @since 0.1
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public record Note(String title, String text) {
  public Note {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(text, "text");
  }
}
