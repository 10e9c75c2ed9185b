package dev.cairn.backend.lmdb;

import dev.cairn.storage.BackendException;
import dev.cairn.storage.DataCorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;

/**
 * Checks an LMDB data file's structure in Java, where damage becomes an exception, before LMDB's
 * native code reads it, where some damage becomes a crash of the whole JVM (SIGSEGV or SIGBUS).
 *
 * <p>LMDB checksums nothing and trusts most of what it reads. It bounds-checks the page numbers
 * it follows, so much damage becomes {@code MDB_CORRUPTED} or {@code MDB_PAGE_NOTFOUND}, and
 * Cairn's own checksums catch damaged values. Two kinds of damage crash it instead, both found
 * by the corruption checker in real files:
 *
 * <ul>
 *   <li>a <b>free-list record</b> whose page count (its first word) exceeds the record: the next
 *       write that allocates a page copies that many page numbers and reads past the end of the
 *       mapped file. Only writes read the free list, so no read and no record check notices it;
 *   <li>a <b>node flag</b> saying "duplicate data" ({@code F_DUPDATA}) in a database without
 *       duplicates: any read or scan reaching the node dereferences a sub-cursor that does not
 *       exist (a known LMDB weakness on damaged files).
 * </ul>
 *
 * <p>{@link Scope#FREE_LIST} reads the meta pages and walks the free list's B-tree: cheap, and
 * enough to make writes safe. {@link Scope#ALL} also walks every page of the main database and of
 * every named database (branch, leaf and overflow pages): the cost of reading the file once. For
 * each page it checks that the number is inside the file and stamped on the page, that no page
 * is reached twice, that the page is a branch or a leaf with sane bounds, and for each node that
 * it lies inside the page with its key and value, carries only flags its database can have, and
 * that an overflow value's run of pages is inside the file.
 *
 * <p>The on-disk layout is LMDB 0.9's on 64-bit platforms, in native byte order: a page starts
 * with a 16-byte header (page number, pad, flags, lower and upper bounds of the free space, or
 * the page count of an overflow run), followed by 16-bit offsets of its nodes. The meta
 * ({@code MDB_meta}) follows the header of pages 0 and 1.
 */
final class LmdbFileCheck {

  /** How much of the file to walk. */
  enum Scope {
    /** The meta pages and the free list. */
    FREE_LIST,
    /** The meta pages and every database's tree, the free list included. */
    ALL
  }

  /** What the newest meta page says; null from {@link #readMeta} for a file that is not LMDB's. */
  record Meta(int pageSize, long lastPage, long txnId, long freeRoot, long mainRoot) {}

  private static final int MAGIC = 0xBEEFC0DE;
  private static final int DATA_VERSION = 1;
  private static final long P_INVALID = -1L;
  private static final int PAGE_HEADER = 16;
  private static final int NODE_HEADER = 8;
  private static final int P_BRANCH = 0x01;
  private static final int P_LEAF = 0x02;
  private static final int P_OVERFLOW = 0x04;
  private static final int P_META = 0x08;
  private static final int F_BIGDATA = 0x01;
  private static final int F_SUBDATA = 0x02;
  private static final int MIN_PAGE_SIZE = 512;
  private static final int MAX_PAGE_SIZE = 65536;
  /** A B-tree deeper than this has a cycle or a damaged pointer: 2^32 pages fit in far less. */
  private static final int MAX_DEPTH = 64;

  // MDB_meta, relative to the end of the page header; an MDB_db is 48 bytes.
  private static final int META_MAGIC = 0;
  private static final int META_VERSION = 4;
  private static final int META_FREE_DB = 24;
  private static final int META_MAIN_DB = 72;
  private static final int DB_PAD = 0; // mm_psize lives in mm_dbs[FREE_DBI].md_pad
  private static final int DB_ROOT = 40;
  private static final int DB_SIZE = 48;
  private static final int META_LAST_PAGE = 120;
  private static final int META_TXNID = 128;
  private static final int META_SIZE = 136;

  /** The kind of tree being walked: which leaf-node flags and values it may hold. */
  private enum Tree {
    FREE("free list"),
    MAIN("main database"),
    NAMED("named database");

    final String label;

