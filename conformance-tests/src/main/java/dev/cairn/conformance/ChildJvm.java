package dev.cairn.conformance;

import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageAdmin;
import dev.cairn.storage.StorageBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What {@link CrashHarness} and {@link PowerLossHarness} share about the child JVM that writes
 * the {@link CrashWorkload}: the store's settings (backend, directory, codec, durability, backend
 * options, writer threads, seed, extra JVM arguments), each validated when set with the message
 * the harness builders document; the command line that runs {@link CrashWriter} with them; the
 * {@link StorageBuilder} the checks reopen the store with; and the checks of a reopened store that
 * do not depend on the workload's steps. The harness builders delegate their common setters here.
 */
final class ChildJvm {

  /** The collections the workload writes, and the only ones a checked store may hold. */
  static final List<String> COLLECTIONS =
      List.of(CrashWorkload.ACCOUNTS, CrashWorkload.DOCS, CrashWorkload.LEDGER);

  final String backend;
  final Path directory;
  private final int maxWriterThreads;
  String codec = "identity";
  Durability durability = Durability.SYNC;
  final Map<String, String> backendOptions = new LinkedHashMap<>();
  int writerThreads = 1;
  long seed = KitSupport.SEED;
  final List<String> jvmArgs = new ArrayList<>();

  /**
   * Settings for a store of {@code backend} (a registered name, or {@link KitSupport#PROVIDER_CLASS}
   * and a class name) in {@code directory} (made absolute and normalized), with at most
   * {@code maxWriterThreads} writer threads.
   */
  ChildJvm(String backend, Path directory, int maxWriterThreads) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
    this.maxWriterThreads = maxWriterThreads;
  }

  void codec(String name) {
    this.codec = Objects.requireNonNull(name, "codec");
  }

  void durability(Durability d) {
    Objects.requireNonNull(d, "durability");
    if (d == Durability.ASYNC) {
      throw new IllegalArgumentException(
          "durability ASYNC acknowledges before fsync: acknowledged writes may be lost by design");
    }
    this.durability = d;
  }

  void backendOption(String key, String value) {
    backendOptions.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
  }

  void writerThreads(int n) {
    if (n < 1 || n > maxWriterThreads) {
      throw new IllegalArgumentException(
          "writer threads must be in 1.." + maxWriterThreads + ", got " + n);
    }
    this.writerThreads = n;
  }

  void jvmArg(String arg) {
    jvmArgs.add(Objects.requireNonNull(arg, "jvm argument"));
  }

  /** {@code backend/codec/durability}, for log lines and assertion messages. */
  String describe() {
    return backend + "/" + codec + "/" + durability;
  }

  /**
   * The command line of a child: this JVM's {@code java} and class path, the {@code --add-opens}
   * LMDB needs, a small serial-GC heap, then {@code jvmOptions} (the harness's own), then the
   * user's {@link #jvmArgs}, then {@link CrashWriter} with the store's settings and each writer
   * thread's first step.
   */
  List<String> command(long[] starts, List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("--add-opens");
    cmd.add("java.base/java.nio=ALL-UNNAMED");
    cmd.add("--add-opens");
    cmd.add("java.base/sun.nio.ch=ALL-UNNAMED");
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.addAll(jvmOptions);
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.addAll(jvmArgs);
    cmd.add(CrashWriter.class.getName());
    cmd.add(directory.toString());
    cmd.add(backend);
    cmd.add(codec);
    cmd.add(durability.name());
    cmd.add(Long.toString(seed));
    cmd.add(Arrays.stream(starts).mapToObj(Long::toString).collect(Collectors.joining(",")));
    backendOptions.forEach((k, v) -> cmd.add(k + "=" + v));
    return cmd;
  }

  /**
   * A builder of the store in {@code dir} with the backend, codec and backend options the child
   * used, without scheduled maintenance (so nothing changes the store while it is checked).
   */
  StorageBuilder reopen(Path dir) {
    StorageBuilder b = KitSupport.selectBackend(Storage.builder(), backend)
        .directory(dir)
        .codec(codec)
        .noScheduledMaintenance();
    backendOptions.forEach(b::backendOption);
    return b;
  }

  /**
   * Reads writer thread {@code thread}'s records of every collection into {@code out}, keyed
   * {@code collection/key}; returns the problem when a listed key cannot be read, else
   * {@code null}. A {@link dev.cairn.storage.DataCorruptionException} of a read propagates.
   */
  String readThread(Storage storage, int thread, Map<String, byte[]> out) {
    for (String c : COLLECTIONS) {
      List<String> keys;
      try (Stream<String> s = storage.keys(c, CrashWorkload.prefix(thread))) {
        keys = s.toList();
      }
      for (String k : keys) {
        byte[] v = storage.getBytes(c, k).orElse(null);
        if (v == null) {
          return "key " + c + "/" + k + " is listed by keys() but getBytes finds nothing";
        }
        out.put(c + "/" + k, v);
      }
    }
    return null;
  }

  /**
   * The first problem of a reopened store that is not about one thread's records: a collection
   * the workload does not write, a record under no writer thread's prefix, or anything
   * {@link StorageAdmin#verify()} reports; {@code null} when there is none.
   */
  String storeProblem(Storage storage) {
    Set<String> unexpected = new TreeSet<>(storage.collections());
    COLLECTIONS.forEach(unexpected::remove);
    if (!unexpected.isEmpty()) {
      return "collections nobody wrote: " + unexpected;
    }
    for (String c : COLLECTIONS) {
      long owned = 0;
      for (int t = 0; t < writerThreads; t++) {
        try (Stream<String> keys = storage.keys(c, CrashWorkload.prefix(t))) {
          owned += keys.count();
        }
      }
      if (storage.count(c) != owned) {
        return "collection " + c + " holds " + storage.count(c)
            + " records but the writer threads own " + owned;
      }
    }
    StorageAdmin.VerificationReport report = storage.admin().verify();
    if (!report.ok()) {
      return "admin().verify() found " + report.problems().size() + " problem(s): "
          + report.problems().subList(0, Math.min(5, report.problems().size()));
    }
    return null;
  }

  /** The last 4,000 characters of a child's log. */
  static String tail(Path log) {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}
