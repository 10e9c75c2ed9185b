package dev.cairn.conformance;

import dev.cairn.conformance.OpLog.Op;
import dev.cairn.conformance.OpLog.Type;
import dev.cairn.conformance.PowerLossHarness.FaultMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds the directory contents a power loss could leave behind, from a snapshot of the
 * directory taken before the writer started and the {@link OpLog} of what the writer did.
 *
 * <p>The model: files are inodes with contents, the directory is a map from names to inodes.
 * For a crash point {@code k} (the operations before index {@code k} happened, none after):
 *
 * <ul>
 *   <li>a data operation (write, truncate, fallocate) of a file is <em>durable</em> when an
 *       fsync/fdatasync/msync(MS_SYNC) of that file, or a sync()/syncfs(), follows it before
 *       {@code k}, or when it was written through an O_DSYNC/O_SYNC descriptor;
 *   <li>a directory operation (create, mkdir, rename, unlink, rmdir) is durable when an fsync of
 *       its parent directory (both parents for a rename) follows it before {@code k};
 *   <li>durable operations always survive. What happens to the others is the {@link FaultMode}.
 * </ul>
 *
 * <p>Directory operations that are not durable survive as a prefix per directory (a file system
 * applies them to a directory in order); a file whose creation is lost is gone whatever was
 * synced to it. sync_file_range is not a durability point (it flushes no metadata and no disk
 * cache); a file written through a shared writable mapping is reported, its mapped bytes are not
 * modelled.
 */
final class PowerLossStates {

  private static final int FALLOC_KEEP_SIZE = 0x01;
  private static final int FALLOC_PUNCH_HOLE = 0x02;
  private static final int FALLOC_ZERO_RANGE = 0x10;
  private static final int RENAME_EXCHANGE = 0x02;
  private static final int NEVER = Integer.MAX_VALUE;

  /** One file or directory of the snapshot taken before the writer started. */
  record BaseEntry(long ino, boolean directory, byte[] content) {}

  /** A constructed crash state. */
  static final class State {
    /** Relative path to content; directories map to {@code null}. Sorted. */
    final TreeMap<String, byte[]> entries = new TreeMap<>();
    /** What the fault did, for messages. */
    final List<String> faults = new ArrayList<>();
    int tornWrites;
    int droppedWrites;
    int undoneDirectoryOperations;
  }

  private enum DirKind { CREATE, MKDIR, RENAME, UNLINK, RMDIR }

  private record DirOp(DirKind kind, String from, String to, int node, int parentA, int parentB,
      boolean exchange) {}

  private static final class Node {
    final boolean directory;
    final long ino;
    final byte[] base;
    final String name;

    Node(boolean directory, long ino, byte[] base, String name) {
      this.directory = directory;
      this.ino = ino;
      this.base = base;
      this.name = name;
    }
  }

  private final OpLog log;
  private final String root;
  private final List<Node> nodes = new ArrayList<>();
  private final TreeMap<String, Integer> baseNamespace = new TreeMap<>();
  /** Per operation: its node (data operations and syncs), else -1. */
  private final int[] node;
  /** Per operation: the index of the first sync after which it is durable, or NEVER. */
  private final int[] durableAt;
  private final DirOp[] dirOps;
  /** Files written through a shared writable mapping, and those of them that were msync'd. */
  final TreeSet<String> mappedFiles = new TreeSet<>();
  final TreeSet<String> msyncedMappedFiles = new TreeSet<>();

