package dev.cairn.storage.internal;

import dev.cairn.storage.CodecNotFoundException;
import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import dev.cairn.storage.spi.Codec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Every installed codec by id, the codec for new writes, and the trained dictionaries.
 *
 * <p>Dictionaries are stored in the {@code meta} keyspace under a store-wide id
 * ({@code dict:<id>} holds the codec id and the dictionary; {@code dict-for:<collection>} the
 * id new writes of that collection use). Each value records the dictionary id it was encoded
 * with, so values written before and after (re)training all stay readable: retraining only adds
 * a dictionary.
 */
final class CodecRegistry {

  static final byte[] DICT_SEQ = ascii("dict-seq");
  private static final byte[] DICT_PREFIX = ascii("dict:");
  private static final byte[] DICT_FOR_PREFIX = ascii("dict-for:");

  /** An encoding result: the codec and dictionary used, and the bytes to store. */
  record Encoded(byte codecId, int dictId, byte[] bytes) {}

  /** The codecs by id ({@code id & 0xFF}): an array, read on every decode. */
  private final Codec[] byId = new Codec[256];
  private final Codec writeCodec;
  private final double minSavings;
  private final boolean dictionaries;
  private final Map<Integer, Codec> dictCodecs = new ConcurrentHashMap<>();
  private final Map<String, Integer> dictFor = new ConcurrentHashMap<>();

  CodecRegistry(Map<Byte, Codec> byId, Codec writeCodec, double minSavings, boolean dictionaries) {
    byId.forEach((id, codec) -> this.byId[id & 0xFF] = codec);
    this.writeCodec = writeCodec;
    this.minSavings = minSavings;
    this.dictionaries = dictionaries;
  }

  Codec writeCodec() {
    return writeCodec;
  }

  /** Whether the write codec can train and use dictionaries. */
  boolean dictionariesSupported() {
    return dictionaries;
  }

  boolean hasDictionary(String collection) {
    return dictFor.containsKey(collection);
  }

  Codec byId(byte id) {
    return byId[id & 0xFF];
  }

  /** Compresses if it saves at least {@code minSavings}; otherwise stores raw (identity). */
  Encoded encode(String collection, byte[] raw) {
    if (writeCodec.id() != 0 && raw.length > 0) {
      Integer dictId = dictionaries ? dictFor.get(collection) : null;
      Codec codec = dictId == null ? writeCodec : dictCodecs.get(dictId);
      byte[] c = codec.encode(raw);
      if (c.length <= raw.length - Math.max(1, (long) Math.ceil(raw.length * minSavings))) {
        return new Encoded(writeCodec.id(), dictId == null ? 0 : dictId, c);
      }
    }
    return new Encoded((byte) 0, 0, raw);
  }

