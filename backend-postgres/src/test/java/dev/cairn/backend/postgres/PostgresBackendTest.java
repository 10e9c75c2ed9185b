package dev.cairn.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.storage.Durability;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.TransactionConflictException;
import dev.cairn.storage.spi.Backend;
import dev.cairn.storage.spi.BackendConfig;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend on a real server: CRUD, order, isolation, rollback, snapshots, conflicts. */
final class PostgresBackendTest {

  static final Set<String> KEYSPACES = Set.of("records", "meta");

  @TempDir Path dir;
  private final List<Backend> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(Backend::close);
  }

  private Backend open(Path d, Map<String, String> options) {
    Backend b = new PostgresBackendProvider().open(new BackendConfig(d, KEYSPACES, options));
    opened.add(b);
    return b;
  }

  private Backend open() {
    return open(dir.resolve("store"), TestPostgres.get().freshOptions("be"));
  }

  static byte[] b(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }

  @Test
  void putGetDeleteRoundTrip() {
    Backend be = open();
    try (BackendTransaction tx = be.beginWrite()) {
      tx.put("records", b(1), b(10));
      tx.put("records", b(2), new byte[0]);
      tx.put("meta", b(1), b(99));
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction tx = be.beginWrite()) {
      assertThat(tx.get("records", b(1))).containsExactly(10);
      assertThat(tx.get("records", b(2))).isEmpty();
      assertThat(tx.get("meta", b(1))).containsExactly(99);
      assertThat(tx.get("records", b(3))).isNull();
      tx.put("records", b(1), b(11));
      assertThat(tx.delete("records", b(2))).isTrue();
      assertThat(tx.delete("records", b(2))).isFalse();
      tx.commit(Durability.ASYNC);
    }
    try (BackendTransaction tx = be.beginRead()) {
      assertThat(tx.get("records", b(1))).containsExactly(11);
      assertThat(tx.get("records", b(2))).isNull();
      assertThatThrownBy(() -> tx.put("records", b(5), b(5))).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> tx.get("nope", b(5))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("nope");
    }
  }

  @Test
  void scanLargerThanOneFetchPageIsComplete() {
    Backend be = open();
    try (BackendTransaction tx = be.beginWrite()) {
      for (int i = 0; i < 1000; i++) {
        tx.put("records", java.nio.ByteBuffer.allocate(4).putInt(i).array(), b(i & 0xff));
      }
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction tx = be.beginRead()) {
      int n = 0;
      try (BackendCursor c = tx.scan("records", null, null)) {
        while (c.next()) {
          assertThat(java.nio.ByteBuffer.wrap(c.key()).getInt()).isEqualTo(n);
          // another statement while the portal is open
          assertThat(tx.get("records", c.key())).isEqualTo(c.value());
          n++;
        }
      }
      assertThat(n).isEqualTo(1000);
    }
  }

  @Test
  void readTransactionKeepsItsSnapshotAndSeesNoUncommittedWrite() {
    Backend be = open();
    try (BackendTransaction tx = be.beginWrite()) {
      tx.put("records", b(1), b(1));
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction read = be.beginRead()) {
      try (BackendTransaction w = be.beginWrite()) {
        w.put("records", b(1), b(2));
        w.put("records", b(2), b(2));
        try (BackendTransaction other = be.beginRead()) {
          assertThat(other.get("records", b(1))).as("uncommitted write").containsExactly(1);
        }
        w.commit(Durability.SYNC);
      }
      // begun before the commit: its snapshot was pinned at begin, before the first read
      assertThat(read.get("records", b(1))).containsExactly(1);
      assertThat(read.get("records", b(2))).isNull();
    }
    try (BackendTransaction read = be.beginRead()) {
      assertThat(read.get("records", b(1))).containsExactly(2);
    }
  }

  @Test
  void concurrentReadModifyWriteOfOneKeyIsAConflict() {
    Map<String, String> options = TestPostgres.get().freshOptions("conflict");
    Backend one = open(dir.resolve("one"), options);
    Backend two = open(dir.resolve("two"), options);
    try (BackendTransaction tx = one.beginWrite()) {
      tx.put("records", b(1), b(0));
      tx.commit(Durability.SYNC);
    }
    BackendTransaction a = one.beginWrite();
    BackendTransaction c = two.beginWrite();
    try {
      assertThat(a.get("records", b(1))).containsExactly(0);
      assertThat(c.get("records", b(1))).containsExactly(0);
      a.put("records", b(1), b(1));
      a.commit(Durability.SYNC);
      assertThatThrownBy(() -> {
        c.put("records", b(1), b(2));
        c.commit(Durability.SYNC);
      }).isInstanceOf(TransactionConflictException.class).hasMessageContaining("40001");
    } finally {
      a.close();
      c.close();
    }
    try (BackendTransaction tx = two.beginRead()) {
      assertThat(tx.get("records", b(1))).containsExactly(1);
    }
  }

  @Test
  void writeSkewBetweenTwoInstancesIsAConflict() {
    // each reads both keys and writes the other one: fine under REPEATABLE READ, not serializable
    Map<String, String> options = TestPostgres.get().freshOptions("skew");
    Backend one = open(dir.resolve("one"), options);
    Backend two = open(dir.resolve("two"), options);
    BackendTransaction a = one.beginWrite();
    BackendTransaction c = two.beginWrite();
    try {
      assertThat(a.get("records", b(1))).isNull();
      assertThat(a.get("records", b(2))).isNull();
      assertThat(c.get("records", b(1))).isNull();
      assertThat(c.get("records", b(2))).isNull();
      a.put("records", b(1), b(1));
      c.put("records", b(2), b(2));
      a.commit(Durability.SYNC);
      assertThatThrownBy(() -> c.commit(Durability.SYNC))
          .isInstanceOf(TransactionConflictException.class);
      assertThatCode(c::rollback).as("rollback after a failed commit").doesNotThrowAnyException();
    } finally {
      a.close();
      c.close();
    }
  }

  @Test
  void snapshotWhileWritingIsConsistentAndOpensAsItsOwnStore() throws Exception {
    Backend be = open();
    try (BackendTransaction tx = be.beginWrite()) {
      tx.put("records", b(0), b(0, 0, 0, 0));
      tx.put("meta", b(0), b(0, 0, 0, 0));
      tx.commit(Durability.SYNC);
    }
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<Integer> writer = pool.submit(() -> {
      int i = 0;
      while (!stop.get()) {
        i++;
        try (BackendTransaction tx = be.beginWrite()) {
          byte[] v = java.nio.ByteBuffer.allocate(4).putInt(i).array();
          tx.put("records", b(0), v); // both keyspaces always hold the same counter
          tx.put("meta", b(0), v);
          tx.put("records", java.nio.ByteBuffer.allocate(4).putInt(i).array(), v);
          tx.commit(Durability.ASYNC);
        }
      }
      return i;
    });
    Thread.sleep(100);
    Path snap = dir.resolve("snap");
    be.snapshotTo(snap);
    stop.set(true);
    int written = writer.get(30, TimeUnit.SECONDS);
    pool.shutdown();
    assertThat(Files.readString(snap.resolve("postgres.properties"))).contains("_snap_")
        .doesNotContain("password=");
    Backend copy = open(snap, TestPostgres.get().freshOptions("ignored"));
    try (BackendTransaction tx = copy.beginRead()) {
      byte[] r = tx.get("records", b(0));
      assertThat(tx.get("meta", b(0))).as("both keyspaces from one snapshot").isEqualTo(r);
      int counter = java.nio.ByteBuffer.wrap(r).getInt();
      assertThat(counter).isLessThanOrEqualTo(written);
      assertThat(tx.count("records", null, null)).as("rows 1..counter plus key 0")
          .isEqualTo(counter + 1L);
    }
    try (BackendTransaction tx = copy.beginWrite()) {
      tx.put("records", b(0), b(9)); // the copy is independent of the original
      tx.commit(Durability.SYNC);
    }
    try (BackendTransaction tx = be.beginRead()) {
      assertThat(tx.get("records", b(0))).isNotEqualTo(b(9));
    }
    assertThatThrownBy(() -> be.snapshotTo(snap)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not empty");
  }

  @Test
  void reopeningADirectoryFollowsItsDescriptor() {
    Path d = dir.resolve("store");
    Map<String, String> options = TestPostgres.get().freshOptions("reopen");
    Backend first = open(d, options);
    try (BackendTransaction tx = first.beginWrite()) {
      tx.put("records", b(1), b(1));
      tx.commit(Durability.SYNC);
    }
    first.close();
    // no postgres.url any more: the descriptor in the directory says where the store is
    Backend again = open(d, Map.of());
    try (BackendTransaction tx = again.beginRead()) {
      assertThat(tx.get("records", b(1))).containsExactly(1);
    }
    assertThat(again.sizeOnDisk()).isPositive();
    again.optimize();
  }

  @Test
  void closeRollsBackOpenTransactionsAndRefusesNewOnes() {
    Backend be = open();
    BackendTransaction tx = be.beginWrite();
    tx.put("records", b(1), b(1));
    be.close();
    assertThatThrownBy(() -> tx.get("records", b(1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(be::beginRead).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(be::optimize).isInstanceOf(StorageClosedException.class);
    be.close();
  }

  @Test
  void badOptionsAreReportedTogether() {
    Map<String, String> bad = new HashMap<>();
    bad.put("postgres.poolSize", "0");
    bad.put("postgres.schema", "Bad-Name");
    bad.put("postgres.colour", "blue");
    assertThatThrownBy(() -> open(dir.resolve("bad"), bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("postgres.url (not set) is required")
        .hasMessageContaining("postgres.poolSize")
        .hasMessageContaining("postgres.schema")
        .hasMessageContaining("postgres.colour");
  }

  @Test
  void unreachableServerIsABackendExceptionNamingTheServer() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Map<String, String> options = Map.of(
        "postgres.url", "jdbc:postgresql://127.0.0.1:" + port + "/x?connectTimeout=1",
        "postgres.connectTimeoutMs", "500");
    assertThatThrownBy(() -> open(dir.resolve("down"), options))
        .isInstanceOf(dev.cairn.storage.BackendException.class)
        .hasMessageContaining("127.0.0.1:" + port);
    assertThat(dir.resolve("down").resolve("postgres.properties")).doesNotExist();
  }

  @Test
  void aPasswordInTheUrlIsRefusedWithoutBeingEchoed() {
    Map<String, String> options = Map.of(
        "postgres.url", TestPostgres.get().url() + "?user=postgres&password=hunter2");
    assertThatThrownBy(() -> open(dir.resolve("secret"), options))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("postgres.passwordEnv")
        .hasMessageNotContaining("hunter2");
  }

  /** Runs {@code open} with System.err captured (slf4j-simple logs there); returns the log. */
  private static String logOf(Runnable open) {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      open.run();
    } finally {
      System.setErr(err);
    }
    return log.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Every message of {@code t} and its causes and suppressed exceptions, with stack traces. */
  private static String everything(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  /**
   * A password in the URL's user information ({@code user:password@host}) reached exception
   * messages. It is refused like {@code password=}, and no message, cause or log line of the
   * refusal (nor of a descriptor naming such a URL) contains it.
   */
  @Test
  void aPasswordInTheUrlsUserInfoIsInNoMessageNorLogLine() throws Exception {
    String url = TestPostgres.get().url(); // jdbc:postgresql://127.0.0.1:port/postgres
    String withUserInfo = url.replace("//", "//postgres:hunter2@");
    List<Map<String, String>> cases = List.of(
        Map.of("postgres.url", withUserInfo),
        Map.of("postgres.url", withUserInfo + "?sslmode=disable&password=hunter2"),
        Map.of("postgres.url", "jdbc:mysql://root:hunter2@db.example/app", "postgres.schema", "x"),
        Map.of("postgres.url", withUserInfo, "postgres.poolSize", "0"));
    int i = 0;
    for (Map<String, String> options : cases) {
      Path d = dir.resolve("secret" + i++);
      List<Throwable> thrown = new ArrayList<>();
      String log = logOf(() -> thrown.add(org.assertj.core.api.Assertions.catchThrowable(
          () -> open(d, options))));
      assertThat(thrown.get(0)).as("%s", options.keySet()).isInstanceOf(IllegalArgumentException.class);
      assertThat(everything(thrown.get(0))).doesNotContain("hunter2").contains("postgres.url");
      assertThat(log).doesNotContain("hunter2");
      assertThat(d.resolve("postgres.properties")).doesNotExist();
    }
    // a hand-edited descriptor naming such a URL, reopened with a differing option (logged)
    Path d = dir.resolve("descriptor");
    Files.createDirectories(d);
    Files.writeString(d.resolve("postgres.properties"),
        "url=" + withUserInfo.replace(":", "\\:") + "\nschema=cairn\n");
    List<Throwable> thrown = new ArrayList<>();
    String log = logOf(() -> thrown.add(org.assertj.core.api.Assertions.catchThrowable(
        () -> open(d, Map.of("postgres.url", url.replace("127.0.0.1", "localhost"))))));
    assertThat(thrown.get(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(everything(thrown.get(0))).doesNotContain("hunter2").doesNotContain("hunter3");
    assertThat(log).contains("is ignored").doesNotContain("hunter2").doesNotContain("hunter3");
  }

  /**
   * {@code postgres.schema=information_schema} was accepted and the store's tables created in
   * it. Every schema PostgreSQL reserves for itself is refused before anything is created.
   */
  @Test
  void reservedSchemasAreRefusedBeforeAnythingIsCreated() throws Exception {
    for (String schema : List.of("information_schema", "pg_catalog", "pg_toast", "pg_temp_1",
        "pg_cairn")) {
      Map<String, String> options = new HashMap<>(TestPostgres.get().freshOptions("unused"));
      options.put("postgres.schema", schema);
      assertThatThrownBy(() -> open(dir.resolve(schema), options))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("postgres.schema")
          .hasMessageContaining("postgres.schema=" + schema)
          .hasMessageContaining("reserved");
      assertThat(dir.resolve(schema).resolve("postgres.properties")).doesNotExist();
    }
    try (java.sql.Connection c = TestPostgres.get().connect();
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_catalog.pg_class k"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace"
            + " WHERE k.relname LIKE 'ks\\_%' AND (n.nspname LIKE 'pg\\_%'"
            + " OR n.nspname = 'information_schema')")) {
      rs.next();
      assertThat(rs.getLong(1)).as("store tables in reserved schemas").isZero();
    }
  }

  /**
   * A transaction that runs alone (the engine's last attempts of one that kept conflicting)
   * waits for the writers that have written, and writers wait at their first write until it
   * ends, while reads never wait: nothing it reads changes under it.
   */
  @Test
  void aWriteTransactionAloneWaitsForWritersAndHoldsTheirWritesUntilItEnds() throws Exception {
    Map<String, String> options = TestPostgres.get().freshOptions("alone");
    Backend one = open(dir.resolve("one"), options);
    Backend two = open(dir.resolve("two"), options);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    java.util.concurrent.CountDownLatch began = new java.util.concurrent.CountDownLatch(1);
    long[] commitStarted = new long[1];
    try {
      BackendTransaction writer = one.beginWrite();
      writer.put("records", b(1), b(1));
      Future<byte[]> alone = pool.submit(() -> {
        try (BackendTransaction t = two.beginWriteAlone()) {
          began.countDown();
          byte[] seen = t.get("records", b(1));
          t.put("records", b(1), b(2));
          Thread.sleep(300); // the other writer is waiting meanwhile
          commitStarted[0] = System.nanoTime();
          t.commit(Durability.SYNC);
          return seen;
        }
      });
      assertThat(began.await(300, TimeUnit.MILLISECONDS)).as("waits for the writer").isFalse();
      writer.commit(Durability.SYNC);
      assertThat(began.await(10, TimeUnit.SECONDS)).isTrue();
      try (BackendTransaction next = one.beginWrite()) {
        assertThat(next.get("records", b(3))).as("reads do not wait").isNull();
        next.put("records", b(3), b(3)); // waits for the one running alone
        assertThat(System.nanoTime()).as("returned after the other committed")
            .isGreaterThan(commitStarted[0]);
        assertThat(alone.get(10, TimeUnit.SECONDS)).as("it saw the writer's commit")
            .containsExactly(1);
        next.commit(Durability.SYNC);
      }
    } finally {
      pool.shutdownNow();
    }
    try (BackendTransaction tx = one.beginRead()) {
      assertThat(tx.get("records", b(1))).containsExactly(2);
      assertThat(tx.get("records", b(3))).containsExactly(3);
    }
  }

  /** Write transactions hold the write gate in shared mode from their first write on. */
  @Test
  void aWriteTransactionTakesTheGateWithItsFirstWriteAndReleasesItAtTheEnd() throws Exception {
    Backend be = open();
    try (BackendTransaction tx = be.beginWrite()) {
      tx.put("records", b(1), b(1));
      tx.commit(Durability.SYNC);
    }
    try (java.sql.Connection admin = TestPostgres.get().connect()) {
      try (BackendTransaction tx = be.beginWrite()) {
        assertThat(tx.get("records", b(1))).containsExactly(1);
        assertThat(gatesHeld(admin)).as("a read takes no gate").isZero();
        assertThat(tx.delete("records", b(1))).isTrue();
        assertThat(gatesHeld(admin)).as("a first write that is a delete").isEqualTo(1);
        tx.put("records", b(2), b(2));
        assertThat(gatesHeld(admin)).isEqualTo(1);
        tx.commit(Durability.SYNC);
      }
      assertThat(gatesHeld(admin)).isZero();
      try (BackendTransaction tx = be.beginWrite()) {
        tx.put("records", b(3), b(3));
        assertThat(gatesHeld(admin)).as("a first write that is a put").isEqualTo(1);
        tx.rollback();
      }
      assertThat(gatesHeld(admin)).isZero();
      try (BackendTransaction tx = be.beginWrite()) {
        assertThat(gatesHeld(admin)).isZero();
      }
    }
    try (BackendTransaction tx = be.beginRead()) {
      assertThat(tx.get("records", b(1))).isNull();
      assertThat(tx.get("records", b(2))).containsExactly(2);
      assertThat(tx.get("records", b(3))).isNull();
    }
  }

  private static long gatesHeld(java.sql.Connection admin) throws java.sql.SQLException {
    try (java.sql.Statement st = admin.createStatement(); java.sql.ResultSet rs = st.executeQuery(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ShareLock'"
            + " AND granted")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * A write transaction begun while its thread has another open (the engine's version-block
   * reservation) takes no gate: queued behind one waiting to run alone, which waits for the
   * outer transaction, it would wait forever, a cycle the server cannot see.
   */
  @Test
  @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void aNestedWriteTransactionDoesNotQueueBehindOneWaitingToRunAlone() throws Exception {
    Map<String, String> options = TestPostgres.get().freshOptions("nested");
    Backend one = open(dir.resolve("one"), options);
    Backend two = open(dir.resolve("two"), options);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      BackendTransaction outer = one.beginWrite();
      outer.put("records", b(1), b(1));
      Future<?> alone = pool.submit(() -> {
        try (BackendTransaction t = two.beginWriteAlone()) {
          t.put("records", b(2), b(2));
          t.commit(Durability.SYNC);
        }
        return null;
      });
      Thread.sleep(200); // the alone one is now waiting for the outer transaction
      try (BackendTransaction inner = one.beginWrite()) {
        inner.put("meta", b(9), b(9));
        inner.commit(Durability.SYNC);
      }
      outer.commit(Durability.SYNC);
      alone.get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }
}
