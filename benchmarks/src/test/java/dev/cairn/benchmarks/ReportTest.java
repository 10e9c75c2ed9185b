package dev.cairn.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code benchmarks/run} asks of {@link Report} to measure disturbed trials again. */
class ReportTest {

  private static final String PKG = "dev.cairn.benchmarks.";

  private static ObjectNode trial(String benchmark, String backend, String impl, double score) {
    ObjectNode b = JsonNodeFactory.instance.objectNode();
    b.put("benchmark", PKG + benchmark);
    b.putObject("params").put("backend", backend).put("impl", impl);
    b.putObject("primaryMetric").put("score", score);
    return b;
  }

  private static ArrayNode results(ObjectNode... trials) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (ObjectNode t : trials) {
      a.add(t);
    }
    return a;
  }

  @Test
  void aTwoThreadReadThatGainedUnderTheMinimumIsDisturbed() {
    JsonNode pass = results(
        trial("CompareBenchmark.pointRead", "lmdb", "raw", 1_000_000),
        trial("CompareBenchmark.pointRead2t", "lmdb", "raw", 1_190_000), // 1.19x: disturbed
        trial("CompareBenchmark.pointRead", "lmdb", "cairn", 800_000),
        trial("CompareBenchmark.pointRead2t", "lmdb", "cairn", 960_000), // exactly 1.2x: not
        trial("CompareBenchmark.pointRead", "h2", "ceiling", 900_000),
        trial("CompareBenchmark.pointRead2t", "h2", "ceiling", 500_000),
        // no one-thread trial to compare with, and another benchmark class: neither counts
        trial("CompareBenchmark.pointRead2t", "sqlite", "raw", 1),
        trial("ObservabilityBench.pointRead2t", "lmdb", "raw", 1));
    assertEquals(List.of("lmdb raw", "h2 ceiling"), Report.disturbedInPass(pass));
  }

  @Test
  void aTrialMeasuredAgainReplacesTheSameTrialAndKeepsEveryScoreItReplaced() throws Exception {
    JsonNode pass = results(
        trial("CompareBenchmark.pointRead", "lmdb", "raw", 1_000_000),
        trial("CompareBenchmark.pointRead2t", "lmdb", "raw", 1_100_000),
        trial("CompareBenchmark.pointRead2t", "lmdb", "cairn", 700_000),
        trial("CompareBenchmark.scanAll", "lmdb", "raw", 3_000_000));
    JsonNode once = Report.replaceTrials(pass, results(
        trial("CompareBenchmark.pointRead", "lmdb", "raw", 1_050_000),
        trial("CompareBenchmark.pointRead2t", "lmdb", "raw", 1_500_000)));
    JsonNode twice = Report.replaceTrials(once, results(
        trial("CompareBenchmark.pointRead2t", "lmdb", "raw", 1_900_000)));

    assertEquals(4, twice.size(), "no trial added or lost");
    assertEquals(1_050_000, twice.get(0).at("/primaryMetric/score").asDouble());
    assertEquals("[1000000.0]", twice.get(0).get("replacedScores").toString());
    assertEquals(1_900_000, twice.get(1).at("/primaryMetric/score").asDouble());
    assertEquals("[1100000.0,1500000.0]", twice.get(1).get("replacedScores").toString(),
        "oldest first");
    // same benchmark, other params; and another benchmark: untouched
    assertEquals(pass.get(2), twice.get(2));
    assertEquals(pass.get(3), twice.get(3));
    assertEquals(List.of(), Report.disturbedInPass(twice));
    // round trip through the file format benchmarks/run uses
    ObjectMapper json = new ObjectMapper();
    assertEquals(twice, json.readTree(json.writeValueAsString(twice)));
  }

  @Test
  void cpuPerOperationIsAveragedOverThePasses() {
    ObjectNode first = trial("CompareBenchmark.pointRead", "lmdb", "cairn", 1_000_000);
    ((ObjectNode) first.get("primaryMetric")).putArray("rawData").addArray().add(1_000_000.0);
    first.putObject("secondaryMetrics").putObject("cpu.nsPerOp").put("score", 1200.0);
    ObjectNode second = trial("CompareBenchmark.pointRead", "lmdb", "cairn", 900_000);
    ((ObjectNode) second.get("primaryMetric")).putArray("rawData").addArray().add(900_000.0);
    second.putObject("secondaryMetrics").putObject("cpu.nsPerOp").put("score", 1400.0);
    ObjectNode third = second.deepCopy();
    ((ObjectNode) third.at("/secondaryMetrics/cpu.nsPerOp")).put("score", 1600.0);

    JsonNode two = Report.mergePasses(first, second);
    assertEquals(1300.0, Report.cpuNsPerOp(two));
    assertEquals(1400.0, Report.cpuNsPerOp(Report.mergePasses(two, third)));
    assertEquals(1200.0, Report.cpuNsPerOp(first), "one pass: its own figure");
    assertEquals(Double.NaN, Report.cpuNsPerOp(trial("CompareBenchmark.pointRead", "lmdb",
        "raw", 1)), "not measured");
  }
}
