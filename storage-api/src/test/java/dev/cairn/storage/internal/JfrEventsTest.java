package dev.cairn.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.cairn.storage.DataCorruptionException;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import jdk.jfr.EventType;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's JFR events, recorded to a file around a known workload and read back. */
final class JfrEventsTest {

  @TempDir Path dir;
  @TempDir Path out;

  @AfterEach
  void clear() {
    MemoryBackendProvider.STORES.clear();
    MemoryBackendProvider.conflictingCommits.set(0);
  }

  private Storage open() {
    return Storage.builder().directory(dir).backend(new MemoryBackendProvider())
        .noScheduledMaintenance().open();
  }

  /** Records {@code work} with every Cairn event enabled, slow reads from 0 ns on. */
  private List<RecordedEvent> record(Runnable work) throws IOException {
    try (Recording r = new Recording()) {
      for (String name : List.of("Commit", "GroupCommit", "MaintenanceStep", "Verify",
          "Corruption")) {
        r.enable("dev.cairn." + name);
      }
      r.enable("dev.cairn.SlowRead").withThreshold(Duration.ZERO);
      r.start();
      work.run();
      r.stop();
      Path file = out.resolve("cairn.jfr");
      r.dump(file);
      String store = dir.toString();
      return RecordingFile.readAllEvents(file).stream()
          .filter(e -> e.getEventType().getName().startsWith("dev.cairn."))
          .filter(e -> store.equals(e.getString("store")))
          .toList();
    }
  }

