package dev.cairn.spring.boot;

import dev.cairn.backup.BackupManager;
import dev.cairn.spring.boot.CairnProperties.AccessStatistics;
import dev.cairn.spring.boot.CairnProperties.Backup;
import dev.cairn.spring.boot.CairnProperties.Cache;
import dev.cairn.spring.boot.CairnProperties.ChangeFeed;
import dev.cairn.spring.boot.CairnProperties.Maintenance;
import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.type.MethodMetadata;

/**
 * How {@link CairnProperties} become builders, and the startup check that none of them is
 * ignored. The check runs on bean definitions, before any bean exists, and reports every
 * problem at once; the bean methods then apply the same properties through the same methods.
 */
final class CairnSettings {

  /** The health indicator's bean name. */
  static final String HEALTH_BEAN = "cairnHealthIndicator";
  /** The customizer that installs the latency histograms (cairn-micrometer). */
  static final String HISTOGRAMS_BEAN = "cairnLatencyHistograms";

  /** {@link StorageBuilder}'s default maintenance interval. */
  private static final Duration DEFAULT_MAINTENANCE_INTERVAL = Duration.ofHours(1);

  private CairnSettings() {}

  /**
   * A builder with every storage property applied; each refused value is added to
   * {@code problems} with its property's name.
   */
  static StorageBuilder storageBuilder(CairnProperties p, List<String> problems) {
    StorageBuilder b = Storage.builder();
    if (p.directory() == null) {
      problems.add("cairn.directory is required: the store's directory, e.g. "
          + "cairn.directory=data/cairn (or define your own Storage bean)");
    } else {
      b.directory(p.directory());
    }
    set(problems, "cairn.backend", p.backend(), b::backend);
    setEach(problems, "cairn.backend-options", p.backendOptions(), b::backendOption);
    set(problems, "cairn.codec", p.codec(), b::codec);
    setEach(problems, "cairn.codec-options", p.codecOptions(), b::codecOption);

    Cache c = p.cache();
    if (c.name() == null) {
      needs(problems, cacheSettings(c), "cairn.cache.name",
          "name the cache, e.g. cairn.cache.name=tiered");
    } else {
      b.cache(c.name());
      set(problems, "cairn.cache.max-heap-bytes", c.maxHeapBytes(),
          x -> b.cacheMaxHeapBytes(x.toBytes()));
      set(problems, "cairn.cache.max-off-heap-bytes", c.maxOffHeapBytes(),
          x -> b.cacheMaxOffHeapBytes(x.toBytes()));
      set(problems, "cairn.cache.expire-after-write", c.expireAfterWrite(),
          b::cacheExpireAfterWrite);
      set(problems, "cairn.cache.expire-after-access", c.expireAfterAccess(),
          b::cacheExpireAfterAccess);
      setEach(problems, "cairn.cache.options", c.options(), b::cacheOption);
    }
    set(problems, "cairn.durability", p.durability(), b::durability);
    setEach(problems, "cairn.default-ttl", p.defaultTtl(), b::defaultTtl);
    set(problems, "cairn.dedup-scope", p.dedupScope(), b::dedupScope);
    set(problems, "cairn.dedup-mode", p.dedupMode(), b::dedupMode);
    setEach(problems, "cairn.dedup-modes", p.dedupModes(), b::dedupMode);
    changeFeed(p.changeFeed(), b, problems);
    accessStatistics(p.accessStatistics(), b, problems);

    Maintenance m = p.maintenance();
    if (Boolean.FALSE.equals(m.enabled())) {
      b.noScheduledMaintenance();
      if (m.interval() != null) {
        problems.add("cairn.maintenance.interval is set but cairn.maintenance.enabled=false");
      }
    } else {
      set(problems, "cairn.maintenance.interval", m.interval(), b::maintenanceInterval);
    }
    set(problems, "cairn.maintenance.verify", m.verify(), b::maintenanceVerify);

    Duration schedule = p.backup().schedule();
    if (schedule != null) {
      Duration every = m.interval() == null ? DEFAULT_MAINTENANCE_INTERVAL : m.interval();
      if (Boolean.FALSE.equals(m.enabled())) {
        problems.add("cairn.backup.schedule is set but cairn.maintenance.enabled=false: "
            + "scheduled backups are taken by maintenance runs");
      } else if (schedule.compareTo(every) < 0) {
        problems.add("cairn.backup.schedule=" + schedule + " is shorter than "
            + "cairn.maintenance.interval=" + every + ": backups are taken by maintenance runs, "
            + "so set cairn.maintenance.interval to at most " + schedule);
      }
    }
    return b;
  }

