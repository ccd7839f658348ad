package dev.callosum.perf.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Self-contained SVG charts: no scripts, no fonts or styles from the network, so they render in a
 * browser, in the Allure report and in a file viewer alike.
 */
final class Svg {
  static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"
  };
  private static final int WIDTH = 720;
  private static final int HEIGHT = 340;
  private static final int LEFT = 78;
  private static final int RIGHT = 24;
  private static final int TOP = 40;
  private static final int BOTTOM = 58;

  private Svg() {}

  /** A named line of points. */
  record Series(String name, List<double[]> points) {}

  /** An axis: its label, whether logarithmic, how its ticks read. */
  record Axis(String label, boolean log, DoubleFunction<String> format) {}

  /**
   * A line chart with markers, one line per series, a legend and labelled axes.
   *
   * @param xTicks the values to label on x, or {@code null} for evenly spread ones
   */
  static String lines(String title, Axis x, Axis y, List<Series> series, double[] xTicks) {
    double[] xr = range(series, 0, x.log());
    double[] yr = range(series, 1, y.log());
    if (!x.log()) {
      xr[0] = Math.min(0, xr[0]);
    }
    if (!y.log()) {
      yr[0] = Math.min(0, yr[0]);
    }
    StringBuilder svg = open(title, series.stream().map(Series::name).toList());
    axes(svg, x, y, xr, yr, xTicks);
    for (int s = 0; s < series.size(); s++) {
      String color = COLORS[s % COLORS.length];
      StringBuilder path = new StringBuilder();
      for (double[] p : series.get(s).points()) {
        double px = scale(p[0], xr, x.log(), LEFT, WIDTH - RIGHT);
        double py = scale(p[1], yr, y.log(), HEIGHT - BOTTOM, TOP);
        path.append(path.length() == 0 ? "M" : "L").append(fmt(px)).append(',').append(fmt(py));
        svg.append(
            String.format(
                Locale.ROOT,
                "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\">"
                    + "<title>%s: %s, %s</title></circle>",
                fmt(px),
                fmt(py),
                color,
                Html.escape(series.get(s).name()),
                Html.escape(x.format().apply(p[0])),
                Html.escape(y.format().apply(p[1]))));
      }
      svg.append("<path d=\"")
          .append(path)
          .append("\" fill=\"none\" stroke=\"")
          .append(color)
          .append("\" stroke-width=\"2\"/>");
    }
    legend(svg, series.stream().map(Series::name).toList());
    return svg.append("</svg>").toString();
  }

  /** Grouped bars: one group per category, one bar per series. */
  static String bars(
      String title,
      String yLabel,
      List<String> categories,
      List<Series> series,
      DoubleFunction<String> format) {
    double max = 0;
    for (Series s : series) {
      for (double[] p : s.points()) {
        max = Math.max(max, p[1]);
      }
    }
    double[] yr = {0, max <= 0 ? 1 : niceCeil(max)};
    StringBuilder svg = open(title, series.stream().map(Series::name).toList());
    axes(
        svg,
        new Axis("", false, v -> ""),
        new Axis(yLabel, false, format),
        new double[] {0, 1},
        yr,
        new double[0]);
    double band = (WIDTH - LEFT - RIGHT) / (double) Math.max(1, categories.size());
    double bar = band * 0.8 / Math.max(1, series.size());
    for (int c = 0; c < categories.size(); c++) {
      double x0 = LEFT + band * c + band * 0.1;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\"" + " font-size=\"11\">%s</text>",
              fmt(LEFT + band * (c + 0.5)),
              HEIGHT - BOTTOM + 16,
              Html.escape(categories.get(c))));
      for (int s = 0; s < series.size(); s++) {
        for (double[] p : series.get(s).points()) {
          if ((int) p[0] != c) {
            continue;
          }
          double top = scale(p[1], yr, false, HEIGHT - BOTTOM, TOP);
          svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%s\" y=\"%s\" width=\"%s\""
                      + " height=\"%s\" fill=\"%s\"><title>%s · %s: %s</title></rect>",
                  fmt(x0 + bar * s),
                  fmt(top),
                  fmt(bar - 2),
                  fmt(HEIGHT - BOTTOM - top),
                  COLORS[s % COLORS.length],
                  Html.escape(categories.get(c)),
                  Html.escape(series.get(s).name()),
                  Html.escape(format.apply(p[1]))));
        }
      }
    }
    legend(svg, series.stream().map(Series::name).toList());
    return svg.append("</svg>").toString();
  }

  /** Opens the picture, tall enough for the legend's rows. */
  private static StringBuilder open(String title, List<String> legend) {
    int height = HEIGHT + LEGEND_ROW * (legendRows(legend).size() - 1);
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\""
                + " viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                + " role=\"img\"><title>%s</title><rect width=\"100%%\" height=\"100%%\""
                + " fill=\"#fff\"/><text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s"
                + "</text>",
            WIDTH,
            height,
            WIDTH,
            height,
            Html.escape(title),
            LEFT,
            Html.escape(title)));
    return svg;
  }

  private static final int LEGEND_ROW = 16;

  private static int legendWidth(String name) {
    return 24 + (int) Math.ceil(6.5 * name.length());
  }

  /** The legend's entries (their indexes) row by row, wrapped to the chart's width. */
  private static List<List<Integer>> legendRows(List<String> names) {
    List<List<Integer>> rows = new ArrayList<>();
    List<Integer> row = new ArrayList<>();
    int used = 0;
    for (int i = 0; i < names.size(); i++) {
      int w = legendWidth(names.get(i));
      if (!row.isEmpty() && used + w > WIDTH - LEFT - RIGHT) {
        rows.add(row);
        row = new ArrayList<>();
        used = 0;
      }
      row.add(i);
      used += w;
    }
    rows.add(row);
    return rows;
  }

  private static void axes(
      StringBuilder svg, Axis x, Axis y, double[] xr, double[] yr, double[] xTicks) {
    int x0 = LEFT;
    int x1 = WIDTH - RIGHT;
    int y0 = HEIGHT - BOTTOM;
    int y1 = TOP;
    svg.append(
        String.format(
            Locale.ROOT,
            "<path d=\"M%d,%dV%dH%d\" stroke=\"#333\"" + " fill=\"none\"/>",
            x0,
            y1,
            y0,
            x1));
    for (double v : ticks(yr, y.log())) {
      double py = scale(v, yr, y.log(), y0, y1);
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" x2=\"%d\" y1=\"%s\" y2=\"%s\""
                  + " stroke=\"#ddd\"/><text x=\"%d\" y=\"%s\" text-anchor=\"end\" font-size=\"11\">"
                  + "%s</text>",
              x0,
              x1,
              fmt(py),
              fmt(py),
              x0 - 6,
              fmt(py + 4),
              Html.escape(tick(y, v))));
    }
    double[] xs = xTicks != null ? xTicks : ticks(xr, x.log());
    for (double v : xs) {
      double px = scale(v, xr, x.log(), x0, x1);
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%s\" x2=\"%s\" y1=\"%d\" y2=\"%d\""
                  + " stroke=\"#333\"/><text x=\"%s\" y=\"%d\" text-anchor=\"middle\""
                  + " font-size=\"11\">%s</text>",
              fmt(px),
              fmt(px),
              y0,
              y0 + 4,
              fmt(px),
              y0 + 16,
              Html.escape(tick(x, v))));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\"" + " font-size=\"12\">%s</text>",
            (x0 + x1) / 2,
            HEIGHT - 22,
            Html.escape(x.label())));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text transform=\"translate(16,%d) rotate(-90)\""
                + " text-anchor=\"middle\" font-size=\"12\">%s</text>",
            (y0 + y1) / 2,
            Html.escape(y.label())));
  }

  private static void legend(StringBuilder svg, List<String> names) {
    List<List<Integer>> rows = legendRows(names);
    for (int r = 0; r < rows.size(); r++) {
      int x = LEFT;
      int y = HEIGHT - 12 + LEGEND_ROW * r;
      for (int i : rows.get(r)) {
        svg.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"10\""
                    + " height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">%s"
                    + "</text>",
                x,
                y,
                COLORS[i % COLORS.length],
                x + 14,
                y + 9,
                Html.escape(names.get(i))));
        x += legendWidth(names.get(i));
      }
    }
  }

  private static double[] range(List<Series> series, int axis, boolean log) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double[] p : s.points()) {
        if (log && p[axis] <= 0) {
          continue;
        }
        lo = Math.min(lo, p[axis]);
        hi = Math.max(hi, p[axis]);
      }
    }
    if (lo == Double.POSITIVE_INFINITY) {
      return new double[] {log ? 1 : 0, log ? 10 : 1};
    }
    if (log) {
      return new double[] {
        Math.pow(10, Math.floor(Math.log10(lo))), Math.pow(10, Math.ceil(Math.log10(hi * 1.0001)))
      };
    }
    if (hi == lo) {
      hi = lo + Math.max(1, Math.abs(lo));
    }
    return new double[] {lo, niceCeil(hi)};
  }

  /** A tick's label; zero is "0" on any axis, not "0 ns" beside ticks in ms. */
  static String tick(Axis axis, double v) {
    return v == 0 ? "0" : axis.format().apply(v);
  }

  private static double[] ticks(double[] r, boolean log) {
    List<Double> ticks = new ArrayList<>();
    if (log) {
      for (double v = r[0]; v <= r[1] * 1.0001; v *= 10) {
        ticks.add(v);
      }
    } else {
      double step = niceCeil((r[1] - r[0]) / 5);
      for (double v = Math.ceil(r[0] / step) * step; v <= r[1] + step / 1e6; v += step) {
        ticks.add(v);
      }
    }
    return ticks.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double niceCeil(double v) {
    if (v <= 0) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * magnitude >= v * 0.9999) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static double scale(double v, double[] r, boolean log, double from, double to) {
    double t =
        log
            ? (Math.log10(Math.max(v, r[0])) - Math.log10(r[0]))
                / (Math.log10(r[1]) - Math.log10(r[0]))
            : (v - r[0]) / (r[1] - r[0]);
    return from + t * (to - from);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** A plain number: whole numbers without decimals, others with up to two. */
  static String number(double v) {
    if (v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  /** A count with thousands separated. */
  static String count(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }
}