  /**
   * @param root the watched directory, canonical and absolute, as the recorder logs paths
   * @param base every entry of the directory before the writer started, by relative path
   *     ({@code ""} is the directory itself)
   * @throws IllegalStateException if the log holds something the model cannot follow
   */
  PowerLossStates(OpLog log, String root, Map<String, BaseEntry> base) {
    this.log = log;
    this.root = root;
    int n = log.ops.size();
    node = new int[n];
    durableAt = new int[n];
    dirOps = new DirOp[n];
    Arrays.fill(node, -1);
    Map<Long, Integer> byIno = new HashMap<>();
    new TreeMap<>(base).forEach((rel, e) -> {
      int id = addNode(new Node(e.directory(), e.ino(), e.content(), rel.isEmpty() ? "." : rel));
      baseNamespace.put(rel, id);
      byIno.put(e.ino(), id);
    });
    if (!baseNamespace.containsKey("")) {
      throw new IllegalArgumentException("the snapshot must hold the directory itself as \"\"");
    }
    TreeMap<String, Integer> ns = new TreeMap<>(baseNamespace);
    for (Op op : log.ops) {
      int i = op.index();
      switch (op.type()) {
        case OPEN -> {
          String rel = relative(op.path(), op);
          Integer existing = ns.get(rel);
          if (existing != null) {
            if (nodes.get(existing).ino != op.ino()) {
              throw new IllegalStateException(describe(op) + ": the log knows " + rel
                  + " as inode " + nodes.get(existing).ino + ", so it changed outside the log");
            }
            byIno.put(op.ino(), existing);
          } else if (!OpLog.creates(op)) {
            throw new IllegalStateException(describe(op) + ": " + rel
                + " was opened without O_CREAT but no logged operation created it");
          } else {
            int id = addNode(new Node(op.b() == 1, op.ino(), null, rel));
            ns.put(rel, id);
            byIno.put(op.ino(), id);
            dirOps[i] = new DirOp(DirKind.CREATE, null, rel, id, parentOf(rel, ns, op), -1, false);
          }
        }
        case MKDIR -> {
          String rel = relative(op.path(), op);
          int id = addNode(new Node(true, op.ino(), null, rel));
          ns.put(rel, id);
          byIno.put(op.ino(), id);
          dirOps[i] = new DirOp(DirKind.MKDIR, null, rel, id, parentOf(rel, ns, op), -1, false);
        }
        case RENAME -> {
          String from = relative(op.path(), op);
          String to = relative(op.path2(), op);
          Integer moved = ns.get(from);
          if (moved == null) {
            throw new IllegalStateException(describe(op) + ": renames " + from
                + ", which the log does not know");
          }
          boolean exchange = (op.aux() & RENAME_EXCHANGE) != 0;
          // a rename is durable once its target directory is synced (the source's entry may
          // linger in a real file system; that is not modelled); an exchange needs both
          int target = parentOf(to, ns, op);
          int source = parentOf(from, ns, op);
          dirOps[i] = new DirOp(DirKind.RENAME, from, to, moved, target,
              exchange && source != target ? source : -1, exchange);
          rename(ns, from, to, exchange);
        }
        case UNLINK, RMDIR -> {
          String rel = relative(op.path(), op);
          Integer gone = ns.get(rel);
          dirOps[i] = new DirOp(op.type() == Type.UNLINK ? DirKind.UNLINK : DirKind.RMDIR, rel,
              null, gone == null ? -1 : gone, parentOf(rel, ns, op), -1, false);
          ns.remove(rel);
        }
        case WRITE, TRUNCATE, FALLOCATE, SYNC, MSYNC -> {
          Integer id = byIno.get(op.ino());
          if (id == null) {
            throw new IllegalStateException(describe(op) + ": inode " + op.ino()
                + " was never opened under the watched directory");
          }
          node[i] = id;
          if (op.type() == Type.MSYNC) {
            msyncedMappedFiles.add(nodes.get(id).name);
          }
        }
        case MMAP_WRITE -> {
          Integer id = byIno.get(op.ino());
          if (id != null) {
            mappedFiles.add(nodes.get(id).name);
          }
        }
        case SYNC_ALL, RANGE_SYNC, MARK -> { }
        default -> throw new IllegalStateException("unhandled " + op.type());
      }
    }
    // backwards: the first sync after each operation
    int[] nextSync = new int[nodes.size()];
    Arrays.fill(nextSync, NEVER);
    int nextAll = NEVER;
    Arrays.fill(durableAt, NEVER);
    for (int i = n - 1; i >= 0; i--) {
      Op op = log.ops.get(i);
      switch (op.type()) {
        case SYNC, MSYNC -> nextSync[node[i]] = i;
        case SYNC_ALL -> nextAll = i;
        case WRITE, TRUNCATE, FALLOCATE -> durableAt[i] = op.type() == Type.WRITE && op.aux() == 1
            ? i
            : Math.min(nextSync[node[i]], nextAll);
        default -> {
          DirOp d = dirOps[i];
          if (d != null) {
            int a = Math.min(nextSync[d.parentA()], nextAll);
            int b = d.parentB() < 0 ? -1 : Math.min(nextSync[d.parentB()], nextAll);
            durableAt[i] = Math.max(a, b);
          }
        }
      }
    }
  }

