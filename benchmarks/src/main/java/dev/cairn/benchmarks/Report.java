package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.storage.spi.BackendProvider;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Turns JMH's {@code -rf json} output into the one-line-per-case report of {@code benchmarks/run}:
 * {@code case  raw ops/s  cairn ops/s  ratio}, with the ceiling prototype's ratio where the run
 * measured one ({@code impl=ceiling}: a target above it is out of reach), plus the scale, cache and observability tables,
 * and the space table of {@link SpaceReport} (its JSON given among the inputs), and writes the
 * same as JSON. A case measured in several passes ({@code benchmarks/run}'s
 * {@code COMPARE_PASSES}) is scored over the iterations of all of them ({@link #mergePasses}), and
 * the ratio of each pass is shown beside it.
 *
 * <pre>
 * Report --backends                                   print the backends on the class path
 * Report --disturbed pass.json                        print "backend impl" per disturbed
 *                                                     two-thread trial in one pass's results
 * Report --replace pass.json rerun.json               put rerun.json's trials in place of the
 *                                                     same trials (benchmark, params) of pass.json
 * Report --out result.json [--machine key=value]... [--dedup-space dedup-space.json]
 *        jmh1.json [jmh2.json ...]
 * </pre>
 */
public final class Report {

  /**
   * Minimum cairn/raw ratio per case, the targets the report checks (benchmarks/README.md, "Why
   * the targets are missed"); cases not listed are informational.
   */
  static final Map<String, Double> TARGETS = Map.of(
      "bulkLoad", 0.5, "pointRead", 0.7, "pointRead2t", 0.7, "scanKeys", 0.7, "scanAll", 0.7,
      "durableCommit", 0.8, "groupCommit16", 5.0, "groupCommit64", 10.0);

  private Report() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 1 && args[0].equals("--backends")) {
      // backends with a raw-library counterpart in Kv (PostgreSQL has its own benchmark, which
      // needs a server: see the PostgreSQL section of benchmarks/README.md)
      TreeSet<String> names = new TreeSet<>();
      for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
        if (Kv.RAW_BACKENDS.contains(p.name())) {
          names.add(p.name());
        }
      }
      System.out.println(String.join(",", names));
      return;
    }
    if (args.length == 2 && args[0].equals("--disturbed")) {
      for (String trial : disturbedInPass(new ObjectMapper().readTree(Path.of(args[1]).toFile()))) {
        System.out.println(trial);
      }
      return;
    }
    if (args.length == 3 && args[0].equals("--replace")) {
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Path pass = Path.of(args[1]);
      JsonNode replaced = replaceTrials(json.readTree(pass.toFile()),
          json.readTree(Path.of(args[2]).toFile()));
      json.writeValue(pass.toFile(), replaced);
      return;
    }
    Path out = null;
    Map<String, String> machine = new LinkedHashMap<>();
    List<Path> inputs = new ArrayList<>();
    Path dedupSpace = null; // DedupSpace's output
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> out = Path.of(args[++i]);
        case "--machine" -> {
          String kv = args[++i];
          int eq = kv.indexOf('=');
          machine.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        case "--dedup-space" -> dedupSpace = Path.of(args[++i]);
        default -> inputs.add(Path.of(args[i]));
      }
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode report = json.createObjectNode();
    ObjectNode m = report.putObject("machine");
    machine.forEach(m::put);
    ArrayNode cases = report.putArray("cases");
    ArrayNode scale = report.putArray("scale");
    ArrayNode other = report.putArray("other");
    Map<String, JsonNode> cache = new LinkedHashMap<>(); // StorageCacheBenchmark method -> entry
    // ObservabilityBench method -> mode -> entry
    Map<String, Map<String, JsonNode>> observability = new LinkedHashMap<>();
    // TtlBenchmark method -> expiry (none, ttl) -> entry
    Map<String, Map<String, JsonNode>> ttl = new LinkedHashMap<>();
    // FeedBenchmark: "backend/method" -> off|on -> entry
    Map<String, Map<String, JsonNode>> feed = new LinkedHashMap<>();
    // DedupBenchmark: "backend/setting" -> method -> entry
    Map<String, Map<String, JsonNode>> dedup = new LinkedHashMap<>();

    // case -> impl -> entry
    Map<String, Map<String, JsonNode>> pairs = new LinkedHashMap<>();
    // case -> trials benchmarks/run measured again after they were disturbed (replacedScores)
    Map<String, List<String>> remeasured = new LinkedHashMap<>();
    Map<String, Integer> passOf = new LinkedHashMap<>(); // "case impl" -> passes read so far
    JsonNode space = null; // SpaceReport's output, the one input that is not JMH's
    for (Path in : inputs) {
      JsonNode tree = json.readTree(in.toFile());
      if (tree.has("space")) {
        space = tree;
        continue;
      }
      for (JsonNode b : tree) {
        String bench = b.get("benchmark").asText();
        String cls = bench.substring(0, bench.lastIndexOf('.'));
        String method = bench.substring(bench.lastIndexOf('.') + 1);
        JsonNode p = b.path("params");
        if (cls.endsWith(".CompareBenchmark")) {
          String name = p.path("backend").asText() + "/" + method;
          int pass = passOf.merge(name + " " + p.path("impl").asText(), 1, Integer::sum);
          if (b.has("replacedScores")) {
            List<String> before = new ArrayList<>();
            b.get("replacedScores").forEach(x -> before.add(fmt(x.asDouble()) + "/s"));
            remeasured.computeIfAbsent(name, k -> new ArrayList<>()).add(String.format(Locale.ROOT,
                "%s pass %d measured again (before: %s)", p.path("impl").asText(), pass,
                String.join(", ", before)));
          }
          // a second pass of the same case (benchmarks/run, COMPARE_PASSES) is merged with it
          pairs.computeIfAbsent(name, k -> new LinkedHashMap<>())
              .merge(p.path("impl").asText(), b, Report::mergePasses);
        } else if (cls.endsWith(".ScaleBenchmark")) {
          ObjectNode s = scale.addObject();
          s.put("case", "scale/" + p.path("impl").asText() + "/" + p.path("backend").asText()
              + "/" + p.path("records").asText() + "/" + method);
          s.put("records", p.path("records").asLong());
          double us = b.at("/primaryMetric/score").asDouble();
          s.put("usPerOp", round(us));
          s.put("usPerOpError", round(b.at("/primaryMetric/scoreError").asDouble()));
          s.put("opsPerSecond", round(1e6 / us));
          memory(b, s);
        } else if (cls.endsWith(".StorageCacheBenchmark")) {
          cache.put(method, b);
        } else if (cls.endsWith(".DedupBenchmark")) {
          dedup.computeIfAbsent(p.path("backend").asText() + "/" + p.path("setting").asText(),
              k -> new LinkedHashMap<>()).put(method, b);
        } else if (cls.endsWith(".FeedBenchmark")) {
          feed.computeIfAbsent(p.path("backend").asText() + "/" + method,
              k -> new LinkedHashMap<>()).put(p.path("feed").asText(), b);
        } else if (cls.endsWith(".ObservabilityBench")) {
          observability.computeIfAbsent(method, k -> new LinkedHashMap<>())
              .put(p.path("mode").asText(), b);
        } else if (cls.endsWith(".TtlBenchmark")) {
          ttl.computeIfAbsent(method, k -> new LinkedHashMap<>())
              .put(p.path("expiry").asText(), b);
        } else {
          ObjectNode o = other.addObject();
          o.put("benchmark", bench);
          o.set("params", p);
          o.put("score", round(b.at("/primaryMetric/score").asDouble()));
          o.put("unit", b.at("/primaryMetric/scoreUnit").asText());
        }
      }
    }
    PrintStream o = System.out;
    o.printf(Locale.ROOT, "%-24s %14s %14s %7s  %s%n", "case", "raw ops/s", "cairn ops/s", "ratio",
        "target");
    for (Map.Entry<String, Map<String, JsonNode>> e : pairs.entrySet()) {
      String method = e.getKey().substring(e.getKey().indexOf('/') + 1);
      JsonNode raw = e.getValue().get("raw");
      JsonNode cairn = e.getValue().get("cairn");
      JsonNode ceiling = e.getValue().get("ceiling");
      double r = raw == null ? Double.NaN : raw.at("/primaryMetric/score").asDouble();
      double c = cairn == null ? Double.NaN : cairn.at("/primaryMetric/score").asDouble();
      double ratio = c / r;
      double ceilingRatio = ceiling == null ? Double.NaN
          : ceiling.at("/primaryMetric/score").asDouble() / r;
      Double target = TARGETS.get(method);
      // a prototype that scored below Cairn itself measured something else (a disturbed run, or
      // a cost Cairn does not pay): it shows no ceiling
      boolean ceilingHolds = ceilingRatio >= ratio;
      String verdict = target == null ? "-"
          : Double.isNaN(ratio) ? ">= " + target + " (incomplete)"
          : ratio >= target ? ">= " + target + " met"
          // a target above what the stripped prototype reaches is out of reach by measurement
          : ceilingRatio < target && ceilingHolds ? ">= " + target + " out of reach: ceiling "
              + String.format(Locale.ROOT, "%.2f, cairn at %.2f of it", ceilingRatio,
                  ratio / ceilingRatio)
          : ">= " + target + " MISSED" + (Double.isNaN(ceilingRatio) ? ""
              : ceilingHolds ? String.format(Locale.ROOT, " (ceiling %.2f)", ceilingRatio)
              : String.format(Locale.ROOT, " (the ceiling prototype scored %.2f, below cairn:"
                  + " no ceiling shown)", ceilingRatio));
      List<Double> passRatios = passRatios(raw, cairn);
      String passes = passRatios.isEmpty() ? "" : " [passes " + String.join(", ",
          passRatios.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList()) + "]";
      double rawCpu = cpuNsPerOp(raw);
      double cairnCpu = cpuNsPerOp(cairn);
      String cpu = Double.isNaN(rawCpu) && Double.isNaN(cairnCpu) ? ""
          : " [cpu ns/op " + fmt(rawCpu) + " / " + fmt(cairnCpu) + "]";
      o.printf(Locale.ROOT, "%-24s %14s %14s %7s  %s%s%s%n", e.getKey(), fmt(r), fmt(c),
          Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio), verdict, passes,
          cpu);
      ObjectNode n = cases.addObject();
      n.put("case", e.getKey());
      n.put("rawOpsPerSecond", round(r));
      n.put("rawError", raw == null ? Double.NaN : round(raw.at("/primaryMetric/scoreError").asDouble()));
      n.put("cairnOpsPerSecond", round(c));
      n.put("cairnError", cairn == null ? Double.NaN : round(cairn.at("/primaryMetric/scoreError").asDouble()));
      n.put("ratio", Math.round(ratio * 1000) / 1000.0);
      if (!passRatios.isEmpty()) { // the spread between passes, beside the merged ratio
        ArrayNode perPass = n.putArray("ratioPerPass");
        passRatios.forEach(x -> perPass.add(Math.round(x * 1000) / 1000.0));
      }
      if (target != null) {
        n.put("target", target);
        n.put("met", ratio >= target);
      }
      if (ceiling != null) {
        n.put("ceilingOpsPerSecond", round(ceiling.at("/primaryMetric/score").asDouble()));
        n.put("ceilingRatio", Math.round(ceilingRatio * 1000) / 1000.0);
        n.put("cairnToCeiling", Math.round(ratio / ceilingRatio * 1000) / 1000.0);
        n.put("ceilingBelowCairn", !ceilingHolds);
        if (target != null) {
          n.put("outOfReach", ceilingRatio < target && ceilingHolds);
        }
      }
      List<String> again = remeasured.getOrDefault(e.getKey(), List.of());
      if (!again.isEmpty()) {
        ArrayNode d = n.putArray("remeasured");
        again.forEach(d::add);
        o.printf(Locale.ROOT, "%-24s %s%n", "", String.join("; ", again));
      }
      if (method.equals("pointRead2t")) {
        List<String> disturbed = disturbedTwoThreadTrials(pairs, e.getKey());
        if (!disturbed.isEmpty()) {
          ArrayNode d = n.putArray("disturbed");
          disturbed.forEach(d::add);
          o.printf(Locale.ROOT, "%-24s %s%n", "", "disturbed: " + String.join("; ", disturbed));
        }
      }
      if (!Double.isNaN(rawCpu) || !Double.isNaN(cairnCpu)) {
        // every thread of the JVM: Cairn's background work (access statistics) included
        n.put("rawCpuNsPerOp", round(rawCpu));
        n.put("cairnCpuNsPerOp", round(cairnCpu));
      }
      if (raw != null) {
        memory(raw, n.putObject("rawMemory"));
      }
      if (cairn != null) {
        memory(cairn, n.putObject("cairnMemory"));
      }
    }
    if (!scale.isEmpty()) {
      o.println();
      o.printf(Locale.ROOT, "%-36s %12s %12s %10s %10s%n", "scale case", "us/op", "ops/s",
          "heap MiB", "RSS MiB");
      for (JsonNode s : scale) {
        o.printf(Locale.ROOT, "%-36s %12.2f %12s %10.1f %10.1f%n", s.get("case").asText(),
            s.get("usPerOp").asDouble(), fmt(s.get("opsPerSecond").asDouble()),
            s.path("heapAfterGcMiB").asDouble(Double.NaN), s.path("rssMiB").asDouble(Double.NaN));
      }
    }
    if (!cache.isEmpty()) {
      cacheSection(cache, report.putArray("cache"), o);
    }
    if (!observability.isEmpty()) {
      observabilitySection(observability, report.putArray("observability"), o);
    }
    if (!ttl.isEmpty()) {
      ttlSection(ttl, report.putArray("ttl"), o);
    }
    if (!feed.isEmpty()) {
      feedSection(feed, report.putArray("feed"), o);
    }
    if (space != null) {
      spaceSection(space, report.putArray("space"), o);
    }
    if (!dedup.isEmpty() || dedupSpace != null) {
      dedupSection(dedup, dedupSpace == null ? null : json.readTree(dedupSpace.toFile()),
          report.putArray("dedup"), o);
    }
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      json.writeValue(out.toFile(), report);
      o.println();
      o.println("wrote " + out);
    }
  }

  /**
   * The space rows of {@link SpaceReport}: bytes on disk per live byte before and after
   * maintenance, and the verdict against its target (2x the live bytes + a few MiB, after).
   */
  private static void spaceSection(JsonNode space, ArrayNode rows, PrintStream o) {
    o.println();
    String target = "<= " + space.path("factor").asInt() + "x live + "
        + space.path("slackMiB").asInt() + " MiB";
    o.printf(Locale.ROOT, "%-16s %10s %12s %12s %8s %8s %10s  %s%n", "space case", "live MiB",
        "before MiB", "after MiB", "before", "after", "transfers/s", "target (after)");
    for (JsonNode r : space.path("space")) {
      o.printf(Locale.ROOT, "%-16s %10.1f %12.1f %12.1f %7.2fx %7.2fx %10d  %s %s%n",
          r.path("case").asText(), r.path("liveBytes").asLong() / 1048576.0,
          r.path("sizeBeforeMaintenance").asLong() / 1048576.0,
          r.path("sizeAfterMaintenance").asLong() / 1048576.0,
          r.path("perLiveByteBefore").asDouble(), r.path("perLiveByteAfter").asDouble(),
          r.path("transfersPerSecond").asLong(), target,
          r.path("met").asBoolean() ? "met" : "MISSED");
      rows.add(r);
    }
  }

  /**
   * The cache rows, each against its baseline from the same run: L1 hits through {@code Storage}
   * against a bare Caffeine lookup (target: at most 3x, on the allocation-free {@code getValue}
   * path with access statistics off), and an L2 hit against a backend read (target: faster).
   */
  private static void cacheSection(Map<String, JsonNode> cache, ArrayNode rows, PrintStream o) {
    o.println();
    o.printf(Locale.ROOT, "%-34s %9s %-22s %8s  %s%n", "cache case", "ns/op", "baseline", "ratio",
        "target");
    List<CacheCase> cases = List.of(
        new CacheCase("storageL1HitValueNoAccessStats", "caffeineGetIfPresent", 3.0, false),
        new CacheCase("storageL1HitValue", "caffeineGetIfPresent", null, false),
        new CacheCase("storageL1HitBuffer", "caffeineGetIfPresent", null, false),
        new CacheCase("storageL2Hit", "storageBackendRead", 1.0, true));
    for (CacheCase c : cases) {
      JsonNode b = cache.get(c.name());
      JsonNode base = cache.get(c.baseline());
      if (b == null) {
        continue;
      }
      double ns = b.at("/primaryMetric/score").asDouble();
      double baseNs = base == null ? Double.NaN : base.at("/primaryMetric/score").asDouble();
      double ratio = ns / baseNs;
      String verdict = c.maxRatio() == null ? "-"
          : c.target() + (Double.isNaN(ratio) ? " (incomplete)" : c.meets(ratio) ? " met" : " MISSED");
      o.printf(Locale.ROOT, "%-34s %9.1f %-22s %8s  %s%n", c.name(), ns, c.baseline(),
          Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.3f", ratio), verdict);
      ObjectNode n = rows.addObject();
      n.put("case", "cache/" + c.name());
      n.put("nsPerOp", round(ns));
      n.put("error", round(b.at("/primaryMetric/scoreError").asDouble()));
      n.put("baseline", c.baseline());
      n.put("baselineNsPerOp", round(baseNs));
      n.put("ratio", Math.round(ratio * 1000) / 1000.0);
      if (c.maxRatio() != null) {
        n.put("targetMaxRatio", c.maxRatio());
        n.put("met", c.meets(ratio));
      }
    }
  }

  /**
   * The change feed rows ({@code FeedBenchmark}, benchmarks/README.md, "Change feed"): per
   * backend and write, microseconds per operation with the feed off and on, and what on adds.
   */
  private static void feedSection(Map<String, Map<String, JsonNode>> cases, ArrayNode rows,
      PrintStream o) {
    o.println();
    o.printf(Locale.ROOT, "%-22s %12s %12s %10s%n", "change feed case", "off us/op", "on us/op",
        "on/off");
    for (Map.Entry<String, Map<String, JsonNode>> e : cases.entrySet()) {
      JsonNode offEntry = e.getValue().get("off");
      JsonNode onEntry = e.getValue().get("on");
      if (offEntry == null || onEntry == null) {
        continue;
      }
      double off = score(offEntry);
      double on = score(onEntry);
      o.printf(Locale.ROOT, "%-22s %12.1f %12.1f %10.2f%n", e.getKey(), off, on, on / off);
      ObjectNode n = rows.addObject();
      n.put("case", "feed/" + e.getKey());
      putScores(n, e.getValue(), "UsPerOp");
      n.put("onOverOff", round(on / off));
    }
  }

  /**
   * The observability rows: each case's time with nothing on ({@code off}), with a JFR recording
   * of the Cairn events ({@code jfr}) and with CairnMetrics and the latency histograms
   * ({@code metrics}), and what each adds to {@code off} (benchmarks/README.md, "Observability").
   */
  private static void observabilitySection(Map<String, Map<String, JsonNode>> cases,
      ArrayNode rows, PrintStream o) {
    o.println();
    o.printf(Locale.ROOT, "%-22s %12s %12s %12s %12s %12s%n", "observability case", "off ns/op",
        "jfr ns/op", "metrics ns/op", "jfr adds", "metrics adds");
    for (Map.Entry<String, Map<String, JsonNode>> e : cases.entrySet()) {
      double off = score(e.getValue().get("off"));
      double jfr = score(e.getValue().get("jfr"));
      double metrics = score(e.getValue().get("metrics"));
      o.printf(Locale.ROOT, "%-22s %12.1f %12.1f %12.1f %+12.1f %+12.1f%n", e.getKey(), off, jfr,
          metrics, jfr - off, metrics - off);
      ObjectNode n = rows.addObject();
      n.put("case", "observability/" + e.getKey());
      putScores(n, e.getValue(), "NsPerOp");
    }
  }

  /**
   * The time-to-live rows ({@code TtlBenchmark}, benchmarks/README.md, "Time to live"): each
   * case on stores that never used a TTL ({@code none}) and on stores whose every record has one
   * ({@code ttl}), and what the TTL adds.
   */
  private static void ttlSection(Map<String, Map<String, JsonNode>> cases, ArrayNode rows,
      PrintStream o) {
    o.println();
    o.printf(Locale.ROOT, "%-22s %14s %14s %12s%n", "ttl case", "no TTL ns/op", "TTL ns/op",
        "TTL adds");
    for (Map.Entry<String, Map<String, JsonNode>> e : cases.entrySet()) {
      double none = score(e.getValue().get("none"));
      double with = score(e.getValue().get("ttl"));
      o.printf(Locale.ROOT, "%-22s %14.1f %14.1f %+12.1f%n", e.getKey(), none, with, with - none);
      ObjectNode n = rows.addObject();
      n.put("case", "ttl/" + e.getKey());
      putScores(n, e.getValue(), "NsPerOp");
    }
  }

  /**
   * Each mode's score and error into {@code n}: {@code <mode><unit>} and {@code <mode>Error}
   * (e.g. {@code offNsPerOp}, {@code offError}).
   */
  private static void putScores(ObjectNode n, Map<String, JsonNode> modes, String unit) {
    for (Map.Entry<String, JsonNode> m : modes.entrySet()) {
      n.put(m.getKey() + unit, round(score(m.getValue())));
      n.put(m.getKey() + "Error", round(m.getValue().at("/primaryMetric/scoreError").asDouble()));
    }
  }

  /**
   * The dedup rows ({@code DedupBenchmark} and {@code DedupSpace}, benchmarks/README.md, "Dedup"):
   * per backend and setting, bulk load and point read against the raw library of the same
   * backend, and the store's size after the load, after one maintenance run and closed, with
   * the bytes Cairn saved by dedup (and their share of the values written).
   */
  private static void dedupSection(Map<String, Map<String, JsonNode>> jmh, JsonNode space,
      ArrayNode rows, PrintStream o) {
    Map<String, JsonNode> sizes = new LinkedHashMap<>();
    long valueBytes = space == null ? 0 : space.path("valueBytes").asLong();
    if (space != null) {
      for (JsonNode r : space.path("dedupSpace")) {
        sizes.put(r.path("case").asText(), r);
      }
    }
    TreeSet<String> names = new TreeSet<>(jmh.keySet());
    names.addAll(sizes.keySet());
    o.println();
    if (space != null) {
      o.printf(Locale.ROOT, "dedup: %d records, half repeating one of %d values, %.1f MiB of "
          + "values; sizes in MiB%n", space.path("records").asLong(),
          space.path("pool").asLong(), valueBytes / 1048576.0);
    }
    o.printf(Locale.ROOT, "%-18s %11s %6s %11s %6s %8s %8s %8s %6s %15s %8s%n", "dedup case",
        "load rec/s", "ratio", "read ops/s", "ratio", "loaded", "maint'd", "closed", "ratio",
        "saved (%)", "maint s");
    // raw first, then the modes in DedupSpace's order, per backend
    List<String> order = new ArrayList<>();
    for (String n : names) {
      String backend = n.substring(0, n.indexOf('/'));
      for (String setting : DedupSpace.SETTINGS) {
        String c = backend + "/" + setting;
        if (names.contains(c) && !order.contains(c)) {
          order.add(c);
        }
      }
    }
    for (String c : order) {
      String backend = c.substring(0, c.indexOf('/'));
      Map<String, JsonNode> m = jmh.getOrDefault(c, Map.of());
      Map<String, JsonNode> raw = jmh.getOrDefault(backend + "/raw", Map.of());
      double load = score(m.get("bulkLoad"));
      double read = score(m.get("pointRead"));
      double loadRatio = load / score(raw.get("bulkLoad"));
      double readRatio = read / score(raw.get("pointRead"));
      JsonNode s = sizes.get(c);
      JsonNode rawSize = sizes.get(backend + "/raw");
      double closed = s == null ? Double.NaN : s.path("sizeClosed").asDouble();
      double sizeRatio = rawSize == null ? Double.NaN : closed / rawSize.path("sizeClosed").asDouble();
      long saved = s == null ? 0 : s.path("bytesSavedByDedup").asLong();
      o.printf(Locale.ROOT, "%-18s %11s %6s %11s %6s %8s %8s %8s %6s %15s %8s%n", c, fmt(load),
          ratio(loadRatio), fmt(read), ratio(readRatio), mib(s, "sizeAfterLoad"),
          mib(s, "sizeAfterMaintenance"), mib(s, "sizeClosed"), ratio(sizeRatio),
          s == null || c.endsWith("/raw") ? "-" : String.format(Locale.ROOT, "%.1f (%.0f%%)",
              saved / 1048576.0, valueBytes == 0 ? Double.NaN : 100.0 * saved / valueBytes),
          s == null || !s.has("maintenanceMillis") ? "-"
              : String.format(Locale.ROOT, "%.2f", s.get("maintenanceMillis").asLong() / 1000.0));
      ObjectNode n = rows.addObject();
      n.put("case", "dedup/" + c);
      n.put("bulkLoadRecordsPerSecond", round(load));
      n.put("bulkLoadError", round(error(m.get("bulkLoad"))));
      n.put("bulkLoadRatio", Math.round(loadRatio * 1000) / 1000.0);
      n.put("pointReadOpsPerSecond", round(read));
      n.put("pointReadError", round(error(m.get("pointRead"))));
      n.put("pointReadRatio", Math.round(readRatio * 1000) / 1000.0);
      if (s != null) {
        n.set("space", s);
        n.put("sizeClosedRatio", Math.round(sizeRatio * 1000) / 1000.0);
        if (valueBytes > 0) {
          n.put("savedPercentOfValues", Math.round(1000.0 * saved / valueBytes) / 10.0);
        }
      }
    }
  }

  private static double error(JsonNode bench) {
    return bench == null ? Double.NaN : bench.at("/primaryMetric/scoreError").asDouble();
  }

  private static String ratio(double r) {
    return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2f", r);
  }

  private static String mib(JsonNode row, String field) {
    return row == null || !row.has(field) ? "-"
        : String.format(Locale.ROOT, "%.1f", row.get(field).asLong() / 1048576.0);
  }

  /**
   * Two threads scoring less than this times one thread's score, same implementation and pass,
   * ran at about one core's speed: on the two-core machine of the committed reports that happens
   * for minutes at a time, whatever runs (benchmarks/README.md, the seventh report).
   */
  static final double TWO_THREAD_MIN_GAIN = 1.2;

  /** Whether a two-thread score gained less than {@link #TWO_THREAD_MIN_GAIN} over one thread's. */
  private static boolean twoThreadsDisturbed(double oneThread, double twoThreads) {
    return twoThreads < TWO_THREAD_MIN_GAIN * oneThread;
  }

  /**
   * The trials of two-thread case {@code twoThreads} ("backend/pointRead2t") that gained less
   * than {@link #TWO_THREAD_MIN_GAIN} over the same implementation's one-thread trial of the same
   * pass, described; empty if none (or the one-thread case was not measured).
   */
  private static List<String> disturbedTwoThreadTrials(Map<String, Map<String, JsonNode>> pairs,
      String twoThreads) {
    Map<String, JsonNode> one = pairs.get(twoThreads.replace("pointRead2t", "pointRead"));
    Map<String, JsonNode> two = pairs.get(twoThreads);
    List<String> out = new ArrayList<>();
    if (one == null || two == null) {
      return out;
    }
    for (Map.Entry<String, JsonNode> impl : two.entrySet()) {
      List<Double> s2 = passScores(impl.getValue());
      List<Double> s1 = passScores(one.get(impl.getKey()));
      for (int i = 0; i < Math.min(s1.size(), s2.size()); i++) {
        if (twoThreadsDisturbed(s1.get(i), s2.get(i))) {
          out.add(String.format(Locale.ROOT, "%s pass %d: two threads %s/s, one thread %s/s",
              impl.getKey(), i + 1, fmt(s2.get(i)), fmt(s1.get(i))));
        }
      }
    }
    return out;
  }

  /**
   * The disturbed two-thread trials of one pass's JMH results ({@code CompareBenchmark} only), as
   * "backend impl": {@code pointRead2t} scored less than {@link #TWO_THREAD_MIN_GAIN} times
   * {@code pointRead} of the same backend and implementation. {@code benchmarks/run} measures
   * both again and puts them in place of these ({@link #replaceTrials}).
   */
  static List<String> disturbedInPass(JsonNode results) {
    Map<String, Double> scores = new LinkedHashMap<>(); // "backend impl method" -> score
    for (JsonNode b : results) {
      String bench = b.path("benchmark").asText();
      if (!bench.contains(".CompareBenchmark.")) {
        continue;
      }
      JsonNode p = b.path("params");
      scores.put(p.path("backend").asText() + " " + p.path("impl").asText() + " "
          + bench.substring(bench.lastIndexOf('.') + 1), b.at("/primaryMetric/score").asDouble());
    }
    List<String> out = new ArrayList<>();
    scores.forEach((k, two) -> {
      if (k.endsWith(" pointRead2t")) {
        String trial = k.substring(0, k.length() - " pointRead2t".length());
        Double one = scores.get(trial + " pointRead");
        if (one != null && twoThreadsDisturbed(one, two)) {
          out.add(trial);
        }
      }
    });
    return out;
  }

  /**
   * {@code results} with each trial that {@code rerun} measured again (same benchmark and
   * params) replaced by the new one, which keeps the scores it replaces in
   * {@code replacedScores} (oldest first), so the report shows that a trial was measured again
   * and what it scored before.
   */
  static JsonNode replaceTrials(JsonNode results, JsonNode rerun) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (JsonNode b : results) {
      JsonNode again = null;
      for (JsonNode r : rerun) {
        if (r.path("benchmark").equals(b.path("benchmark")) && r.path("params").equals(b.path("params"))) {
          again = r;
        }
      }
      if (again == null) {
        out.add(b);
        continue;
      }
      ObjectNode n = again.deepCopy();
      ArrayNode replaced = n.putArray("replacedScores");
      b.path("replacedScores").forEach(replaced::add);
      replaced.add(b.at("/primaryMetric/score").asDouble());
      out.add(n);
    }
    return out;
  }

  /** The score of each pass of a result ({@link #mergePasses}), or its one score; or none. */
  private static List<Double> passScores(JsonNode bench) {
    List<Double> scores = new ArrayList<>();
    if (bench == null) {
      return scores;
    }
    if (bench.has("passScores")) {
      bench.get("passScores").forEach(x -> scores.add(x.asDouble()));
    } else {
      scores.add(bench.at("/primaryMetric/score").asDouble());
    }
    return scores;
  }

  /** Cairn's ratio to raw in each pass, if both were measured in several; else empty. */
  private static List<Double> passRatios(JsonNode raw, JsonNode cairn) {
    List<Double> ratios = new ArrayList<>();
    if (raw != null && cairn != null && raw.has("passScores") && cairn.has("passScores")) {
      List<Double> r = passScores(raw);
      List<Double> c = passScores(cairn);
      for (int i = 0; i < Math.min(r.size(), c.size()); i++) {
        ratios.add(c.get(i) / r.get(i));
      }
    }
    return ratios;
  }

  /**
   * One JMH result out of two passes of the same benchmark and parameters: the iterations of
   * both as one sample (score its mean, error its 99.9 % confidence half-width, as JMH computes
   * them), {@code passScores} the score of each pass, and everything else (the memory
   * profiler's figures) from the first.
   */
  static JsonNode mergePasses(JsonNode first, JsonNode second) {
    ObjectNode merged = first.deepCopy();
    ObjectNode pm = (ObjectNode) merged.get("primaryMetric");
    ArrayNode rawData = pm.putArray("rawData");
    org.openjdk.jmh.util.ListStatistics all = new org.openjdk.jmh.util.ListStatistics();
    for (JsonNode pass : List.of(first, second)) {
      for (JsonNode fork : pass.at("/primaryMetric/rawData")) {
        rawData.add(fork.deepCopy());
        for (JsonNode iteration : fork) {
          all.addValue(iteration.asDouble());
        }
      }
    }
    ArrayNode passScores = first.path("passScores").isArray()
        ? (ArrayNode) first.get("passScores").deepCopy()
        : merged.arrayNode().add(first.at("/primaryMetric/score").asDouble());
    passScores.add(second.at("/primaryMetric/score").asDouble());
    merged.set("passScores", passScores);
    // CPU per operation (CpuProfiler) of every pass, averaged where the report shows it
    ArrayNode cpu = first.path("cpuNsPerOpPerPass").isArray()
        ? (ArrayNode) first.get("cpuNsPerOpPerPass").deepCopy() : merged.arrayNode();
    if (!first.has("cpuNsPerOpPerPass") && first.at(CPU).isNumber()) {
      cpu.add(first.at(CPU).asDouble());
    }
    if (second.at(CPU).isNumber()) {
      cpu.add(second.at(CPU).asDouble());
    }
    if (!cpu.isEmpty()) {
      merged.set("cpuNsPerOpPerPass", cpu);
    }
    double error = all.getN() > 2 ? all.getMeanErrorAt(0.999) : Double.NaN;
    pm.put("score", all.getMean());
    pm.put("scoreError", error);
    pm.putArray("scoreConfidence").add(all.getMean() - error).add(all.getMean() + error);
    pm.remove("scorePercentiles"); // of the first pass only: dropped rather than kept wrong
    return merged;
  }

  /** Where a result keeps {@link CpuProfiler}'s CPU time per operation. */
  private static final String CPU = "/secondaryMetrics/cpu.nsPerOp/score";

  /** The CPU time per operation of a result, the mean over its passes; NaN if not measured. */
  static double cpuNsPerOp(JsonNode bench) {
    if (bench == null) {
      return Double.NaN;
    }
    if (bench.has("cpuNsPerOpPerPass")) {
      double sum = 0;
      for (JsonNode x : bench.get("cpuNsPerOpPerPass")) {
        sum += x.asDouble();
      }
      return sum / bench.get("cpuNsPerOpPerPass").size();
    }
    return bench.at(CPU).isNumber() ? bench.at(CPU).asDouble() : Double.NaN;
  }

  private static double score(JsonNode bench) {
    return bench == null ? Double.NaN : bench.at("/primaryMetric/score").asDouble();
  }

  /**
   * One cache row: {@code name}'s time over {@code baseline}'s must be at most {@code maxRatio}
   * (below it if {@code strictlyBelow}); no target if {@code maxRatio} is null.
   */
  private record CacheCase(String name, String baseline, Double maxRatio, boolean strictlyBelow) {
    String target() {
      return (strictlyBelow ? "< " : "<= ") + maxRatio;
    }

    boolean meets(double ratio) {
      return strictlyBelow ? ratio < maxRatio : ratio <= maxRatio;
    }
  }

  private static void memory(JsonNode bench, ObjectNode into) {
    JsonNode sec = bench.path("secondaryMetrics");
    for (Map.Entry<String, JsonNode> f : sec.properties()) {
      String key = f.getKey();
      String name = switch (key) {
        case "mem.heapAfterGc" -> "heapAfterGcMiB";
        case "mem.directBuffers" -> "directBuffersMiB";
        case "mem.rss" -> "rssMiB";
        case "mem.rssPeak" -> "rssPeakMiB";
        default -> null;
      };
      if (name != null) {
        into.put(name, round(f.getValue().path("score").asDouble()));
      }
    }
  }

  private static double round(double d) {
    return Double.isNaN(d) || Double.isInfinite(d) ? d : Math.round(d * 100) / 100.0;
  }

  private static String fmt(double d) {
    return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, "%,.0f", d);
  }
}