  /** {@code cairn.change-feed.*}: the feed turned on with the retention the properties give. */
  private static void changeFeed(ChangeFeed f, StorageBuilder b, List<String> problems) {
    if (!Boolean.TRUE.equals(f.enabled())) {
      needs(problems, changeFeedSettings(f), "cairn.change-feed.enabled",
          "the retention applies to a feed turned on with cairn.change-feed.enabled=true");
      return;
    }
    AtomicReference<ChangeFeedRetention> r = new AtomicReference<>(ChangeFeedRetention.defaults());
    set(problems, "cairn.change-feed.max-changes", f.maxChanges(),
        n -> r.set(r.get().withMaxChanges(n)));
    set(problems, "cairn.change-feed.max-age", f.maxAge(), a -> r.set(r.get().withMaxAge(a)));
    b.changeFeed(r.get());
  }

  /** {@code cairn.access-statistics.*}: turned on, with the flush settings the properties give. */
  private static void accessStatistics(AccessStatistics a, StorageBuilder b,
      List<String> problems) {
    if (!Boolean.TRUE.equals(a.enabled())) {
      needs(problems, accessStatisticsSettings(a), "cairn.access-statistics.enabled",
          "the flush settings apply to statistics turned on with "
              + "cairn.access-statistics.enabled=true");
      return;
    }
    b.accessStatistics(true);
    set(problems, "cairn.access-statistics.flush-interval", a.flushInterval(),
        b::accessStatsFlushInterval);
    set(problems, "cairn.access-statistics.max-pending", a.maxPending(),
        b::accessStatsMaxPending);
  }

  /**
   * A backup manager's builder with every backup property applied, or null without
   * {@code cairn.backup.target} (then every other backup property is a problem). The target is
   * set only if {@code withTarget}, since setting it creates the directory.
   */
  static BackupManager.Builder backupBuilder(CairnProperties p, List<String> problems,
      boolean withTarget) {
    Backup k = p.backup();
    if (k.target() == null) {
      needs(problems, backupSettings(k), "cairn.backup.target",
          "the directory backup sets are written to");
      return null;
    }
    BackupManager.Builder b = BackupManager.builder();
    set(problems, "cairn.backup.schedule", k.schedule(), b::interval);
    set(problems, "cairn.backup.kind", k.kind(), b::kind);
    set(problems, "cairn.backup.retain-last", k.retainLast(), b::retainLast);
    set(problems, "cairn.backup.retain-max-age", k.retainMaxAge(), b::retainMaxAge);
    if (withTarget) {
      b.target(k.target());
    }
    return b;
  }

  /**
   * Every problem of the properties given the beans that will exist: the properties' own
   * problems, and properties that would configure nothing (a bean the application defines
   * itself, a feature whose module is absent).
   */
  static List<String> check(CairnProperties p, ConfigurableListableBeanFactory beans) {
    List<String> problems = new ArrayList<>();
    if (p.name() == null || p.name().isBlank()) {
      problems.add("cairn.name must not be blank");
    }
    boolean ownStorage = definedHere(beans, Storage.class);
    boolean ownBackups = definedHere(beans, BackupManager.class);
    if (ownStorage) {
      storageBuilder(p, problems);
      if (p.metrics().histograms() && !beans.containsBeanDefinition(HISTOGRAMS_BEAN)) {
        problems.add("cairn.metrics.histograms=true needs a MeterRegistry bean and "
            + "dev.cairn:cairn-micrometer on the class path");
      }
    } else {
      userBean(problems, storageSettings(p), "Storage",
          "set them on your StorageBuilder instead");
    }
    boolean anyBackups = beans.getBeanNamesForType(BackupManager.class, true, false).length > 0;
    if (ownBackups || !anyBackups) {
      backupBuilder(p, problems, false);
    } else {
      // the application's own BackupManager: cairn.backup.* would configure nothing
      Map<String, Object> set = backupSettings(p.backup());
      set.put("cairn.backup.target", p.backup().target());
      userBean(problems, set, "BackupManager",
          "set them on your BackupManager.Builder instead (scheduled backups: add its "
              + "maintenanceTask() with a CairnStorageBuilderCustomizer)");
    }
    Duration maxAge = p.health().maxBackupAge();
    if (maxAge != null) {
      if (maxAge.isNegative() || maxAge.isZero()) {
        problems.add("cairn.health.max-backup-age=" + maxAge + ": must be positive");
      }
      if (!anyBackups) {
        problems.add("cairn.health.max-backup-age is set but there is no BackupManager: "
            + "set cairn.backup.target");
      }
      if (!beans.containsBeanDefinition(HEALTH_BEAN)) {
        problems.add("cairn.health.max-backup-age is set but there is no cairn health indicator: "
            + "add org.springframework.boot:spring-boot-health (or the actuator starter) and "
            + "leave management.health.cairn.enabled on");
      }
    }
    return problems;
  }

