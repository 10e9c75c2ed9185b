package dev.cairn.backend.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.storage.Change;
import dev.cairn.storage.ChangeFeedRetention;
import dev.cairn.storage.Durability;
import dev.cairn.storage.Storage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conditional writes and the change feed across real child JVMs sharing one schema (the
 * in-JVM versions with two {@code Storage} instances are PostgresConditionalWriteTest and
 * PostgresChangeFeedTest). Every child opens its store, says {@code ready}, and starts only
 * when the parent has heard every child and answered {@code go}, so the processes race.
 */
final class PostgresMultiProcessFeatureTest {

  private static final int CHILDREN = 3;

  @TempDir Path dir;

  /**
   * A child JVM: {@code cas <dir> <url> <user> <schema> <id> <rounds> <increments>} or
   * {@code feed <dir> <url> <user> <schema> <id> <writes> <total>}.
   */
  static final class Child {
    public static void main(String[] args) throws Exception {
      var b = Storage.builder().directory(Paths.get(args[1])).backend("postgres")
          .noScheduledMaintenance().noCache()
          .backendOption("postgres.url", args[2]).backendOption("postgres.user", args[3])
          .backendOption("postgres.schema", args[4]).backendOption("postgres.poolSize", "3");
      if (args[0].equals("feed")) {
        b.changeFeed(ChangeFeedRetention.unlimited());
      }
      int id = Integer.parseInt(args[5]);
      try (Storage s = b.open();
          BufferedReader in = new BufferedReader(
              new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        int rounds = Integer.parseInt(args[6]);
        // the versions every child races with, read before any child starts
        Map<String, Long> versions = new HashMap<>();
        if (args[0].equals("cas")) {
          for (int r = 0; r < rounds; r++) {
            versions.put("u" + r, s.metadata("swap", "u" + r).orElseThrow().version());
            versions.put("t" + r, s.metadata("tokens", "t" + r).orElseThrow().version());
          }
        }
        System.out.println("ready");
        System.out.flush();
        if (!"go".equals(in.readLine())) {
          throw new IllegalStateException("expected go");
        }
        if (args[0].equals("cas")) {
          cas(s, id, rounds, Integer.parseInt(args[7]), versions);
        } else {
          feed(s, id, Integer.parseInt(args[6]), Integer.parseInt(args[7]));
        }
      }
    }

    /**
     * Per round: insert-if-absent of {@code race/k<r>}, replace-if-version and
     * delete-if-version of keys the parent created, with the versions every child read before
     * the start, each printed when it applied; meanwhile two threads count {@code ctr/n} up by compare-and-set.
     */
    private static void cas(Storage s, int id, int rounds, int increments,
        Map<String, Long> versions) throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      AtomicLong lost = new AtomicLong();
      List<Future<?>> counters = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        counters.add(pool.submit(() -> {
          for (int i = 0; i < increments; i++) {
            Workloads.incrementByCas(s, "ctr", "n", lost);
          }
          return null;
        }));
      }
      byte[] mine = {(byte) id};
      for (int r = 0; r < rounds; r++) {
        if (s.putBytesIfAbsent("race", "k" + r, mine)) {
          System.out.println("insert " + r);
        }
        if (s.replaceBytesIfVersion("swap", "u" + r, versions.get("u" + r), mine)) {
          System.out.println("replace " + r);
        }
        if (s.deleteIfVersion("tokens", "t" + r, versions.get("t" + r))) {
          System.out.println("delete " + r);
        }
        System.out.flush();
      }
      for (Future<?> f : counters) {
        f.get(300, TimeUnit.SECONDS);
      }
      pool.shutdown();
      System.out.println("done " + lost.get());
    }

