package dev.cairn.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backup.BackupKind;
import dev.cairn.backup.BackupManager;
import dev.cairn.backup.BackupManifest;
import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.DedupMode;
import dev.cairn.storage.DedupScope;
import dev.cairn.storage.Durability;
import dev.cairn.storage.MaintenanceReport;
import dev.cairn.storage.MaintenanceTask;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilderAccess;
import dev.cairn.storage.StorageClosedException;
import dev.cairn.storage.VerifyMode;
import dev.cairn.storage.internal.StorageConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

final class CairnAutoConfigurationTest {

  @TempDir
  Path tmp;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CairnAutoConfiguration.class));

  private String dir(String name) {
    return tmp.resolve(name).toString();
  }

  /** The runner with a customizer that keeps the builder's configuration in {@code config}. */
  private ApplicationContextRunner capturing(AtomicReference<StorageConfig> config) {
    return runner.withBean("capture", CairnStorageBuilderCustomizer.class,
        () -> b -> config.set(StorageBuilderAccess.config(b)));
  }

  /** The startup failure's messages, outermost first, one a line. */
  private static String failure(AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    StringBuilder all = new StringBuilder();
    for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  @Test
  void opensTheStoreThePropertiesDescribe() {
    runner.withPropertyValues("cairn.directory=" + dir("store"), "cairn.backend=h2",
            "cairn.codec=zstd", "cairn.cache.name=tiered")
        .run(context -> {
          assertThat(context).hasSingleBean(Storage.class).doesNotHaveBean(BackupManager.class);
          Storage storage = context.getBean(Storage.class);
          assertThat(storage.admin().backendName()).isEqualTo("h2");
          assertThat(storage.admin().codecName()).isEqualTo("zstd");
          assertThat(storage.admin().directory()).isEqualTo(tmp.resolve("store"));
          storage.putBytes("players", "p-1", new byte[] {1, 2, 3});
          assertThat(storage.getBytes("players", "p-1")).hasValue(new byte[] {1, 2, 3});
        });
  }

  @Test
  void everyStoragePropertyReachesTheBuilder() {
    AtomicReference<StorageConfig> config = new AtomicReference<>();
    capturing(config).withPropertyValues(
            "cairn.directory=" + dir("store"),
            "cairn.backend=sqlite",
            "cairn.backend-options.sqlite.readers=3",
            "cairn.backend-options[sqlite.busyTimeoutMs]=7000",   // the bracket form too
            "cairn.codec=zstd",
            "cairn.codec-options.zstd.level=5",
            "cairn.cache.name=tiered",
            "cairn.cache.max-heap-bytes=2MB",
            "cairn.cache.max-off-heap-bytes=4096",
            "cairn.cache.expire-after-write=5m",
            "cairn.cache.expire-after-access=30s",
            "cairn.cache.options[tiered.blockBytes]=128",
            "cairn.durability=group",
            "cairn.default-ttl.sessions=30m",
            "cairn.default-ttl[audit.log]=7d",                      // a dotted collection name
            "cairn.dedup-scope=per-collection",
            "cairn.dedup-mode=on-write",
            "cairn.dedup-modes.media=off",
            "cairn.dedup-modes.Docs=deferred",                      // the name's case kept
            "cairn.change-feed.enabled=true",
            "cairn.change-feed.max-changes=5000",
            "cairn.change-feed.max-age=2d",
            "cairn.access-statistics.enabled=true",
            "cairn.access-statistics.flush-interval=3s",
            "cairn.access-statistics.max-pending=777",
            "cairn.maintenance.interval=2h",
            "cairn.maintenance.verify=false",
            "cairn.backup.target=" + dir("backups"),
            "cairn.backup.schedule=3h")
        .run(context -> {
          assertThat(context).hasNotFailed();
          StorageConfig c = config.get();
          assertThat(c.directory()).isEqualTo(tmp.resolve("store"));
          assertThat(c.backendName()).isEqualTo("sqlite");
          assertThat(c.backendOptions())
              .isEqualTo(Map.of("sqlite.readers", "3", "sqlite.busyTimeoutMs", "7000"));
          assertThat(c.codecName()).isEqualTo("zstd");
          assertThat(c.codecOptions()).isEqualTo(Map.of("zstd.level", "5"));
          assertThat(c.cacheName()).isEqualTo("tiered");
          assertThat(c.cacheMaxHeapBytes()).isEqualTo(2L << 20);
          assertThat(c.cacheMaxOffHeapBytes()).isEqualTo(4096L);
          assertThat(c.cacheExpireAfterWrite()).isEqualTo(Duration.ofMinutes(5));
          assertThat(c.cacheExpireAfterAccess()).isEqualTo(Duration.ofSeconds(30));
          assertThat(c.cacheOptions()).isEqualTo(Map.of("tiered.blockBytes", "128"));
          assertThat(c.durability()).isEqualTo(Durability.GROUP);
          assertThat(c.defaultTtls()).isEqualTo(
              Map.of("sessions", Duration.ofMinutes(30), "audit.log", Duration.ofDays(7)));
          assertThat(c.dedupScope()).isEqualTo(DedupScope.PER_COLLECTION);
          assertThat(c.dedupMode()).isEqualTo(DedupMode.ON_WRITE);
          assertThat(c.collectionDedupModes())
              .isEqualTo(Map.of("media", DedupMode.OFF, "Docs", DedupMode.DEFERRED));
          assertThat(c.changeFeed()).isEqualTo(new ChangeFeedRetention(5000, Duration.ofDays(2)));
          assertThat(c.accessStatistics()).isTrue();
          assertThat(c.accessStatsFlushInterval()).isEqualTo(Duration.ofSeconds(3));
          assertThat(c.accessStatsMaxPending()).isEqualTo(777);
          assertThat(c.maintenanceInterval()).isEqualTo(Duration.ofHours(2));
          assertThat(c.maintenanceVerify()).isFalse();
          assertThat(c.maintenanceTasks()).extracting(MaintenanceTask::name).containsExactly("backup");
          Storage storage = context.getBean(Storage.class);
          assertThat(storage.admin().backendName()).isEqualTo("sqlite");
          assertThat(storage.admin().codecName()).isEqualTo("zstd");
        });
  }

  @Test
  void theChangeFeedIsOnWithTheDefaultRetentionUnlessLimitsAreGiven() {
    AtomicReference<StorageConfig> config = new AtomicReference<>();
    capturing(config)
        .withPropertyValues("cairn.directory=" + dir("store"), "cairn.change-feed.enabled=true")
        .run(context -> {
          assertThat(config.get().changeFeed()).isEqualTo(ChangeFeedRetention.defaults());
          Storage storage = context.getBean(Storage.class);
          storage.putBytes("c", "k", new byte[] {1});
          assertThat(storage.changes().read(0, 10)).singleElement()
              .satisfies(change -> assertThat(change.key()).isEqualTo("k"));
        });
    capturing(config).withPropertyValues("cairn.directory=" + dir("unlimited"),
            "cairn.change-feed.enabled=true", "cairn.change-feed.max-changes=0",
            "cairn.change-feed.max-age=0s")
        .run(context -> assertThat(config.get().changeFeed())
            .isEqualTo(ChangeFeedRetention.unlimited()));
  }

  @Test
  void aFeedRetentionWithoutTheFeedIsAnError() {
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.change-feed.max-changes=10")
        .run(context -> assertThat(failure(context)).contains("cairn.change-feed.max-changes is"
            + " set but cairn.change-feed.enabled is not: the retention applies to a feed turned"
            + " on with cairn.change-feed.enabled=true"));
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.change-feed.enabled=false", "cairn.change-feed.max-age=1d")
        .run(context -> assertThat(failure(context)).contains("cairn.change-feed.max-age is set"
            + " but cairn.change-feed.enabled is not"));
  }

  @Test
  void accessStatisticsAreOffUnlessTurnedOnAndTheirFlushSettingsNeedThem() {
    AtomicReference<StorageConfig> config = new AtomicReference<>();
    capturing(config).withPropertyValues("cairn.directory=" + dir("store"))
        .run(context -> assertThat(config.get().accessStatistics()).isFalse());
    capturing(config).withPropertyValues("cairn.directory=" + dir("counted"),
            "cairn.access-statistics.enabled=true")
        .run(context -> {
          assertThat(config.get().accessStatistics()).isTrue();
          Storage storage = context.getBean(Storage.class);
          storage.putBytes("c", "k", new byte[] {1});
          storage.getBytes("c", "k");
          assertThat(storage.metadata("c", "k")).hasValueSatisfying(
              m -> assertThat(m.accessCount()).isEqualTo(1));
        });
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.access-statistics.flush-interval=5s")
        .run(context -> assertThat(failure(context)).contains(
            "cairn.access-statistics.flush-interval is set but cairn.access-statistics.enabled is"
                + " not: the flush settings apply to statistics turned on with"
                + " cairn.access-statistics.enabled=true"));
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.access-statistics.enabled=false", "cairn.access-statistics.max-pending=5")
        .run(context -> assertThat(failure(context)).contains(
            "cairn.access-statistics.max-pending is set but cairn.access-statistics.enabled is"
                + " not"));
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.access-statistics.enabled=true", "cairn.access-statistics.max-pending=0")
        .run(context -> assertThat(failure(context))
            .contains("cairn.access-statistics.max-pending=0: "));
  }

  @Test
  void badValuesOfTheCollectionDedupAndFeedSettingsNameTheirProperty() {
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.default-ttl.sessions=0s",
            "cairn.default-ttl[no spaces]=1h",
            "cairn.dedup-modes[a/b]=off",
            "cairn.change-feed.enabled=true",
            "cairn.change-feed.max-changes=-1",
            "cairn.change-feed.max-age=-1s")
        .run(context -> {
          assertThat(failure(context)).contains("invalid cairn.* configuration:\n",
              "  cairn.default-ttl[sessions]=PT0S: ttl must be positive, got PT0S\n",
              "  cairn.default-ttl[no spaces]=PT1H: collection name must match"
                  + " [A-Za-z0-9_.-]{1,64}: 'no spaces'\n",
              "  cairn.dedup-modes[a/b]=OFF: collection name must match [A-Za-z0-9_.-]{1,64}:"
                  + " 'a/b'\n",
              "  cairn.change-feed.max-changes=-1: change feed maxChanges must not be negative"
                  + " (0 = no limit), got -1\n",
              "  cairn.change-feed.max-age=PT-1S: change feed maxAge must not be negative"
                  + " (zero = no limit), got PT-1S\n");
          assertThat(tmp.resolve("store")).doesNotExist();
        });
  }

  @Test
  void aDedupModeOfTheWrongTypeNamesItsProperty() {
    runner.withPropertyValues("cairn.directory=" + dir("store"), "cairn.dedup-modes.media=never")
        .run(context -> assertThat(failure(context)).contains("Failed to bind properties under"
            + " 'cairn.dedup-modes.media' to dev.cairn.storage.DedupMode"));
  }

  @Test
  void optionKeysKeepTheirCaseWithoutBrackets() {
    AtomicReference<StorageConfig> config = new AtomicReference<>();
    capturing(config)
        .withPropertyValues("cairn.directory=" + dir("store"), "cairn.cache.name=tiered",
            "cairn.cache.options.tiered.blockBytes=128")
        .run(context -> assertThat(config.get().cacheOptions())
            .isEqualTo(Map.of("tiered.blockBytes", "128")));
  }

  @Test
  void unsetPropertiesKeepTheBuildersDefaults() {
    AtomicReference<StorageConfig> config = new AtomicReference<>();
    capturing(config).withPropertyValues("cairn.directory=" + dir("store"))
        .run(context -> {
          StorageConfig defaults = StorageBuilderAccess.config(
              Storage.builder().directory(tmp.resolve("store")));
          assertThat(config.get()).usingRecursiveComparison()
              .ignoringFields("valueMapper").isEqualTo(defaults);
        });
  }

  @Test
  void maintenanceCanBeOnDemandOnly() {
    AtomicReference<StorageConfig> config = new AtomicReference<>();
    capturing(config)
        .withPropertyValues("cairn.directory=" + dir("store"), "cairn.maintenance.enabled=false")
        .run(context -> assertThat(config.get().maintenanceInterval()).isNull());
  }

  @Test
  void customizersRunInOrderAfterTheProperties() {
    List<String> seen = new ArrayList<>();
    runner.withPropertyValues("cairn.directory=" + dir("store"), "cairn.codec=zstd")
        .withUserConfiguration(Customizers.class)
        .withBean(Seen.class, () -> new Seen(seen))
        .run(context -> {
          assertThat(seen).containsExactly("first saw zstd", "second");
          assertThat(context.getBean(Storage.class).admin().codecName()).isEqualTo("identity");
        });
  }

  record Seen(List<String> names) {}

  @Configuration(proxyBeanMethods = false)
  static class Customizers {
    @Bean
    @Order(2)
    CairnStorageBuilderCustomizer second(Seen seen) {
      return b -> {
        seen.names().add("second");
        b.codec("identity").verifyMode(VerifyMode.ALWAYS);
      };
    }

    @Bean
    @Order(1)
    CairnStorageBuilderCustomizer first(Seen seen) {
      return b -> seen.names().add("first saw " + StorageBuilderAccess.config(b).codecName());
    }
  }

  @Test
  void theStoreIsClosedWhenTheContextCloses() {
    AtomicReference<Storage> opened = new AtomicReference<>();
    runner.withPropertyValues("cairn.directory=" + dir("store"))
        .run(context -> {
          Storage storage = context.getBean(Storage.class);
          storage.putBytes("c", "k", new byte[] {7});
          opened.set(storage);
        });
    assertThatThrownBy(() -> opened.get().getBytes("c", "k"))
        .isInstanceOf(StorageClosedException.class);
    try (Storage again = Storage.builder().directory(tmp.resolve("store")).open()) {
      assertThat(again.getBytes("c", "k")).hasValue(new byte[] {7});
    }
  }

  @Test
  void theApplicationsStorageBeanWins() {
    try (Storage own = Storage.builder().directory(tmp.resolve("own")).open()) {
      runner.withBean(Storage.class, () -> own)
          .run(context -> {
            assertThat(context).hasSingleBean(Storage.class);
            assertThat(context.getBean(Storage.class)).isSameAs(own);
          });
    }
  }

  @Test
  void storagePropertiesBesideTheApplicationsStorageBeanAreAnError() {
    try (Storage own = Storage.builder().directory(tmp.resolve("own")).open()) {
      runner.withBean(Storage.class, () -> own)
          .withPropertyValues("cairn.codec=zstd", "cairn.backup.schedule=6h",
              "cairn.backup.target=" + dir("backups"), "cairn.change-feed.enabled=true",
              "cairn.default-ttl.sessions=1h")
          .run(context -> assertThat(failure(context)).contains(
              "cairn.codec is set but the application defines its own Storage bean, which cairn.*"
                  + " properties do not configure: set them on your StorageBuilder instead",
              "cairn.backup.schedule is set but the application defines its own Storage bean",
              "cairn.change-feed.enabled is set but the application defines its own Storage bean",
              "cairn.default-ttl is set but the application defines its own Storage bean"));
    }
  }

  @Test
  void backupPropertiesBesideTheApplicationsBackupManagerAreAnError() {
    runner.withBean(BackupManager.class,
            () -> BackupManager.builder().target(tmp.resolve("own-backups")).build())
        .withPropertyValues("cairn.directory=" + dir("store"), "cairn.backup.retain-last=3")
        .run(context -> assertThat(failure(context)).contains("cairn.backup.retain-last is set but"
            + " the application defines its own BackupManager bean"));
  }

  @Test
  void withoutADirectoryStartupFailsSayingSo() {
    runner.run(context -> assertThat(failure(context)).contains("invalid cairn.* configuration:\n"
        + "  cairn.directory is required: the store's directory, e.g. cairn.directory=data/cairn"
        + " (or define your own Storage bean)"));
  }

  @Test
  void disabledCreatesNothingAndNeedsNothing() {
    runner.withPropertyValues("cairn.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Storage.class)
            .doesNotHaveBean(CairnProperties.class));
  }

  @Test
  void everyProblemIsReportedAtOnceBeforeAnythingIsCreated() {
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.cache.max-heap-bytes=1MB",
            "cairn.maintenance.interval=0s",
            "cairn.backup.schedule=6h",
            "cairn.backup.kind=native",
            "cairn.metrics.histograms=true")
        .run(context -> {
          assertThat(failure(context)).contains("invalid cairn.* configuration:\n"
              + "  cairn.cache.max-heap-bytes is set but cairn.cache.name is not: name the cache,"
              + " e.g. cairn.cache.name=tiered\n"
              + "  cairn.maintenance.interval=PT0S: maintenance interval must be positive, got PT0S\n"
              + "  cairn.metrics.histograms=true needs a MeterRegistry bean and"
              + " dev.cairn:cairn-micrometer on the class path\n"
              + "  cairn.backup.schedule is set but cairn.backup.target is not: the directory backup"
              + " sets are written to\n"
              + "  cairn.backup.kind is set but cairn.backup.target is not: the directory backup"
              + " sets are written to\n");
          assertThat(tmp.resolve("store")).doesNotExist();
        });
  }

  @Test
  void aBackupScheduleShorterThanMaintenanceIsAnError() {
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.backup.target=" + dir("backups"), "cairn.backup.schedule=10m")
        .run(context -> assertThat(failure(context)).contains("cairn.backup.schedule=PT10M is"
            + " shorter than cairn.maintenance.interval=PT1H: backups are taken by maintenance"
            + " runs, so set cairn.maintenance.interval to at most PT10M"));
  }

  @Test
  void aBackupScheduleWithoutMaintenanceIsAnError() {
    runner.withPropertyValues("cairn.directory=" + dir("store"), "cairn.maintenance.enabled=false",
            "cairn.backup.target=" + dir("backups"), "cairn.backup.schedule=1h")
        .run(context -> assertThat(failure(context)).contains("cairn.backup.schedule is set but"
            + " cairn.maintenance.enabled=false: scheduled backups are taken by maintenance runs"));
  }

  @Test
  void aValueTheBuilderRefusesNamesItsProperty() {
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.backup.target=" + dir("backups"), "cairn.backup.retain-last=-1")
        .run(context -> assertThat(failure(context)).contains(
            "cairn.backup.retain-last=-1: retain last must not be negative, got -1"));
  }

  @Test
  void aValueOfTheWrongTypeNamesItsProperty() {
    runner.withPropertyValues("cairn.directory=" + dir("store"), "cairn.durability=sometimes")
        .run(context -> assertThat(failure(context))
            .contains("Failed to bind properties under 'cairn.durability' to dev.cairn.storage.Durability"));
  }

  @Test
  void anUnknownPluginOptionIsRefusedByTheBuilder() {
    runner.withPropertyValues("cairn.directory=" + dir("store"), "cairn.backend=sqlite",
            "cairn.backend-options.sqlite.readerz=2")
        .run(context -> assertThat(failure(context)).contains(
            "unknown option 'sqlite.readerz' for backend sqlite; did you mean 'sqlite.readers'?"));
  }

  @Test
  void aBackupTargetAloneGivesABackupManagerAndNoSchedule() {
    AtomicReference<StorageConfig> config = new AtomicReference<>();
    capturing(config)
        .withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.backup.target=" + dir("backups"))
        .run(context -> {
          assertThat(context).hasSingleBean(BackupManager.class);
          assertThat(config.get().maintenanceTasks()).isEmpty();
          BackupManifest set = context.getBean(BackupManager.class)
              .backup(context.getBean(Storage.class));
          assertThat(tmp.resolve("backups").resolve(set.setId()).resolve("manifest.json")).exists();
        });
  }

  @Test
  void everyBackupPropertyReachesTheBackupManager() {
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.backup.target=" + dir("backups"), "cairn.backup.schedule=3h",
            "cairn.backup.kind=native", "cairn.backup.retain-last=1")
        .run(context -> {
          Storage storage = context.getBean(Storage.class);
          BackupManager backups = context.getBean(BackupManager.class);
          storage.putBytes("c", "k", new byte[] {1});
          MaintenanceReport first = storage.maintenance();      // no set yet: takes one
          MaintenanceReport second = storage.maintenance();     // within the schedule: none
          List<BackupManifest> sets = backups.list();
          assertThat(sets).hasSize(1);
          BackupManifest set = sets.get(0);
          assertThat(set.kind()).isEqualTo(BackupKind.NATIVE);
          assertThat(first.step("backup").orElseThrow().detail()).startsWith("created native set");
          assertThat(second.step("backup").orElseThrow().detail()).startsWith(
              "no backup due: last set " + set.setId() + ", next after "
                  + set.createdAt().plus(Duration.ofHours(3)));
          backups.backup(storage);
          assertThat(backups.applyRetention()).containsExactly(set.setId());
        });
  }

  @Test
  void retainMaxAgeReachesTheBackupManager() {
    runner.withPropertyValues("cairn.directory=" + dir("store"),
            "cairn.backup.target=" + dir("backups"), "cairn.backup.retain-max-age=1ms")
        .run(context -> {
          Storage storage = context.getBean(Storage.class);
          BackupManager backups = context.getBean(BackupManager.class);
          BackupManifest older = backups.backup(storage);
          Thread.sleep(5);
          BackupManifest newest = backups.backup(storage);
          Thread.sleep(5);
          assertThat(backups.applyRetention()).containsExactly(older.setId());
          assertThat(backups.list()).extracting(BackupManifest::setId)
              .containsExactly(newest.setId());
        });
  }

  @Test
  void scheduledBackupsRunInTheStoresMaintenance() {
    runner.withPropertyValues("cairn.directory=" + dir("store"), "cairn.maintenance.interval=1s",
            "cairn.maintenance.verify=false", "cairn.backup.target=" + dir("backups"),
            "cairn.backup.schedule=1s")
        .run(context -> {
          Storage storage = context.getBean(Storage.class);
          storage.putBytes("c", "k", new byte[] {1});
          BackupManager backups = context.getBean(BackupManager.class);
          long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (backups.list().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
          }
          assertThat(backups.list()).isNotEmpty().allSatisfy(m -> {
            assertThat(m.storeId()).isEqualTo(storage.admin().storeId());
            assertThat(m.records()).isEqualTo(1);
          });
        });
  }
}