  private int addNode(Node n) {
    nodes.add(n);
    return nodes.size() - 1;
  }

  private String relative(String path, Op op) {
    if (path == null) {
      throw new IllegalStateException(describe(op) + " has no path");
    }
    if (path.equals(root)) {
      return "";
    }
    if (!path.startsWith(root + "/")) {
      throw new IllegalStateException(describe(op) + " involves " + path + ", outside the watched"
          + " directory " + root + " (files moved in or out are not modelled)");
    }
    return path.substring(root.length() + 1);
  }

  private static String parentPath(String rel) {
    int slash = rel.lastIndexOf('/');
    return slash < 0 ? "" : rel.substring(0, slash);
  }

  private int parentOf(String rel, Map<String, Integer> ns, Op op) {
    Integer p = ns.get(parentPath(rel));
    if (p == null) {
      throw new IllegalStateException(describe(op) + ": the parent directory of " + rel
          + " is not known");
    }
    return p;
  }

  private static void rename(TreeMap<String, Integer> ns, String from, String to,
      boolean exchange) {
    Map<String, Integer> fromTree = subtree(ns, from);
    Map<String, Integer> toTree = exchange ? subtree(ns, to) : Map.of();
    if (!exchange) {
      subtree(ns, to); // the replaced target (and, for a directory, its empty subtree) goes
    }
    fromTree.forEach((k, v) -> ns.put(to + k.substring(from.length()), v));
    toTree.forEach((k, v) -> ns.put(from + k.substring(to.length()), v));
  }

  /** Removes and returns {@code rel} and everything under it. */
  private static Map<String, Integer> subtree(TreeMap<String, Integer> ns, String rel) {
    Map<String, Integer> out = new LinkedHashMap<>();
    Integer self = ns.remove(rel);
    if (self != null) {
      out.put(rel, self);
    }
    String prefix = rel + "/";
    Map<String, Integer> below = ns.subMap(prefix, prefix + Character.MAX_VALUE);
    out.putAll(below);
    below.clear();
    return out;
  }

  private String describe(Op op) {
    return "operation " + op.index() + " (" + op.type() + ")";
  }

  /** Whether operation {@code i} is a point after which more is durable than before it. */
  boolean isSyncPoint(int i) {
    Op op = log.ops.get(i);
    return switch (op.type()) {
      case SYNC, MSYNC, SYNC_ALL -> true;
      case WRITE -> op.aux() == 1;
      default -> false;
    };
  }

