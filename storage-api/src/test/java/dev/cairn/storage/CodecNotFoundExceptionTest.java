package dev.cairn.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.internal.MemoryBackendProvider;
import dev.cairn.storage.spi.Codec;
import dev.cairn.storage.spi.CodecProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written with a codec and opened without it: every read of such a record raises the
 * public {@link CodecNotFoundException}, saying which codec is missing and what to add, and
 * changes nothing, so the record reads back once the codec is there.
 */
final class CodecNotFoundExceptionTest {

  @TempDir Path dir;

  private static final byte[] VALUE =
      "a value that compresses well, well, well, well, well, well, well, well"
          .getBytes(StandardCharsets.UTF_8);

  private StorageBuilder builder() {
    return Storage.builder()
        .directory(dir)
        .backend(new MemoryBackendProvider())
        .noScheduledMaintenance();
  }

  /** Writes {@code docs/a} compressed by {@code codec}, and checks it really was. */
  private void writeWith(CodecProvider codec) {
    try (Storage s = builder().codec(codec).open()) {
      s.putBytes("docs", "a", VALUE);
      assertThat(s.metadata("docs", "a").orElseThrow().codec()).isEqualTo(codec.name());
    }
  }

  @Test
  void readingARecordOfAThirdPartyCodecThatIsNotInstalledNamesItsIdAndWhatToAdd() {
    DeflateCodecProvider acme = new DeflateCodecProvider("acme-deflate", (byte) 99);
    writeWith(acme);

    try (Storage s = builder().open()) {
      assertThatThrownBy(() -> s.getBytes("docs", "a"))
          .isInstanceOf(CodecNotFoundException.class)
          .hasMessageContaining("record docs/a")
          .hasMessageContaining("codec id 99")
          .hasMessageContaining("add the codec that declares id 99")
          .hasMessageContaining("StorageBuilder.registerCodec")
          .hasMessageContaining("installed: identity=0");
      // every read that decodes the value says the same
      assertThatThrownBy(() -> s.get("docs", "a", String.class))
          .isInstanceOf(CodecNotFoundException.class);
      assertThatThrownBy(() -> s.getValue("docs", "a"))
          .isInstanceOf(CodecNotFoundException.class);
      assertThatThrownBy(() -> s.getAll("docs", List.of("a"), byte[].class))
          .isInstanceOf(CodecNotFoundException.class);
      assertThatThrownBy(() -> s.entries("docs", "").toList())
          .isInstanceOf(CodecNotFoundException.class);
      assertThatThrownBy(() -> s.transaction(tx -> tx.getBytes("docs", "a")))
          .isInstanceOf(CodecNotFoundException.class);
      assertThatThrownBy(() -> s.admin().exportRecords(r -> { }))
          .isInstanceOf(CodecNotFoundException.class);
      assertThat(s.admin().verify().problems())
          .anySatisfy(p -> assertThat(p).contains("record docs/a").contains("codec id 99"));
      // the record is untouched
      assertThat(s.contains("docs", "a")).isTrue();
      assertThat(s.metadata("docs", "a").orElseThrow().codec()).isEqualTo("id 99");
    }

    try (Storage s = builder().registerCodec(acme).open()) {
      assertThat(s.getBytes("docs", "a")).hasValue(VALUE);
    }
  }

  @Test
  void readingARecordOfABuiltInCodecThatIsNotInstalledNamesTheCodecAndItsModule() {
    // a stand-in with zstd's id: storage-api's tests cannot depend on cairn-codec-zstd
    writeWith(new DeflateCodecProvider("zstd", (byte) 2));

    try (Storage s = builder().open()) {
      assertThatThrownBy(() -> s.getBytes("docs", "a"))
          .isInstanceOf(CodecNotFoundException.class)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("record docs/a")
          .hasMessageContaining("codec id 2 (zstd)")
          .hasMessageContaining("add the cairn-codec-zstd module");
    }
  }

  /** A compressing codec (Deflate) under any name and id. */
  private record DeflateCodecProvider(String name, byte id) implements CodecProvider {

    @Override
    public Codec create(Map<String, String> options) {
      return new Codec() {
        @Override
        public byte id() {
          return id;
        }

        @Override
        public String name() {
          return name;
        }

        @Override
        public byte[] encode(byte[] raw) {
          Deflater d = new Deflater();
          d.setInput(raw);
          d.finish();
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          byte[] buf = new byte[256];
          while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
          }
          d.end();
          return out.toByteArray();
        }

        @Override
        public byte[] decode(byte[] encoded, int rawLength) {
          Inflater i = new Inflater();
          try {
            i.setInput(encoded);
            byte[] out = new byte[rawLength];
            int n = rawLength == 0 ? 0 : i.inflate(out);
            if (n != rawLength || !i.finished()) {
              throw new DataCorruptionException("does not inflate to " + rawLength + " bytes");
            }
            return out;
          } catch (DataFormatException e) {
            throw new DataCorruptionException("bad deflate payload", e);
          } finally {
            i.end();
          }
        }
      };
    }
  }
}
