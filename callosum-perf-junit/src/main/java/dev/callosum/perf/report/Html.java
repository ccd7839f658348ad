package dev.callosum.perf.report;

import org.apiguardian.api.API;

/** Text made safe for HTML and SVG, element content and attribute values alike. */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class Html {
  private Html() {}

  public static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