  /** The state after a power loss just before operation {@code k}. */
  State build(int k, FaultMode mode, Random rnd) {
    State st = new State();
    int sector = rnd.nextBoolean() ? 512 : 4096;
    double keep = 0.25 * (1 + rnd.nextInt(3));
    // 1. directory operations: durable ones, plus (per mode) a prefix per directory of the rest
    boolean[] keptDir = new boolean[k];
    Map<Integer, List<Integer>> pendingByDir = new HashMap<>();
    for (int i = 0; i < k; i++) {
      DirOp d = dirOps[i];
      if (d == null) {
        continue;
      }
      if (durableAt[i] < k || mode == FaultMode.KEEP_UNSYNCED) {
        keptDir[i] = true;
      } else {
        pendingByDir.computeIfAbsent(d.parentA(), x -> new ArrayList<>()).add(i);
        if (d.parentB() >= 0 && d.parentB() != d.parentA()) {
          pendingByDir.computeIfAbsent(d.parentB(), x -> new ArrayList<>()).add(i);
        }
      }
    }
    if (!pendingByDir.isEmpty()) {
      Map<Integer, Integer> votes = new HashMap<>();
      for (List<Integer> pending : new TreeMap<>(pendingByDir).values()) {
        int prefix = mode == FaultMode.LOSE_UNSYNCED ? 0 : rnd.nextInt(pending.size() + 1);
        for (int j = 0; j < pending.size(); j++) {
          votes.merge(pending.get(j), j < prefix ? 1 : 0, Integer::sum);
        }
      }
      for (Map.Entry<Integer, Integer> v : new TreeMap<>(votes).entrySet()) {
        DirOp d = dirOps[v.getKey()];
        int needed = d.parentB() >= 0 && d.parentB() != d.parentA() ? 2 : 1;
        if (v.getValue() == needed) {
          keptDir[v.getKey()] = true;
        } else {
          st.undoneDirectoryOperations++;
          st.faults.add("undone: " + describe(d));
        }
      }
    }
    TreeMap<String, Integer> ns = new TreeMap<>(baseNamespace);
    for (int i = 0; i < k; i++) {
      DirOp d = dirOps[i];
      if (d == null || !keptDir[i]) {
        continue;
      }
      switch (d.kind()) {
        case CREATE, MKDIR -> ns.put(d.to(), d.node());
        case RENAME -> {
          if (ns.containsKey(d.from())) {
            rename(ns, d.from(), d.to(), d.exchange());
          }
        }
        case UNLINK, RMDIR -> subtree(ns, d.from());
        default -> throw new IllegalStateException();
      }
    }
    // 2. file contents: base, durable operations, plus (per mode) some of the others
    Map<Integer, Image> images = new HashMap<>();
    ns.forEach((rel, id) -> {
      Node nd = nodes.get(id);
      if (!nd.directory && !images.containsKey(id)) {
        images.put(id, new Image(nd.base));
      }
    });
    int[] pending = new int[nodes.size()];
    int[] cut = new int[nodes.size()];
    if (mode == FaultMode.TORN_PREFIX) {
      for (int i = 0; i < k; i++) {
        if (node[i] >= 0 && isData(i) && durableAt[i] >= k) {
          pending[node[i]]++;
        }
      }
      for (int id = 0; id < nodes.size(); id++) {
        cut[id] = pending[id] == 0 ? 0 : rnd.nextInt(pending[id] + 1);
      }
    }
    int[] seen = new int[nodes.size()];
    Map<Integer, int[]> counts = new TreeMap<>(); // node -> {unsynced, kept, torn}
    for (int i = 0; i < k; i++) {
      int id = node[i];
      if (id < 0 || !isData(i)) {
        continue;
      }
      Image img = images.get(id);
      Op op = log.ops.get(i);
      if (durableAt[i] < k) {
        if (img != null) {
          apply(img, op, op.dataLen());
        }
        continue;
      }
      int[] c = counts.computeIfAbsent(id, x -> new int[3]);
      c[0]++;
      int length = op.dataLen();
      boolean kept;
      boolean torn = false;
      switch (mode) {
        case KEEP_UNSYNCED -> kept = true;
        case LOSE_UNSYNCED -> kept = false;
        case TORN_PREFIX -> {
          int rank = seen[id]++;
          kept = rank <= cut[id] && rank < pending[id];
          torn = rank == cut[id];
        }
        case REORDERED -> {
          kept = rnd.nextDouble() < keep;
          torn = kept && rnd.nextInt(4) == 0;
        }
        default -> throw new IllegalStateException();
      }
      if (kept && torn) {
        int tornLength = op.type() == Type.WRITE ? tornLength(op, sector, rnd) : -1;
        if (tornLength >= 0) {
          length = tornLength;
          c[2]++;
          st.tornWrites++;
        } else if (mode == FaultMode.TORN_PREFIX) {
          kept = false; // the cut falls on an operation that cannot tear: it is lost
        }
      }
      if (kept) {
        c[1]++;
        if (img != null) {
          apply(img, op, length);
        }
      } else {
        st.droppedWrites++;
      }
    }
    counts.forEach((id, c) -> {
      if (c[1] < c[0] || c[2] > 0) {
        st.faults.add(nodes.get(id).name + ": kept " + c[1] + " of " + c[0]
            + " operations after its last fsync" + (c[2] > 0 ? ", " + c[2] + " of them torn at "
            + sector + " B" : ""));
      }
    });
    ns.forEach((rel, id) -> {
      Image img = images.get(id);
      st.entries.put(rel, img == null ? null : Arrays.copyOf(img.data, img.size));
    });
    return st;
  }