    /**
     * One thread writes {@code writes} keys {@code c<id>-NNNN} (SYNC and GROUP alternating),
     * deleting every fifth one again; another follows the feed from the start until it has
     * seen {@code total} changes and prints each.
     */
    private static void feed(Storage s, int id, int writes, int total) throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      Future<List<Change>> follower = pool.submit(() -> {
        List<Change> seen = new ArrayList<>();
        while (seen.size() < total) {
          long after = seen.isEmpty() ? 0 : seen.get(seen.size() - 1).position();
          seen.addAll(s.changes().poll(after, 13, Duration.ofSeconds(60)));
        }
        return seen;
      });
      Future<?> writer = pool.submit(() -> {
        for (int i = 0; i < writes; i++) {
          String key = String.format("c%d-%04d", id, i);
          Durability d = i % 2 == 0 ? Durability.SYNC : Durability.GROUP;
          byte[] value = {(byte) id, (byte) i};
          s.transaction(d, tx -> {
            tx.putBytes("feed", key, value);
            return null;
          });
          if (i % 5 == 4) {
            s.delete("feed", key);
          }
        }
        return null;
      });
      writer.get(300, TimeUnit.SECONDS);
      for (Change c : follower.get(300, TimeUnit.SECONDS)) {
        System.out.println("change " + c.position() + " " + c.collection() + " " + c.key() + " "
            + c.kind() + " " + c.version());
      }
      pool.shutdown();
      System.out.println("done");
    }
  }

  /** Started children, each past its {@code ready}. */
  private record Children(List<Process> processes, List<BufferedReader> outputs) {

    void go() throws IOException {
      for (Process p : processes) {
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
      }
    }

    /** Each child's remaining output lines, once it exited with 0. */
    List<List<String>> finish(long seed) throws Exception {
      List<List<String>> lines = new ArrayList<>();
      for (int i = 0; i < processes.size(); i++) {
        Process p = processes.get(i);
        List<String> out = outputs.get(i).lines().toList();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("child %d exit; output %s; seed %d", i, out, seed).isZero();
        assertThat(out).as("child %d output", i).last().asString().startsWith("done");
        lines.add(out);
      }
      return lines;
    }

    void kill() {
      processes.forEach(Process::destroyForcibly);
    }
  }

  private Children start(String mode, String schema, String... more) throws Exception {
    TestPostgres pg = TestPostgres.get();
    List<Process> processes = new ArrayList<>();
    List<BufferedReader> outputs = new ArrayList<>();
    for (int i = 0; i < CHILDREN; i++) {
      List<String> args = new ArrayList<>(List.of(mode, dir.resolve(mode + i).toString(),
          pg.url(), pg.user(), schema, Integer.toString(i)));
      args.addAll(List.of(more));
      Process p = PostgresMultiProcessTest.childJvm(Child.class, args.toArray(String[]::new));
      processes.add(p);
      outputs.add(new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
    }
    Children children = new Children(processes, outputs);
    for (BufferedReader out : outputs) {
      String line = out.readLine();
      if (!"ready".equals(line)) {
        children.kill();
        throw new AssertionError("a child did not open its store: " + line);
      }
    }
    return children;
  }

  /** Starts the children, lets them go together, and returns each one's output once it exited. */
  private List<List<String>> run(String mode, String schema, long seed, String... more)
      throws Exception {
    Children children = start(mode, schema, more);
    try {
      children.go();
      return children.finish(seed);
    } finally {
      children.kill();
    }
  }

  private Storage open(String name, Map<String, String> options, boolean feed) {
    return PostgresChangeFeedTest.open(dir.resolve(name), options, feed);
  }

  @Test
  void conditionalWritesOfThreeProcessesHaveOneWinnerPerRaceAndExactCounters() throws Exception {
    long seed = System.nanoTime();
    int rounds = 25;
    int increments = 15;
    Map<String, String> options = TestPostgres.get().freshOptions("procs_cas");
    String schema = options.get("postgres.schema");
    try (Storage s = open("parent", options, false)) {
      assertThat(s.putIfAbsent("ctr", "n", 0L)).isTrue();
      Map<String, byte[]> swap = new HashMap<>();
      Map<String, byte[]> tokens = new HashMap<>();
      for (int r = 0; r < rounds; r++) {
        swap.put("u" + r, new byte[] {-1});
        tokens.put("t" + r, new byte[] {-1});
      }
      s.putAllBytes("swap", swap);
      s.putAllBytes("tokens", tokens);
    }
    List<List<String>> outputs = run("cas", schema, seed, Integer.toString(rounds),
        Integer.toString(increments));
    try (Storage s = open("parent", options, false)) {
      for (String op : List.of("insert", "replace", "delete")) {
        for (int r = 0; r < rounds; r++) {
          List<Integer> winners = new ArrayList<>();
          for (int c = 0; c < CHILDREN; c++) {
            if (outputs.get(c).contains(op + " " + r)) {
              winners.add(c);
            }
          }
          assertThat(winners).as("%s winners of round %d; outputs %s", op, r, outputs)
              .hasSize(1);
          int winner = winners.get(0);
          switch (op) {
            case "insert" -> assertThat(s.getBytes("race", "k" + r)).get()
                .isEqualTo(new byte[] {(byte) winner});
            case "replace" -> assertThat(s.getBytes("swap", "u" + r)).get()
                .isEqualTo(new byte[] {(byte) winner});
            default -> assertThat(s.getBytes("tokens", "t" + r)).isEmpty();
          }
        }
      }
      assertThat(s.get("ctr", "n", Long.class)).as("outputs %s", outputs)
          .contains((long) CHILDREN * 2 * increments);
      assertThat(s.admin().verify().problems()).isEmpty();
    }
  }

  @Test
  void threeProcessesWritingShowEveryFollowerOneCompleteSequence() throws Exception {
    long seed = System.nanoTime();
    int writes = 40;
    int perChild = writes + writes / 5; // every fifth write is deleted again
    int total = CHILDREN * perChild;
    Map<String, String> options = TestPostgres.get().freshOptions("procs_feed");
    String schema = options.get("postgres.schema");
    try (Storage s = open("parent", options, true)) {
      assertThat(s.changes().head()).isZero();
    }
    List<List<String>> outputs = run("feed", schema, seed, Integer.toString(writes),
        Integer.toString(total));
    List<List<String>> sequences = new ArrayList<>();
    for (List<String> out : outputs) {
      sequences.add(out.stream().filter(l -> l.startsWith("change ")).toList());
    }
    List<String> first = sequences.get(0);
    assertThat(first).as("child 0's changes").hasSize(total);
    for (int c = 1; c < CHILDREN; c++) {
      assertThat(sequences.get(c)).as("child %d saw the same sequence as child 0", c)
          .isEqualTo(first);
    }
    for (int i = 0; i < total; i++) {
      assertThat(first.get(i).split(" ")[1]).as("position of change %d", i)
          .isEqualTo(Long.toString(i + 1));
    }
    try (Storage s = open("parent", options, true)) {
      List<Change> stored = s.changes().read(0, total + 1);
      assertThat(stored).hasSize(total);
      assertThat(stored.stream().map(c -> "change " + c.position() + " " + c.collection() + " "
          + c.key() + " " + c.kind() + " " + c.version()).toList())
          .as("the parent reads the sequence the children followed").isEqualTo(first);
      for (int c = 0; c < CHILDREN; c++) {
        String prefix = "c" + c + "-";
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
          String key = String.format("c%d-%04d", c, i);
          expected.add(key + " PUT");
          if (i % 5 == 4) {
            expected.add(key + " DELETE");
          }
        }
        assertThat(stored.stream().filter(ch -> ch.key().startsWith(prefix))
            .map(ch -> ch.key() + " " + ch.kind()).toList())
            .as("child %d's changes, each once, in its order", c).isEqualTo(expected);
        for (int i = 0; i < writes; i++) {
          if (i % 5 != 4) {
            String key = String.format("c%d-%04d", c, i);
            long version = s.metadata("feed", key).orElseThrow().version();
            assertThat(stored.stream().filter(ch -> ch.key().equals(key)).toList())
                .singleElement().extracting(Change::version).isEqualTo(version);
          }
        }
      }
      assertThat(s.admin().verify().problems()).isEmpty();
    }
  }
}
