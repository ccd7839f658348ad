package dev.callosum.perf.junit;

import dev.callosum.perf.OrderKeys;
import dev.callosum.perf.Payload;
import dev.callosum.perf.measurement.Quantities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.AnnotationBasedArgumentsProvider;
import org.junit.jupiter.params.provider.Arguments;

/** Provides the product of a {@link BenchmarkMatrix}'s dimensions, named for display. */
final class BenchmarkMatrixProvider extends AnnotationBasedArgumentsProvider<BenchmarkMatrix> {

  @Override
  protected Stream<? extends Arguments> provideArguments(
      org.junit.jupiter.params.support.ParameterDeclarations parameters,
      ExtensionContext context,
      BenchmarkMatrix matrix) {
    boolean quick;
    try {
      quick = RpcBenchmarkExtension.settings(context).quick();
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException(e.getMessage(), e);
    }
    List<List<Named<?>>> dimensions = new ArrayList<>();
    List<Named<?>> payloads = new ArrayList<>();
    for (String p : matrix.payloads()) {
      try {
        Payload payload = Payload.parse(p);
        payloads.add(Named.of(payload.toString(), payload));
      } catch (IllegalArgumentException e) {
        throw new ExtensionConfigurationException(
            "@BenchmarkMatrix(payloads): " + e.getMessage(), e);
      }
    }
    add(dimensions, payloads, quick);
    List<Named<?>> contents = new ArrayList<>();
    for (Payload.Content c : matrix.contents()) {
      contents.add(Named.of(c == Payload.Content.RANDOM ? "random bytes" : "compressible", c));
    }
    add(dimensions, contents, quick);
    List<Named<?>> delays = new ArrayList<>();
    for (String d : matrix.delays()) {
      try {
        Duration delay = Quantities.duration(d);
        delays.add(Named.of(Quantities.compact(delay.toNanos()) + " delay", delay));
      } catch (IllegalArgumentException e) {
        throw new ExtensionConfigurationException("@BenchmarkMatrix(delays): " + e.getMessage(), e);
      }
    }
    add(dimensions, delays, quick);
    List<Named<?>> clients = new ArrayList<>();
    for (int c : matrix.clients()) {
      if (c <= 0) {
        throw new ExtensionConfigurationException(
            "@BenchmarkMatrix(clients): " + c + " is not a client count; give counts >= 1");
      }
      clients.add(Named.of(c + (c == 1 ? " client" : " clients"), c));
    }
    add(dimensions, clients, quick);
    List<Named<?>> rates = new ArrayList<>();
    for (double r : matrix.rates()) {
      if (!(r > 0)) {
        throw new ExtensionConfigurationException(
            "@BenchmarkMatrix(rates): " + r + " is not a rate; give requests per second > 0");
      }
      rates.add(Named.of(String.format(Locale.ROOT, "%.0f req/s", r), r));
    }
    add(dimensions, rates, quick);
    List<Named<?>> schedulers = new ArrayList<>();
    for (var s : matrix.schedulers()) {
      schedulers.add(Named.of(s.displayName(), s));
    }
    add(dimensions, schedulers, quick);
    List<Named<?>> keys = new ArrayList<>();
    for (OrderKeys k : matrix.orderKeys()) {
      keys.add(
          Named.of(
              switch (k) {
                case NONE -> "no key";
                case SHARED -> "one shared key";
                case PER_CLIENT -> "a key per client";
              },
              k));
    }
    add(dimensions, keys, quick);
    List<Named<?>> compression = new ArrayList<>();
    for (boolean b : matrix.compression()) {
      compression.add(Named.of(b ? "snappy" : "uncompressed", b));
    }
    add(dimensions, compression, quick);
    List<Named<?>> curve = new ArrayList<>();
    for (boolean b : matrix.curve()) {
      curve.add(Named.of(b ? "CURVE" : "no CURVE", b));
    }
    add(dimensions, curve, quick);
    if (dimensions.isEmpty()) {
      throw new ExtensionConfigurationException(
          "@BenchmarkMatrix declares no dimension: give"
              + " payloads, contents, delays, clients, rates, schedulers, orderKeys, compression or"
              + " curve");
    }
    List<Object[]> product = new ArrayList<>();
    product.add(new Object[0]);
    for (List<Named<?>> dimension : dimensions) {
      List<Object[]> next = new ArrayList<>();
      for (Object[] prefix : product) {
        for (Named<?> value : dimension) {
          Object[] row = java.util.Arrays.copyOf(prefix, prefix.length + 1);
          row[prefix.length] = value;
          next.add(row);
        }
      }
      product = next;
    }
    return product.stream().map(Arguments::of);
  }

  private static void add(List<List<Named<?>>> dimensions, List<Named<?>> values, boolean quick) {
    if (values.isEmpty()) {
      return;
    }
    dimensions.add(
        quick && values.size() > 2
            ? List.of(values.get(0), values.get(values.size() - 1))
            : values);
  }
}
