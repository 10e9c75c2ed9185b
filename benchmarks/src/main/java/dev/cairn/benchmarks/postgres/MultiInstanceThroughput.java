package dev.cairn.benchmarks.postgres;

import dev.cairn.backend.postgres.TestPostgres;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Multi-instance throughput: 1, 2 and 4 client JVMs, each one {@code Storage} on the same
 * postgres schema running bank transfers (read two of 1024 balances, write both, SYNC commit) on
 * one thread for a fixed time. Prints committed transfers per second summed over the JVMs and
 * the conflicts the engine retried. Not JMH: JMH cannot run several forks at once.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.cairn.benchmarks.postgres.MultiInstanceThroughput [seconds]
 * </pre>
 *
 * The server: {@code -Dcairn.bench.pg.url=...} ({@code -Dcairn.bench.pg.user}, password in
 * {@code PGPASSWORD}), else a local one started from Maven-delivered binaries.
 */
public final class MultiInstanceThroughput {

  private static final int ACCOUNTS = 1024;

  private MultiInstanceThroughput() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("child")) {
      child(args);
      return;
    }
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String url = System.getProperty("cairn.bench.pg.url");
    String user = System.getProperty("cairn.bench.pg.user", "postgres");
    if (url == null) {
      url = TestPostgres.get().url();
      user = TestPostgres.get().user();
    }
    Path root = Files.createTempDirectory("cairn-pg-multi");
    System.out.println("| client JVMs | transfers/s (sum) | per JVM | conflicts retried |");
    System.out.println("|---:|---:|---:|---:|");
    for (int jvms : new int[] {1, 2, 4}) {
      String schema = TestPostgres.freshSchema("multi" + jvms);
      try (Storage s = open(root.resolve(schema + "-setup"), url, user, schema)) {
        Map<String, Long> start = new HashMap<>();
        for (int i = 0; i < ACCOUNTS; i++) {
          start.put("acct" + i, 1_000_000L);
        }
        s.putAll("bank", start);
      }
      List<Process> children = new ArrayList<>();
      for (int j = 0; j < jvms; j++) {
        children.add(new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp", System.getProperty("java.class.path"), MultiInstanceThroughput.class.getName(),
            "child", root.resolve(schema + "-" + j).toString(), url, user, schema,
            Integer.toString(seconds), Integer.toString(j))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start());
      }
      long done = 0;
      long conflicts = 0;
      for (Process p : children) {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(seconds + 120L, TimeUnit.SECONDS);
        String[] parts = out.split(" ");
        done += Long.parseLong(parts[0]);
        conflicts += Long.parseLong(parts[1]);
      }
      double rate = done / (double) seconds;
      System.out.printf("| %d | %.0f | %.0f | %d |%n", jvms, rate, rate / jvms, conflicts);
    }
  }

  private static Storage open(Path dir, String url, String user, String schema) {
    return Storage.builder().directory(dir).backend("postgres")
        .backendOption("postgres.url", url).backendOption("postgres.user", user)
        .backendOption("postgres.schema", schema).backendOption("postgres.poolSize", "2")
        .noCache().noScheduledMaintenance().open();
  }

  /** {@code child <dir> <url> <user> <schema> <seconds> <seed>}: prints "transfers conflicts". */
  private static void child(String[] args) throws IOException {
    try (Storage s = open(Path.of(args[1]), args[2], args[3], args[4])) {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[5]));
      Random rnd = new Random(Long.parseLong(args[6]));
      long n = 0;
      while (System.nanoTime() < end) {
        String a = "acct" + rnd.nextInt(ACCOUNTS);
        String b = "acct" + rnd.nextInt(ACCOUNTS);
        if (a.equals(b)) {
          continue;
        }
        s.useTransaction(tx -> {
          long x = tx.get("bank", a, Long.class).orElseThrow();
          long y = tx.get("bank", b, Long.class).orElseThrow();
          tx.put("bank", a, x - 1);
          tx.put("bank", b, y + 1);
        });
        n++;
      }
      System.out.println(n + " " + s.stats().conflictsRetried());
    }
  }
}
