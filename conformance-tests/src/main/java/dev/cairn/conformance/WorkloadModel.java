package dev.cairn.conformance;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-memory model of a {@link CrashWorkload}: for each writer thread, its records after
 * every number of steps, and a fingerprint index to tell which of those states a recovered
 * store holds.
 */
final class WorkloadModel {

  private final CrashWorkload workload;
  private final List<List<TreeMap<String, byte[]>>> states = new ArrayList<>();
  private final List<Map<String, List<Integer>>> index = new ArrayList<>();

  WorkloadModel(long seed, int threads) {
    workload = new CrashWorkload(seed);
    for (int t = 0; t < threads; t++) {
      List<TreeMap<String, byte[]>> s = new ArrayList<>();
      s.add(new TreeMap<>());
      states.add(s);
      Map<String, List<Integer>> ix = new HashMap<>();
      ix.computeIfAbsent(fingerprint(s.get(0)), x -> new ArrayList<>()).add(0);
      index.add(ix);
    }
  }

  /** Computes the states of thread {@code t} up to {@code steps} steps. */
  void extendTo(int t, long steps) {
    List<TreeMap<String, byte[]>> s = states.get(t);
    while (s.size() <= steps) {
      int i = s.size() - 1;
      TreeMap<String, byte[]> next = new TreeMap<>(s.get(i));
      workload.apply(t, i, CrashHarness.modelOps(next));
      s.add(next);
      index.get(t).computeIfAbsent(fingerprint(next), x -> new ArrayList<>()).add(i + 1);
    }
  }

  /** The records of thread {@code t} (as {@code collection/key}) after {@code steps} steps. */
  TreeMap<String, byte[]> state(int t, int steps) {
    return states.get(t).get(steps);
  }

  /** The step counts after which thread {@code t} holds exactly {@code records}; ascending. */
  List<Integer> stepsMatching(int t, Map<String, byte[]> records) {
    return index.get(t).getOrDefault(fingerprint(records), List.of());
  }

  static String fingerprint(Map<String, byte[]> records) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ByteBuffer len = ByteBuffer.allocate(8);
    new TreeMap<>(records).forEach((k, v) -> {
      byte[] key = k.getBytes(StandardCharsets.UTF_8);
      md.update(len.clear().putInt(key.length).putInt(v.length).array());
      md.update(key);
      md.update(v);
    });
    return java.util.HexFormat.of().formatHex(md.digest());
  }
}