    Tree(String label) {
      this.label = label;
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final long fileSize;
  private final Meta meta;
  private final BitSet seen = new BitSet();
  private final List<Long> freeRecords = new ArrayList<>();

  private LmdbFileCheck(Path file, FileChannel channel, long fileSize, Meta meta) {
    this.file = file;
    this.channel = channel;
    this.fileSize = fileSize;
    this.meta = meta;
  }

  /**
   * Checks {@code dataFile} before it is opened; does nothing for a file that is absent, empty,
   * or not LMDB's at all (LMDB's own open reports that as {@code MDB_INVALID}).
   *
   * @throws DataCorruptionException naming the first damaged structure and where it is
   */
  static void check(Path dataFile, Scope scope) {
    walk(dataFile, scope, null);
  }

  /**
   * Checks the tree of the snapshot {@code meta} describes in {@code dataFile}, which may be in
   * use: the caller keeps that snapshot's pages from being reused (a read transaction on it).
   */
  static void check(Path dataFile, Meta meta) {
    walk(dataFile, Scope.ALL, meta);
  }

  /**
   * Checks the free list as {@link #check} does and returns the file offset of every free-list
   * record's page count, in walk order. Tests use the offsets to damage a record on purpose.
   */
  static List<Long> freeListRecords(Path dataFile) {
    return walk(dataFile, Scope.FREE_LIST, null);
  }

  /** The newest meta page of {@code dataFile}, or null when the file is absent or not LMDB's. */
  static Meta readMeta(Path dataFile) {
    try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.READ)) {
      return readMeta(dataFile, ch, ch.size());
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new BackendException("cannot read " + dataFile + " to check it: " + e, e);
    }
  }

