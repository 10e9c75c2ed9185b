package dev.cairn.backend.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class KeyspaceSqlTest {

  /** A dialect that only names tables, so the statements' own text shows. */
  private static final SqlDialect DIALECT = new SqlDialect() {
    @Override
    public String databaseName() {
      return "Test";
    }

    @Override
    public String table(String keyspace) {
      return "t_" + keyspace;
    }

    @Override
    public String createTable(String table) {
      return "CREATE " + table;
    }
  };

  @Test
  void keyspaceNamesThatCouldInjectSqlAreRejectedBeforeTheDialectSeesThem() {
    for (String evil : new String[] {"x\"; DROP TABLE ks_records; --", "a b", "Records", "1a",
        "a-b", "a".repeat(33), "", null}) {
      assertThatThrownBy(() -> KeyspaceSql.of(DIALECT, evil))
          .as(String.valueOf(evil))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("keyspace name must match [a-z][a-z0-9_]{0,31}: '" + evil + "'");
    }
  }

  @Test
  void statementsUseTheDialectsTableAndDdl() {
    KeyspaceSql ks = KeyspaceSql.of(DIALECT, "records");
    assertThat(ks.name()).isEqualTo("records");
    assertThat(ks.table()).isEqualTo("t_records");
    assertThat(ks.create()).isEqualTo("CREATE t_records");
    assertThat(ks.get()).isEqualTo("SELECT v FROM t_records WHERE k = ?");
    assertThat(ks.put()).isEqualTo("INSERT INTO t_records (k, v) VALUES (?, ?)"
        + " ON CONFLICT (k) DO UPDATE SET v = excluded.v");
    assertThat(ks.delete()).isEqualTo("DELETE FROM t_records WHERE k = ?");
  }

  @Test
  void scanAndCountBindOnlyTheBoundsThatAreGivenLowerFirst() {
    KeyspaceSql ks = KeyspaceSql.of(DIALECT, "records");
    byte[] b = {1};
    assertThat(ks.scan(null, null)).isEqualTo("SELECT k, v FROM t_records ORDER BY k");
    assertThat(ks.scan(b, null)).isEqualTo("SELECT k, v FROM t_records WHERE k >= ? ORDER BY k");
    assertThat(ks.scan(null, b)).isEqualTo("SELECT k, v FROM t_records WHERE k < ? ORDER BY k");
    assertThat(ks.scan(b, b))
        .isEqualTo("SELECT k, v FROM t_records WHERE k >= ? AND k < ? ORDER BY k");
    assertThat(ks.scanDescending(null, null)).isEqualTo("SELECT k, v FROM t_records ORDER BY k DESC");
    assertThat(ks.scanDescending(b, null))
        .isEqualTo("SELECT k, v FROM t_records WHERE k >= ? ORDER BY k DESC");
    assertThat(ks.scanDescending(null, b))
        .isEqualTo("SELECT k, v FROM t_records WHERE k < ? ORDER BY k DESC");
    assertThat(ks.scanDescending(b, b))
        .isEqualTo("SELECT k, v FROM t_records WHERE k >= ? AND k < ? ORDER BY k DESC");
    assertThat(ks.count(null, null)).isEqualTo("SELECT count(*) FROM t_records");
    assertThat(ks.count(b, b)).isEqualTo("SELECT count(*) FROM t_records WHERE k >= ? AND k < ?");
  }

  @Test
  void aDialectWithoutOnConflictReplacesTheUpsert() {
    SqlDialect merge = new SqlDialect() {
      @Override
      public String databaseName() {
        return "Merge";
      }

      @Override
      public String table(String keyspace) {
        return keyspace;
      }

      @Override
      public String createTable(String table) {
        return "";
      }

      @Override
      public String upsert(String table) {
        return "MERGE INTO " + table + " (k, v) KEY (k) VALUES (?, ?)";
      }
    };
    assertThat(KeyspaceSql.of(merge, "meta").put())
        .isEqualTo("MERGE INTO meta (k, v) KEY (k) VALUES (?, ?)");
  }
}