  private boolean isData(int i) {
    Type t = log.ops.get(i).type();
    return t == Type.WRITE || t == Type.TRUNCATE || t == Type.FALLOCATE;
  }

  /** A sector-aligned prefix length strictly inside the write, or -1 if it has no such cut. */
  private static int tornLength(Op op, int sector, Random rnd) {
    long start = op.a();
    long end = start + op.dataLen();
    long first = (start / sector + 1) * sector;
    if (first >= end) {
      return -1;
    }
    long cuts = (end - 1 - first) / sector + 1;
    long at = first + sector * (long) rnd.nextInt((int) Math.min(cuts, Integer.MAX_VALUE));
    return (int) (at - start);
  }

  private String describe(DirOp d) {
    return switch (d.kind()) {
      case CREATE -> "create " + d.to();
      case MKDIR -> "mkdir " + d.to();
      case RENAME -> (d.exchange() ? "exchange " : "rename ") + d.from() + " -> " + d.to();
      case UNLINK -> "unlink " + d.from();
      case RMDIR -> "rmdir " + d.from();
    };
  }

  private void apply(Image img, Op op, int length) {
    switch (op.type()) {
      case WRITE -> {
        long off = op.a();
        img.ensure(off + length);
        log.copyData(op, 0, img.data, (int) off, length);
        img.size = (int) Math.max(img.size, off + length);
      }
      case TRUNCATE -> img.setSize(op.a());
      case FALLOCATE -> {
        int m = op.aux();
        long off = op.a();
        long end = off + op.b();
        if ((m & (FALLOC_PUNCH_HOLE | FALLOC_ZERO_RANGE)) != 0) {
          long zeroEnd = Math.min(end, img.size);
          if (zeroEnd > off) {
            Arrays.fill(img.data, (int) off, (int) zeroEnd, (byte) 0);
          }
        }
        if ((m & FALLOC_KEEP_SIZE) == 0 && end > img.size) {
          img.setSize(end);
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  /** A growable file image. */
  private static final class Image {
    byte[] data;
    int size;

    Image(byte[] base) {
      data = base == null ? new byte[0] : base.clone();
      size = data.length;
    }

    void ensure(long length) {
      if (length > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("a file of over 2 GiB is not modelled");
      }
      if (length > data.length) {
        data = Arrays.copyOf(data, (int) Math.max(length, Math.min(Integer.MAX_VALUE - 8,
            data.length * 2L)));
      }
    }

    void setSize(long length) {
      ensure(length);
      if (length < size) {
        Arrays.fill(data, (int) length, size, (byte) 0);
      }
      size = (int) length;
    }
  }
}