  private static List<Long> walk(Path dataFile, Scope scope, Meta pinned) {
    try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.READ)) {
      long size = ch.size();
      Meta meta = pinned != null ? pinned : readMeta(dataFile, ch, size);
      if (meta == null) {
        return List.of();
      }
      LmdbFileCheck check = new LmdbFileCheck(dataFile, ch, size, meta);
      check.walkTree(meta.freeRoot(), Tree.FREE);
      if (scope == Scope.ALL) {
        check.walkTree(meta.mainRoot(), Tree.MAIN);
      }
      return check.freeRecords;
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new BackendException("cannot read " + dataFile + " to check it: " + e, e);
    }
  }

  private static Meta readMeta(Path file, FileChannel ch, long fileSize) throws IOException {
    if (fileSize < PAGE_HEADER + META_SIZE) {
      return null; // empty or truncated: LMDB initialises the first, refuses the second
    }
    ByteBuffer meta0 = read(ch, 0, PAGE_HEADER + META_SIZE);
    if (!isMeta(meta0)) {
      return null; // not an LMDB file: MDB_INVALID at open
    }
    int pageSize = meta0.getInt(PAGE_HEADER + META_FREE_DB + DB_PAD);
    if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || Integer.bitCount(pageSize) != 1) {
      throw corrupt(file, "meta page 0 gives a page size of " + Integer.toUnsignedString(pageSize));
    }
    if (fileSize < (long) pageSize + PAGE_HEADER + META_SIZE) {
      return null; // no second meta page: LMDB refuses the file
    }
    ByteBuffer meta1 = read(ch, pageSize, PAGE_HEADER + META_SIZE);
    if (!isMeta(meta1)) {
      return null;
    }
    // As mdb_env_pick_meta: the second meta only when its transaction id is strictly newer.
    boolean second = Long.compareUnsigned(txnId(meta0), txnId(meta1)) < 0;
    ByteBuffer m = second ? meta1 : meta0;
    int metaPageSize = m.getInt(PAGE_HEADER + META_FREE_DB + DB_PAD);
    if (metaPageSize != pageSize) {
      throw corrupt(file, "meta page " + (second ? 1 : 0) + " gives a page size of "
          + Integer.toUnsignedString(metaPageSize) + ", meta page 0 gives " + pageSize);
    }
    long lastPage = m.getLong(PAGE_HEADER + META_LAST_PAGE);
    if (lastPage < 1 || lastPage >= Integer.MAX_VALUE) {
      throw corrupt(file, "meta page " + (second ? 1 : 0) + " gives last page "
          + Long.toUnsignedString(lastPage));
    }
    return new Meta(pageSize, lastPage, txnId(m),
        m.getLong(PAGE_HEADER + META_FREE_DB + DB_ROOT),
        m.getLong(PAGE_HEADER + META_MAIN_DB + DB_ROOT));
  }

  private static boolean isMeta(ByteBuffer page) {
    return (page.getShort(10) & P_META) != 0
        && page.getInt(PAGE_HEADER + META_MAGIC) == MAGIC
        && page.getInt(PAGE_HEADER + META_VERSION) == DATA_VERSION;
  }

  private static long txnId(ByteBuffer meta) {
    return meta.getLong(PAGE_HEADER + META_TXNID);
  }

  private void walkTree(long root, Tree tree) throws IOException {
    if (root == P_INVALID) {
      return; // an empty database
    }
    int pageSize = meta.pageSize();
    Deque<long[]> pending = new ArrayDeque<>(); // {page number, depth}
    List<Long> namedRoots = new ArrayList<>();
    pending.push(new long[] {root, 0});
    while (!pending.isEmpty()) {
      long[] next = pending.pop();
      long pgno = next[0];
      int depth = (int) next[1];
      String where = tree.label + " page " + pgno;
      if (depth > MAX_DEPTH) {
        throw corrupt("the " + tree.label + " is more than " + MAX_DEPTH + " levels deep at page "
            + pgno);
      }
      ByteBuffer page = page(pgno, where);
      int flags = page.getShort(10) & 0xFFFF;
      boolean branch = (flags & P_BRANCH) != 0;
      if (branch == ((flags & P_LEAF) != 0) || (flags & (P_OVERFLOW | P_META)) != 0) {
        throw corrupt(where + " is neither a branch nor a leaf (flags 0x"
            + Integer.toHexString(flags) + ")");
      }
      int lower = page.getShort(12) & 0xFFFF;
      int upper = page.getShort(14) & 0xFFFF;
      if (lower < PAGE_HEADER + 2 || (lower & 1) != 0 || upper < lower || upper > pageSize) {
        throw corrupt(where + " has bounds lower=" + lower + " upper=" + upper);
      }
      int keys = (lower - PAGE_HEADER) / 2;
      for (int i = 0; i < keys; i++) {
        int node = page.getShort(PAGE_HEADER + 2 * i) & 0xFFFF;
        String at = "node " + i + " of " + where;
        if (node < upper || node + NODE_HEADER > pageSize) {
          throw corrupt(at + " lies at offset " + node + ", outside the page's nodes");
        }
        int lo = page.getShort(node) & 0xFFFF;
        int hi = page.getShort(node + 2) & 0xFFFF;
        int nodeFlags = page.getShort(node + 4) & 0xFFFF;
        int keySize = page.getShort(node + 6) & 0xFFFF;
        int dataAt = node + NODE_HEADER + keySize;
        if (dataAt > pageSize) {
          throw corrupt(at + " has a key of " + keySize + " bytes, past the page end");
        }
        if (branch) {
          long child = lo | ((long) hi << 16) | ((long) nodeFlags << 32);
          pending.push(new long[] {child, depth + 1});
          continue;
        }
        long dataSize = lo | ((long) hi << 16);
        int allowed = tree == Tree.MAIN ? F_BIGDATA | F_SUBDATA : F_BIGDATA;
        if ((nodeFlags & ~allowed) != 0 || (nodeFlags & (F_BIGDATA | F_SUBDATA)) == (F_BIGDATA | F_SUBDATA)) {
          throw corrupt(at + " has flags 0x" + Integer.toHexString(nodeFlags)
              + ", which no node of the " + tree.label + " has");
        }
        if (tree == Tree.FREE && keySize != 8) {
          throw corrupt(at + " has a key of " + keySize + " bytes, not a transaction id");
        }
        long valueAt = value(page, pgno, at, nodeFlags, dataAt, dataSize);
        if (tree == Tree.FREE) {
          freeListRecord(at, valueAt, dataSize);
        } else if ((nodeFlags & F_SUBDATA) != 0) {
          if (dataSize != DB_SIZE) {
            throw corrupt(at + " names a database with a record of " + dataSize + " bytes, not "
                + DB_SIZE);
          }
          namedRoots.add(page.getLong(dataAt + DB_ROOT));
        }
      }
    }
    for (long namedRoot : namedRoots) {
      walkTree(namedRoot, Tree.NAMED);
    }
  }

  /** Checks where a leaf node's value lies and returns its file offset. */
  private long value(ByteBuffer page, long pgno, String at, int nodeFlags, int dataAt,
      long dataSize) throws IOException {
    int pageSize = meta.pageSize();
    if ((nodeFlags & F_BIGDATA) == 0) {
      if (dataAt + dataSize > pageSize) {
        throw corrupt(at + " holds " + dataSize + " bytes, past the page end");
      }
      return pgno * pageSize + dataAt;
    }
    if (dataAt + 8 > pageSize) {
      throw corrupt(at + " has its overflow page number past the page end");
    }
    long first = page.getLong(dataAt);
    String what = "overflow page " + Long.toUnsignedString(first) + " of " + at;
    ByteBuffer head = page(first, what);
    int pages = head.getInt(12);
    if ((head.getShort(10) & P_OVERFLOW) == 0 || pages < 1) {
      throw corrupt(what + " does not start a run of overflow pages (flags 0x"
          + Integer.toHexString(head.getShort(10) & 0xFFFF) + ", "
          + Integer.toUnsignedString(pages) + " pages)");
    }
    if (pages > 1) {
      markRun(first + 1, pages - 1, what); // the rest of the run: in the file, reached once
    }
    if (dataSize > (long) pages * pageSize - PAGE_HEADER) {
      throw corrupt(at + " holds " + dataSize + " bytes in " + pages + " overflow pages");
    }
    return first * pageSize + PAGE_HEADER;
  }

  /** Checks one free-list record, an ID list, whose bytes start at {@code offset}. */
  private void freeListRecord(String at, long offset, long dataSize) throws IOException {
    if (dataSize < 8 || dataSize % 8 != 0) {
      throw corrupt(at + " holds " + dataSize + " bytes, not a list of 8-byte page numbers");
    }
    ByteBuffer ids = read(channel, offset, (int) dataSize);
    long count = ids.getLong(0);
    if (Long.compareUnsigned(count, dataSize / 8 - 1) > 0) {
      throw corrupt(at + " counts " + Long.toUnsignedString(count)
          + " free pages but holds room for " + (dataSize / 8 - 1) + " (file offset " + offset
          + ")");
    }
    // LMDB keeps ID lists sorted in descending order; pages 0 and 1 are the metas.
    long previous = meta.lastPage() + 1;
    for (int i = 1; i <= count; i++) {
      long id = ids.getLong(8 * i);
      if (id < 2 || Long.compareUnsigned(id, previous) >= 0) {
        throw corrupt(at + " lists free page " + Long.toUnsignedString(id) + " after " + previous
            + " (the file has pages up to " + meta.lastPage() + ", listed in descending order)");
      }
      previous = id;
    }
    freeRecords.add(offset);
  }

  /** Checks that page {@code pgno} lies inside the file and was not reached before; reads it. */
  private ByteBuffer page(long pgno, String what) throws IOException {
    markRun(pgno, 1, what);
    ByteBuffer page = read(channel, pgno * meta.pageSize(), meta.pageSize());
    long stamped = page.getLong(0);
    if (stamped != pgno) {
      throw corrupt(what + " is stamped as page " + Long.toUnsignedString(stamped));
    }
    return page;
  }

  /** Checks that pages {@code first .. first + count - 1} lie inside the file, each reached once. */
  private void markRun(long first, long count, String what) {
    int pageSize = meta.pageSize();
    long end = first + count - 1;
    if (first < 2 || end < first || end > meta.lastPage() || (end + 1) * pageSize > fileSize) {
      throw corrupt(what + ": pages " + Long.toUnsignedString(first) + ".."
          + Long.toUnsignedString(end) + " are outside the file (" + fileSize / pageSize
          + " pages, last page in use " + meta.lastPage() + ")");
    }
    int clash = seen.nextSetBit((int) first);
    if (clash >= 0 && clash <= end) {
      throw corrupt(what + ": page " + clash + " is reached twice");
    }
    seen.set((int) first, (int) end + 1);
  }

  private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
    while (b.hasRemaining()) {
      if (ch.read(b, position + b.position()) < 0) {
        throw new IOException("unexpected end of file at " + (position + b.position()));
      }
    }
    return b.clear();
  }

  private DataCorruptionException corrupt(String detail) {
    return corrupt(file, detail);
  }

  private static DataCorruptionException corrupt(Path file, String detail) {
    return new DataCorruptionException(
        file + " is corrupt: " + detail + ". LMDB does not check this and can crash the process"
            + " on such damage, so Cairn refuses the file; restore the store from a backup");
  }
}
