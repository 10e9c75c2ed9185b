package dev.cairn.examples.cli;

import static dev.cairn.examples.cli.Cli.cairn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.Storage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ChangesCommandTest {

  @TempDir
  Path tmp;

  private String storeWithFeed(ChangeFeedRetention retention) {
    Path dir = tmp.resolve("store");
    try (Storage s = Storage.builder().directory(dir).backend("sqlite").changeFeed(retention)
        .noScheduledMaintenance().open()) {
      s.putBytes("bets", "b-1", new byte[] {1});
      s.putBytes("bets", "b-2", new byte[] {2});
      s.delete("bets", "b-1");
    }
    return dir.toString();
  }

  @Test
  void changesPrintsTheFeedAfterAPositionWithALimit() throws Exception {
    String store = storeWithFeed(ChangeFeedRetention.defaults());
    Cli.Run all = cairn("--store", store, "changes", "--after", "0");
    Cli.Run some = cairn("--store", store, "changes", "--after", "1", "--limit", "1");
    Cli.Run json = cairn("--store", store, "--json", "changes", "--after", "2");

    assertThat(all.exitCode()).as(all.toString()).isZero();
    assertThat(all.out().lines().map(l -> l.substring(0, l.lastIndexOf(' '))))
        .hasSize(3)
        .satisfies(l -> assertThat(l.get(0)).matches("1 PUT bets/b-1 v\\d+"))
        .satisfies(l -> assertThat(l.get(1)).matches("2 PUT bets/b-2 v\\d+"))
        .satisfies(l -> assertThat(l.get(2)).matches("3 DELETE bets/b-1 v\\d+"));
    assertThat(some.out().lines()).singleElement().asString().startsWith("2 PUT bets/b-2 ");
    JsonNode j = new ObjectMapper().readTree(json.out());
    assertThat(j.get("head").asLong()).isEqualTo(3);
    assertThat(j.get("changes")).hasSize(1);
    assertThat(j.get("changes").get(0).get("kind").asText()).isEqualTo("DELETE");
  }

  @Test
  void aTrimmedPositionOrAStoreWithoutAFeedIsAnError() throws Exception {
    String store = storeWithFeed(ChangeFeedRetention.defaults().withMaxChanges(1));
    assertThat(cairn("--store", store, "maintain").exitCode()).isZero();
    Cli.Run trimmed = cairn("--store", store, "changes", "--after", "0");
    Cli.Run bad = cairn("--store", store, "changes", "--after", "-1");

    assertThat(trimmed.exitCode()).as(trimmed.toString()).isEqualTo(CairnCli.ERROR);
    assertThat(trimmed.err()).contains("oldest one kept is at position 3");
    assertThat(bad.exitCode()).isEqualTo(CairnCli.USAGE);
    Path plain = tmp.resolve("plain");
    try (Storage s = Storage.builder().directory(plain).backend("sqlite").open()) {
      s.putBytes("c", "k", new byte[] {1});
    }
    Cli.Run off = cairn("--store", plain.toString(), "changes", "--after", "0");
    assertThat(off.exitCode()).isEqualTo(CairnCli.ERROR);
    assertThat(off.err()).contains("changeFeed");
  }

  @Test
  void followPollsUntilTheLimitIsReached() {
    String store = storeWithFeed(ChangeFeedRetention.defaults());
    Cli.Run followed = cairn("--store", store, "changes", "--after", "1", "--follow",
        "--limit", "2");
    Cli.Run zero = cairn("--store", store, "changes", "--after", "1", "--limit", "0");

    assertThat(followed.exitCode()).as(followed.toString()).isZero();
    assertThat(followed.out().lines().map(l -> l.split(" ")[0])).containsExactly("2", "3");
    assertThat(zero.exitCode()).isEqualTo(CairnCli.USAGE);
  }
}