  private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals("dev.cairn." + name))
        .toList();
  }

  @Test
  void commitsReadsMaintenanceAndVerifyAreRecordedWithTheirFields() throws IOException {
    try (Storage s = open()) {
      s.put("c", "warm", 0); // the event classes are loaded before the recording starts
      List<RecordedEvent> events = record(() -> {
        s.put("c", "a", 1);
        s.putAll("c", Map.of("b", 2, "c", 3));
        s.delete("c", "a");
        MemoryBackendProvider.conflictingCommits.set(1);
        s.transaction(Durability.GROUP, tx -> {
          tx.put("g", "1", 1);
          return null;
        });
        s.transaction(Durability.GROUP, tx -> {
          tx.put("g", "2", 2);
          tx.delete("g", "1");
          return null;
        });
        s.get("c", "b", Integer.class);
        s.get("c", "missing", Integer.class);
        s.maintenance();
      });

      List<RecordedEvent> commits = named(events, "Commit");
      assertThat(commits).extracting(e -> e.getString("durability"),
              e -> e.getLong("recordsWritten"), e -> e.getLong("recordsDeleted"),
              e -> e.getInt("groupSize"), e -> e.getInt("attempts"))
          .containsExactly(
              tuple("SYNC", 1L, 0L, 1, 1),
              tuple("SYNC", 2L, 0L, 1, 1),
              tuple("SYNC", 0L, 1L, 1, 1),
              tuple("GROUP", 1L, 0L, 1, 2),
              tuple("GROUP", 1L, 1L, 1, 1));
      assertThat(commits).allSatisfy(e -> assertThat(e.getDuration()).isPositive());

      List<RecordedEvent> groups = named(events, "GroupCommit");
      assertThat(groups).extracting(e -> e.getString("durability"), e -> e.getInt("groupSize"),
              e -> e.getLong("recordsWritten"), e -> e.getLong("recordsDeleted"))
          .as("the conflicted attempt's group did not commit")
          .containsExactly(tuple("GROUP", 1, 1L, 0L),
              tuple("GROUP", 1, 1L, 1L));

      assertThat(named(events, "SlowRead")).extracting(e -> e.getString("collection"),
              e -> e.getString("key"), e -> e.getBoolean("found"))
          .containsExactly(tuple("c", "b", true),
              tuple("c", "missing", false));

      assertThat(named(events, "MaintenanceStep")).extracting(e -> e.getString("step"),
              e -> e.getString("outcome"), e -> e.getString("error"))
          .containsExactly(
              tuple("flush-access-stats", "OK", null),
              tuple("cache-cleanup", "SKIPPED", null),
              tuple("purge-expired", "OK", null),
              tuple("deduplicate", "OK", null),
              tuple("trim-change-feed", "SKIPPED", null),
              tuple("verify", "OK", null),
              tuple("optimize", "OK", null));
      assertThat(named(events, "MaintenanceStep").get(1).getString("detail"))
          .isEqualTo("no cache configured");

      // warm, b, c and g/2 are left
      assertThat(named(events, "Verify")).extracting(e -> e.getLong("records"),
              e -> e.getLong("blobs"), e -> e.getInt("problems"), e -> e.getString("firstProblem"))
          .containsExactly(tuple(4L, 0L, 0, null));
      assertThat(named(events, "Corruption")).isEmpty();
    }
  }

  @Test
  void aCorruptionIsRecordedWithTheRecordItNames() throws IOException {
    try (Storage s = open()) {
      s.putBytes("c", "inline", "iiii".getBytes(StandardCharsets.UTF_8));
    }
    NavigableMap<byte[], byte[]> records =
        MemoryBackendProvider.STORES.get(dir.toAbsolutePath()).get("records");
    byte[] inlineRecord = records.get(Keys.recordKey("c", Keys.keyBytes("inline")));
    inlineRecord[inlineRecord.length - 7] ^= 0x01; // inside the inline payload
    try (Storage again = open()) {
      List<RecordedEvent> events = record(() -> {
        assertThatThrownBy(() -> again.getBytes("c", "inline"))
            .isInstanceOf(DataCorruptionException.class);
        again.admin().verify();
      });
      List<RecordedEvent> corruptions = named(events, "Corruption");
      assertThat(corruptions).hasSize(1);
      assertThat(corruptions.get(0).getString("message")).contains("c/inline");
      assertThat(corruptions.get(0).getStackTrace()).as("where it was found").isNotNull();
      assertThat(named(events, "Verify")).singleElement().satisfies(v -> {
        assertThat(v.getInt("problems")).isEqualTo(1);
        assertThat(v.getString("firstProblem")).contains("c/inline");
      });
      assertThat(named(events, "SlowRead")).as("a read that raised is no slow read").isEmpty();
    }
  }

  @Test
  void slowReadsBelowTheThresholdAreNotRecorded() throws IOException {
    try (Storage s = open();
        Recording r = new Recording()) {
      s.put("c", "a", 1);
      r.enable("dev.cairn.SlowRead").withThreshold(Duration.ofHours(1));
      r.start();
      s.get("c", "a", Integer.class);
      r.stop();
      Path file = out.resolve("slow.jfr");
      r.dump(file);
      assertThat(RecordingFile.readAllEvents(file))
          .noneMatch(e -> e.getEventType().getName().startsWith("dev.cairn."));
    }
  }

  @Test
  void theEventsAreDeclaredInTheCairnCategoryWithLabelsAndDescriptions() {
    for (Class<? extends jdk.jfr.Event> c : List.of(JfrEvents.Commit.class,
        JfrEvents.GroupCommit.class, JfrEvents.SlowRead.class, JfrEvents.MaintenanceStep.class,
        JfrEvents.Verify.class, JfrEvents.Corruption.class)) {
      EventType t = EventType.getEventType(c);
      assertThat(t.getName()).startsWith("dev.cairn.");
      assertThat(t.getCategoryNames()).containsExactly("Cairn");
      assertThat(t.getLabel()).startsWith("Cairn ");
      assertThat(t.getDescription()).isNotBlank();
      assertThat(t.getField("store")).as(t.getName()).isNotNull();
    }
    assertThat(EventType.getEventType(JfrEvents.SlowRead.class).getSettingDescriptors())
        .anySatisfy(d -> {
          assertThat(d.getName()).isEqualTo("threshold");
          assertThat(d.getDefaultValue()).isEqualTo("10 ms");
        });
  }
}
