package dev.cairn.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

final class PostgresSmokeTest {
  @Test
  void serverAnswers() throws Exception {
    try (Connection c = TestPostgres.get().connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version()")) {
      assertThat(rs.next()).isTrue();
      System.out.println(rs.getString(1));
    }
  }
}
