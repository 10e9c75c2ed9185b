package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.backend.postgres.TestPostgres;
import dev.cairn.storage.Durability;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Size on disk per live byte, the "space" table of {@code benchmarks/run}: the bank workload
 * through Cairn on each backend, then one {@code maintenance()}, with the store's size on disk
 * before and after against the bytes of its live values.
 *
 * <p>The workload: 1,000 accounts, then {@code transfers} transactions (default 80,000), each
 * one {@code SYNC} transaction that reads two balances, writes both and adds a ledger record of
 * a few hundred bytes (a short header and 100–700 random bytes, so neither dedup nor a codec
 * shrinks it); identity codec, no scheduled maintenance. The live bytes are read back from the
 * store ({@code entries} of both collections, each distinct content once); keys are not
 * counted. The target is the one {@code SpaceBoundTest} (integration-tests) asserts at 12,000
 * transfers: at most {@value #FACTOR} x the live bytes + {@value #SLACK_MIB} MiB after
 * maintenance.
 *
 * <pre>
 * SpaceReport --out space.json [--transfers N] backend[,backend...]
 * </pre>
 *
 * Stores go to a fresh directory under {@code $CAIRN_BENCH_DIR} and are deleted afterwards;
 * {@code postgres} runs on the embedded server of {@code TestPostgres}.
 */
public final class SpaceReport {

  /** Size on disk after maintenance may be this many times the live bytes ... */
  static final int FACTOR = 2;
  /** ... plus this much. */
  static final int SLACK_MIB = 4;

  private static final int ACCOUNTS = 1_000;

  private SpaceReport() {}

  public static void main(String[] args) throws IOException {
    Path out = null;
    int transfers = 80_000;
    String backends = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> out = Path.of(args[++i]);
        case "--transfers" -> transfers = Integer.parseInt(args[++i]);
        default -> backends = args[i];
      }
    }
    if (out == null || backends == null || transfers < 1) {
      throw new IllegalArgumentException(
          "usage: SpaceReport --out space.json [--transfers N] backend[,backend...]");
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("transfers", transfers);
    root.put("factor", FACTOR);
    root.put("slackMiB", SLACK_MIB);
    ArrayNode rows = root.putArray("space");
    for (String backend : backends.split(",")) {
      rows.add(measure(json, backend.trim(), transfers));
      json.writeValue(out.toFile(), root); // a partial result survives a later failure
    }
    System.out.println("wrote " + out);
  }

  private static ObjectNode measure(ObjectMapper json, String backend, int transfers) {
    Path dir = BenchDirs.fresh("space-" + backend);
    StorageBuilder b = Storage.builder()
        .directory(dir)
        .backend(backend)
        .codec("identity")
        .durability(Durability.SYNC)
        .noScheduledMaintenance();
    if (backend.equals("postgres")) {
      TestPostgres.get().freshOptions("space").forEach(b::backendOption);
    }
    try (Storage s = b.open()) {
      long start = System.nanoTime();
      runBank(s, transfers);
      double seconds = (System.nanoTime() - start) / 1e9;
      long before = s.stats().sizeOnDisk();
      MaintenanceReport m = s.maintenance();
      if (!m.failures().isEmpty()) {
        throw new IllegalStateException(backend + ": maintenance failed: " + m.failures());
      }
      long after = s.stats().sizeOnDisk();
      long live = liveValueBytes(s);
      long bound = FACTOR * live + ((long) SLACK_MIB << 20);
      ObjectNode n = json.createObjectNode();
      n.put("case", "space/" + backend);
      n.put("transfers", transfers);
      n.put("seconds", Math.round(seconds * 10) / 10.0);
      n.put("transfersPerSecond", Math.round(transfers / seconds));
      n.put("liveBytes", live);
      n.put("sizeBeforeMaintenance", before);
      n.put("sizeAfterMaintenance", after);
      n.put("maintenanceMs", m.duration().toMillis());
      n.put("perLiveByteBefore", Math.round(1000.0 * before / live) / 1000.0);
      n.put("perLiveByteAfter", Math.round(1000.0 * after / live) / 1000.0);
      n.put("boundBytes", bound);
      n.put("met", after <= bound);
      System.out.printf(java.util.Locale.ROOT,
          "space %s: %d transfers in %.1f s, live %.1f MiB, on disk %.1f MiB before maintenance,"
              + " %.1f MiB after (%d ms)%n",
          backend, transfers, seconds, live / 1048576.0, before / 1048576.0, after / 1048576.0,
          m.duration().toMillis());
      return n;
    } finally {
      BenchDirs.delete(dir);
    }
  }

  /** 1,000 accounts, then one durable transaction per transfer: two balances and a record. */
  static void runBank(Storage s, int transfers) {
    Map<String, byte[]> accounts = new LinkedHashMap<>();
    for (int a = 0; a < ACCOUNTS; a++) {
      accounts.put(account(a), ascii(1_000_000));
    }
    s.putAllBytes("accounts", accounts);
    Random rnd = new Random(42);
    for (int n = 0; n < transfers; n++) {
      int from = rnd.nextInt(ACCOUNTS);
      int to = (from + 1 + rnd.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
      long amount = 1 + rnd.nextInt(500);
      byte[] head = (from + "," + to + "," + amount + ";").getBytes(StandardCharsets.US_ASCII);
      byte[] entry = new byte[head.length + 100 + rnd.nextInt(601)];
      rnd.nextBytes(entry);
      System.arraycopy(head, 0, entry, 0, head.length);
      String id = String.format("t%09d", n);
      s.transaction(tx -> {
        long f = Long.parseLong(new String(tx.getBytes("accounts", account(from)).orElseThrow(),
            StandardCharsets.US_ASCII));
        long t = Long.parseLong(new String(tx.getBytes("accounts", account(to)).orElseThrow(),
            StandardCharsets.US_ASCII));
        tx.putBytes("accounts", account(from), ascii(f - amount));
        tx.putBytes("accounts", account(to), ascii(t + amount));
        tx.putBytes("ledger", id, entry);
        return null;
      });
    }
  }

  /** The bytes of the live values, each distinct content once, read back from the store. */
  static long liveValueBytes(Storage s) {
    Set<ByteBuffer> seen = new HashSet<>();
    long total = 0;
    for (String collection : new String[] {"accounts", "ledger"}) {
      try (Stream<Map.Entry<String, byte[]>> all = s.entries(collection, "")) {
        for (var it = all.iterator(); it.hasNext(); ) {
          byte[] v = it.next().getValue();
          if (seen.add(ByteBuffer.wrap(v))) {
            total += v.length;
          }
        }
      }
    }
    return total;
  }

  private static String account(int n) {
    return String.format("a%05d", n);
  }

  private static byte[] ascii(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }
}
