package dev.cairn.examples.cli;

import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

@Command(name = "stats", description = {
    "Show what the store holds and what dedup and compression save.",
    "Records and bytes per collection, savings, codecs in use and size on disk",
    "(reads every record once)."})
final class StatsCommand extends StoreCommand {

  /** Per-collection totals. */
  static final class Totals {
    long records;
    long rawBytes;
    long inlineStored;
    long deduplicated;

    Map<String, Object> json() {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("records", records);
      j.put("rawBytes", rawBytes);
      j.put("deduplicatedRecords", deduplicated);
      return j;
    }
  }

  @Override
  public Integer call() {
    try (Storage storage = openExisting()) {
      StorageAdmin admin = storage.admin();
      Map<String, Totals> perCollection = new TreeMap<>();
      Map<ByteBuffer, long[]> blobs = new HashMap<>();   // hash -> {raw, stored}
      Map<String, Long> codecs = new TreeMap<>();
      long[] inline = new long[2];                       // raw, stored
      admin.exportRecords(r -> {
        Totals t = perCollection.computeIfAbsent(r.collection(), c -> new Totals());
        RecordMetadata m = storage.metadata(r.collection(), r.key()).orElse(null);
        t.records++;
        t.rawBytes += r.value().length;
        if (m == null) {
          return;   // deleted meanwhile
        }
        codecs.merge(m.codec(), 1L, Long::sum);
        if (m.deduplicated()) {
          t.deduplicated++;
          blobs.putIfAbsent(ByteBuffer.wrap(r.contentHash()), new long[] {m.rawLength(), m.storedLength()});
        } else {
          inline[0] += m.rawLength();
          inline[1] += m.storedLength();
        }
      });
      long records = perCollection.values().stream().mapToLong(t -> t.records).sum();
      long raw = perCollection.values().stream().mapToLong(t -> t.rawBytes).sum();
      long uniqueRaw = inline[0] + blobs.values().stream().mapToLong(b -> b[0]).sum();
      long stored = inline[1] + blobs.values().stream().mapToLong(b -> b[1]).sum();
      long savedByDedup = raw - uniqueRaw;
      long savedByCompression = uniqueRaw - stored;
      long onDisk = admin.sizeOnDisk();
      if (cli.json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("store", admin.directory().toString());
        j.put("storeId", admin.storeId());
        j.put("backend", admin.backendName());
        j.put("records", records);
        j.put("rawBytes", raw);
        j.put("storedBytes", stored);
        j.put("distinctBlobs", blobs.size());
        j.put("bytesSavedByDedup", savedByDedup);
        j.put("bytesSavedByCompression", savedByCompression);
        j.put("sizeOnDisk", onDisk);
        j.put("recordsPerCodec", codecs);
        Map<String, Object> cs = new LinkedHashMap<>();
        perCollection.forEach((c, t) -> cs.put(c, t.json()));
        j.put("collections", cs);
        json(j);
        return CairnCli.OK;
      }
      var o = out();
      o.printf("store      %s (%s, id %s)%n", admin.directory(), admin.backendName(), admin.storeId());
      o.printf("records    %s in %d collection(s)%n", Fmt.count(records), perCollection.size());
      if (!perCollection.isEmpty()) {
        int width = Math.max(10, perCollection.keySet().stream().mapToInt(String::length).max().orElse(10));
        o.printf("%n  %-" + width + "s  %10s  %10s  %s%n", "collection", "records", "bytes", "deduplicated");
        perCollection.forEach((c, t) -> o.printf("  %-" + width + "s  %10s  %10s  %s%n",
            c, Fmt.count(t.records), Fmt.bytes(t.rawBytes), Fmt.count(t.deduplicated)));
        o.println();
      }
      o.printf("values     %s%n", Fmt.bytes(raw));
      o.printf("dedup      saves %s (%s): %s distinct shared values%n",
          Fmt.bytes(savedByDedup), Fmt.percent(savedByDedup, raw), Fmt.count(blobs.size()));
      o.printf("codecs     save %s (%s); records per codec %s%n",
          Fmt.bytes(savedByCompression), Fmt.percent(savedByCompression, raw), codecs);
      o.printf("stored     %s (%s of the values)%n", Fmt.bytes(stored), Fmt.percent(stored, raw));
      o.printf("on disk    %s%n", Fmt.bytes(onDisk));
    }
    return CairnCli.OK;
  }
}