  /** Decodes into exactly {@code rawLength} bytes, loading a dictionary through {@code btx}. */
  byte[] decode(byte codecId, int dictId, byte[] payload, int rawLength, Object where,
      BackendTransaction btx) {
    if (codecId == 0 && dictId == 0 && payload.length == rawLength) {
      // identity: the payload is already a copy of its own (parsed out of the stored value),
      // so it is returned as it is rather than copied once more by the identity codec
      return payload;
    }
    Codec codec = byId[codecId & 0xFF];
    if (codec == null) {
      throw missingCodec(codecId, where);
    }
    if (dictId != 0) {
      codec = dictionaryCodec(dictId, codec, where, btx);
    }
    byte[] raw;
    try {
      raw = codec.decode(payload, rawLength);
    } catch (DataCorruptionException e) {
      throw new DataCorruptionException(where + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new DataCorruptionException(where + ": " + codec.name() + " cannot decode it: " + e, e);
    }
    if (raw.length != rawLength) {
      throw new DataCorruptionException(
          where + ": decoded " + raw.length + " bytes, expected " + rawLength);
    }
    return raw;
  }

  /**
   * Whether decoding with dictionary {@code dictId} (0: none) reads the store, the dictionary
   * not being loaded yet.
   */
  boolean needsDictionaryRead(int dictId) {
    return dictId != 0 && !dictCodecs.containsKey(dictId);
  }

  private Codec dictionaryCodec(int dictId, Codec base, Object where, BackendTransaction btx) {
    Codec c = dictCodecs.get(dictId);
    if (c != null) {
      return c;
    }
    byte[] v = btx.get(RecordStore.META, dictKey(dictId));
    if (v == null) {
      throw new DataCorruptionException(where + ": its dictionary " + dictId + " is missing");
    }
    RecordFormat.StoredBlob d = RecordFormat.parseBlob(v, "dictionary " + dictId);
    if (d.codecId() != base.id()) {
      throw new DataCorruptionException(where + ": dictionary " + dictId + " belongs to codec id "
          + d.codecId() + ", not " + base.id());
    }
    Codec loaded = base.withDictionary(d.payload());
    dictCodecs.putIfAbsent(dictId, loaded);
    return loaded;
  }

  /** Loads which collection writes with which dictionary (at open). */
  void loadAssignments(BackendTransaction btx) {
    if (!dictionaries) {
      return;
    }
    try (BackendCursor c =
        btx.scan(RecordStore.META, DICT_FOR_PREFIX, Keys.prefixEnd(DICT_FOR_PREFIX))) {
      while (c.next()) {
        String collection = new String(c.key(), DICT_FOR_PREFIX.length,
            c.key().length - DICT_FOR_PREFIX.length, StandardCharsets.ISO_8859_1);
        int id = (int) RecordFormat.parseLong(c.value(), "dictionary of " + collection);
        dictionaryCodec(id, writeCodec, "dictionary of " + collection, btx);
        dictFor.put(collection, id);
      }
    }
  }

  /**
   * Stores a new dictionary for {@code collection} in {@code btx} and returns its id; call
   * {@link #activate} after the commit.
   */
  int store(BackendTransaction btx, String collection, byte[] dictionary) {
    byte[] seq = btx.get(RecordStore.META, DICT_SEQ);
    int id = seq == null ? 1 : (int) RecordFormat.parseLong(seq, "dictionary sequence") + 1;
    btx.put(RecordStore.META, DICT_SEQ, RecordFormat.encodeLong(id));
    btx.put(RecordStore.META, dictKey(id),
        RecordFormat.encodeBlob(writeCodec.id(), 0, dictionary.length, dictionary));
    btx.put(RecordStore.META,
        concat(DICT_FOR_PREFIX, collection.getBytes(StandardCharsets.ISO_8859_1)),
        RecordFormat.encodeLong(id));
    return id;
  }

  void activate(String collection, int id, byte[] dictionary) {
    dictCodecs.put(id, writeCodec.withDictionary(dictionary));
    dictFor.put(collection, id);
  }

  private static byte[] dictKey(int id) {
    return ByteBuffer.allocate(DICT_PREFIX.length + 4).put(DICT_PREFIX).putInt(id).array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Names the missing codec (by name too where the id is a built-in one) and what to add. */
  private CodecNotFoundException missingCodec(byte id, Object where) {
    String installed = java.util.Arrays.stream(byId).filter(java.util.Objects::nonNull)
        .sorted(java.util.Comparator.comparingInt(Codec::id))
        .map(c -> c.name() + "=" + c.id())
        .collect(Collectors.joining(", "));
    String codec = switch (id) {
      case 1 -> "codec id 1 (snappy)";
      case 2 -> "codec id 2 (zstd)";
      default -> "codec id " + id;
    };
    String add = switch (id) {
      case 1 -> "add the cairn-codec-snappy module to the class path";
      case 2 -> "add the cairn-codec-zstd module to the class path";
      default -> "add the codec that declares id " + id
          + " to the class path, or register it with StorageBuilder.registerCodec";
    };
    return new CodecNotFoundException(where + " is stored with " + codec
        + ", which is not installed (installed: " + installed + "); " + add
        + ". A codec on the class path that failed to start was logged when the store opened.");
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