  /** Throws one exception listing every problem, if there is any. */
  static void throwIfAny(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new IllegalStateException("invalid cairn.* configuration:\n  "
          + String.join("\n  ", problems));
    }
  }

  /** The properties that configure the store, by name, with their values (null: unset). */
  private static Map<String, Object> storageSettings(CairnProperties p) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("cairn.directory", p.directory());
    s.put("cairn.backend", p.backend());
    s.put("cairn.backend-options", p.backendOptions().isEmpty() ? null : p.backendOptions());
    s.put("cairn.codec", p.codec());
    s.put("cairn.codec-options", p.codecOptions().isEmpty() ? null : p.codecOptions());
    s.put("cairn.cache.name", p.cache().name());
    s.putAll(cacheSettings(p.cache()));
    s.put("cairn.durability", p.durability());
    s.put("cairn.default-ttl", p.defaultTtl().isEmpty() ? null : p.defaultTtl());
    s.put("cairn.dedup-scope", p.dedupScope());
    s.put("cairn.dedup-mode", p.dedupMode());
    s.put("cairn.dedup-modes", p.dedupModes().isEmpty() ? null : p.dedupModes());
    s.put("cairn.change-feed.enabled", p.changeFeed().enabled());
    s.putAll(changeFeedSettings(p.changeFeed()));
    s.put("cairn.access-statistics.enabled", p.accessStatistics().enabled());
    s.putAll(accessStatisticsSettings(p.accessStatistics()));
    s.put("cairn.maintenance.enabled", p.maintenance().enabled());
    s.put("cairn.maintenance.interval", p.maintenance().interval());
    s.put("cairn.maintenance.verify", p.maintenance().verify());
    s.put("cairn.backup.schedule", p.backup().schedule());
    s.put("cairn.metrics.histograms", p.metrics().histograms() ? true : null);
    return s;
  }

  private static Map<String, Object> cacheSettings(Cache c) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("cairn.cache.max-heap-bytes", c.maxHeapBytes());
    s.put("cairn.cache.max-off-heap-bytes", c.maxOffHeapBytes());
    s.put("cairn.cache.expire-after-write", c.expireAfterWrite());
    s.put("cairn.cache.expire-after-access", c.expireAfterAccess());
    s.put("cairn.cache.options", c.options().isEmpty() ? null : c.options());
    return s;
  }

  private static Map<String, Object> changeFeedSettings(ChangeFeed f) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("cairn.change-feed.max-changes", f.maxChanges());
    s.put("cairn.change-feed.max-age", f.maxAge());
    return s;
  }

  private static Map<String, Object> accessStatisticsSettings(AccessStatistics a) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("cairn.access-statistics.flush-interval", a.flushInterval());
    s.put("cairn.access-statistics.max-pending", a.maxPending());
    return s;
  }

  private static Map<String, Object> backupSettings(Backup k) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("cairn.backup.schedule", k.schedule());
    s.put("cairn.backup.kind", k.kind());
    s.put("cairn.backup.retain-last", k.retainLast());
    s.put("cairn.backup.retain-max-age", k.retainMaxAge());
    return s;
  }

  /** A problem for each set property that needs {@code required}, which is unset. */
  private static void needs(List<String> problems, Map<String, Object> settings, String required,
      String hint) {
    eachSet(settings, name -> problems.add(name + " is set but " + required + " is not: " + hint));
  }

  /** A problem for each set property that would configure the application's own bean. */
  private static void userBean(List<String> problems, Map<String, Object> settings, String type,
      String hint) {
    eachSet(settings, name -> problems.add(name + " is set but the application defines its own "
        + type + " bean, which cairn.* properties do not configure: " + hint));
  }

  private static void eachSet(Map<String, Object> settings, Consumer<String> name) {
    settings.forEach((n, value) -> {
      if (value != null) {
        name.accept(n);
      }
    });
  }

  /** Whether a bean of {@code type} is defined by {@link CairnAutoConfiguration}. */
  private static boolean definedHere(ConfigurableListableBeanFactory beans, Class<?> type) {
    for (String name : beans.getBeanNamesForType(type, true, false)) {
      BeanDefinition d = beans.getBeanDefinition(name);
      MethodMetadata factory =
          d instanceof AnnotatedBeanDefinition a ? a.getFactoryMethodMetadata() : null;
      if (factory != null
          && factory.getDeclaringClassName().equals(CairnAutoConfiguration.class.getName())) {
        return true;
      }
    }
    return false;
  }

  /** Each entry of a map property through {@code setter}(key, value), as {@code property[key]}. */
  private static <T> void setEach(List<String> problems, String property, Map<String, T> values,
      BiConsumer<String, T> setter) {
    values.forEach((k, v) -> set(problems, property + "[" + k + "]", v, x -> setter.accept(k, x)));
  }

  private static <T> void set(List<String> problems, String property, T value,
      Consumer<T> setter) {
    if (value == null) {
      return;
    }
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      problems.add(property + "=" + value + ": " + e.getMessage());
    }
  }
}
