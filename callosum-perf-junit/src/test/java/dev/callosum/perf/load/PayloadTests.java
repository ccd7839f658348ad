package dev.callosum.perf.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callosum.perf.Payload;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadTests {

  @ParameterizedTest
  @CsvSource({
    "64B, 64, 64 B",
    "256, 256, 256 B",
    "1KiB, 1024, 1 KiB",
    "16KB, 16384, 16 KiB",
    "10kb, 10240, 10 KiB",
    "1MiB, 1048576, 1 MiB",
    "1536, 1536, 1.5 KiB",
    "0, 0, 0 B"
  })
  void sizesAreWrittenAsPeopleWriteThem(String text, int bytes, String shown) {
    Payload payload = Payload.parse(text);

    assertThat(payload.bytes()).isEqualTo(bytes);
    assertThat(payload).hasToString(shown);
    assertThat(payload.randomBytes()).hasSize(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "KiB", "1GiB", "-1", "1.5KiB", "lots"})
  void anythingElseIsRefusedWithTheAcceptedForms(String text) {
    assertThatThrownBy(() -> Payload.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a size; write it like 64B, 1KiB or 1MiB");
  }

  @ParameterizedTest
  @ValueSource(strings = {"4096MiB", "99999999999"})
  void sizesOverTwoGibibytesAreRefused(String text) {
    assertThatThrownBy(() -> Payload.parse(text)).hasMessageContaining("larger than 2 GiB");
  }

  @org.junit.jupiter.api.Test
  void compressiblePayloadsCompressAndRandomOnesDoNot() throws java.io.IOException {
    Payload p = Payload.parse("64KiB");
    byte[] text = p.bytes(Payload.Content.COMPRESSIBLE);
    byte[] noise = p.bytes(Payload.Content.RANDOM);
    org.assertj.core.api.Assertions.assertThat(text).hasSize(65536);
    org.assertj.core.api.Assertions.assertThat(org.xerial.snappy.Snappy.compress(text).length)
        .isLessThan(65536 / 3);
    org.assertj.core.api.Assertions.assertThat(org.xerial.snappy.Snappy.compress(noise).length)
        .isGreaterThan(65536);
    org.assertj.core.api.Assertions.assertThat(Payload.Content.COMPRESSIBLE.label())
        .isEqualTo("compressible");
  }
}
