package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.Storage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs every example end to end on a temporary directory. */
final class ExamplesTest {

  @TempDir
  Path tmp;

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

  private String output() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void quickStartStoresReadsAndRunsATransaction() {
    long balance = QuickStart.run(tmp, out);

    assertThat(balance).isEqualTo(90);
    assertThat(output()).contains("read back: Player[name=Ada, balance=100]", "key: p-1", "key: p-2",
        "collections: [ledger, players]");
  }

  @Test
  void quickStartsMainRunsInTheGivenDirectory() {
    QuickStart.main(new String[] {tmp.resolve("main").toString()});

    try (Storage s = Storage.builder().directory(tmp.resolve("main")).open()) {
      assertThat(s.count("players")).isEqualTo(2);
    }
  }

  @Test
  void guiceInjectsOneStorageIntoTheApplication() {
    assertThat(GuiceExample.run(tmp, out)).isEqualTo("Ada");
    assertThat(output()).contains("same Storage instance: true");
  }

  @Test
  void theSameCodeRunsOnEveryInstalledBackend() {
    List<String> used = BackendChoice.run(tmp, out);

    assertThat(used).containsAll(List.of("h2", "sqlite")).isEqualTo(BackendChoice.availableBackends());
    for (String backend : used) {
      assertThat(output()).contains("hello from " + backend);
    }
  }

  @Test
  void asyncWritesAllBetsAndReportsErrorsThroughTheFuture() {
    long total = AsyncExample.run(tmp, out);

    assertThat(total).isEqualTo(100L * 100 + 99 * 100 / 2);
    assertThat(output()).contains("async error: ").contains("collection");
  }

  @Test
  void aRefusedTransferChangesNothing() {
    long[] balances = BankTransferExample.run(tmp, out);

    assertThat(balances).containsExactly(6_000, 6_500);
    assertThat(output()).contains("t-2 refused", "ledger has t-2: false");
  }

  @Test
  void aThirdPartyCodecIsRegisteredExplicitlyAndCompresses() {
    RecordMetadata meta = CodecPluginExample.run(tmp, out);

    assertThat(meta.codec()).isEqualTo(RunLengthCodecProvider.NAME);
    assertThat(meta.storedLength()).isLessThan(meta.rawLength() / 10);
    assertThat(output()).contains("read back intact: true");
  }
}
