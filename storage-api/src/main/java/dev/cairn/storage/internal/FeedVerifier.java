package dev.cairn.storage.internal;

import dev.cairn.storage.Change;
import dev.cairn.storage.spi.BackendCursor;
import dev.cairn.storage.spi.BackendTransaction;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The change feed's part of {@link Verifier}, in the same read snapshot. A store whose feed was
 * never on has neither the meta entries {@code feed} and {@code feed-head} nor any entry in the
 * keyspace {@value FeedLog#FEED}, and nothing is checked. Otherwise (layout in {@link FeedLog}):
 *
 * <ul>
 *   <li>the setting and the head parse, and neither is there without the other; entries
 *       without the setting are a problem (no instance would write or trim them);
 *   <li>every entry's key is an 8-byte position of at least 1, and its value parses: format,
 *       CRC32C, kind, a record key of a valid collection name and a key of 1 to 256 bytes of
 *       well-formed UTF-8, a version the store's version sequence has issued (at most the meta
 *       entry {@code seq}; a put's at least 1, a delete's 0 only when the deleted record was
 *       unreadable);
 *   <li>the entries are one run of consecutive positions ending exactly at the head: no gap, and
 *       nothing above the head. Where the run starts is not checked: trimming and a restore
 *       remove the oldest entries and record no mark, so {@code oldest()} is the first entry (or
 *       the head + 1 when there is none) by definition, and a lost first entry cannot be told
 *       from a trimmed one (a reader behind it gets {@code HistoryTruncatedException} either
 *       way);
 *   <li>each key's last change in the feed matches its record: after a put the record has that
 *       version, after a delete there is no record (an expired record not purged yet is still
 *       there, with the version of its put). A change followed by another of the same key is not
 *       compared with the record, whose version the later write changed; and when the feed has
 *       a gap or an unreadable entry, which may have held any key's last change, no key is
 *       compared (the damage is reported already). Commit times are not checked: clocks go
 *       back, and instances sharing a store have clocks of their own.
 * </ul>
 *
 * <p>Memory: one entry per key whose later change in the feed the scan has not reached yet.
 */
final class FeedVerifier {

  /** {@link #recordVersion}: no record. */
  private static final long ABSENT = -1;
  /** {@link #recordVersion}: a record that does not parse (the records' check reports it). */
  private static final long DAMAGED = -2;

  private final BackendTransaction rtx;
  private final Consumer<String> problem;
  /** Keys whose change seen last does not match their record: a later change must follow. */
  private final Map<ByteBuffer, Change> unsettled = new LinkedHashMap<>();
  /** False after a gap or an unreadable entry, which may have held any key's last change. */
  private boolean intact = true;

  FeedVerifier(BackendTransaction rtx, Consumer<String> problem) {
    this.rtx = rtx;
    this.problem = problem;
  }

  void run() {
    byte[] setting = rtx.get(RecordStore.META, FeedLog.SETTING_KEY);
    byte[] headValue = rtx.get(RecordStore.META, FeedLog.HEAD_KEY);
    if (setting != null) {
      try {
        FeedLog.decodeSetting(setting);
      } catch (RuntimeException e) {
        problem.accept("the change feed's setting is damaged: " + e.getMessage());
      }
    }
    long head = Long.MAX_VALUE; // unknown: no bound
    if (headValue == null) {
      if (setting != null) {
        problem.accept("the change feed is on but its head (meta entry 'feed-head') is missing");
      }
    } else if (setting == null) {
      problem.accept("the change feed has a head (meta entry 'feed-head') but is not on (no"
          + " meta entry 'feed')");
    }
    if (headValue != null) {
      try {
        head = RecordFormat.parseLong(headValue, "meta entry 'feed-head'");
        if (head < 0) {
          problem.accept("the change feed's head is negative: " + head);
          head = Long.MAX_VALUE;
        }
      } catch (RuntimeException e) {
        problem.accept("the change feed's head is damaged: " + e.getMessage());
      }
    }
    long entries = scan(head, sequence());
    if (entries > 0 && setting == null) {
      problem.accept("the change feed holds " + entries + " entries but is not on (no meta entry"
          + " 'feed')");
    }
    if (!intact) {
      return; // a lost change could be any key's last: the damage is reported already
    }
    unsettled.values().forEach(c -> problem.accept("change feed position " + c.position()
        + " is the last change of record " + c.collection() + "/" + Keys.printable(c.key())
        + " (" + c.kind() + " of version " + c.version() + ") but the record "
        + current(c) + " (written without a change: by an instance that opened the store"
        + " before its feed was turned on?)"));
  }

  /** The version high-water mark, or {@code Long.MAX_VALUE} when unreadable (no bound). */
  private long sequence() {
    byte[] v = rtx.get(RecordStore.META, VersionSequence.KEY);
    try {
      return v == null ? Long.MAX_VALUE : RecordFormat.parseLong(v, "meta sequence");
    } catch (RuntimeException e) {
      return Long.MAX_VALUE; // not the feed's problem
    }
  }

  /** Checks every entry against the head and the sequence; returns how many there are. */
  private long scan(long head, long sequence) {
    long entries = 0;
    long previous = 0; // the position of the entry before, 0 before the first
    try (BackendCursor c = rtx.scan(FeedLog.FEED, null, null)) {
      while (c.next()) {
        entries++;
        long p;
        try {
          p = FeedLog.position(c.key());
        } catch (RuntimeException e) {
          problem.accept(e.getMessage() + ": " + RecordFormat.hex(c.key()));
          intact = false;
          continue;
        }
        if (p < 1) {
          problem.accept("change feed entry at position " + p + ": positions start at 1");
          intact = false;
          continue;
        }
        if (previous > 0 && p > previous + 1) {
          missing(previous + 1, Math.min(p - 1, head),
              " (entries at " + previous + " and " + p + ")");
        }
        previous = p;
        if (p > head) {
          problem.accept("change feed entry at position " + p + " is above the head " + head
              + " (no reader sees it, and a later commit would overwrite it)");
        }
        entry(p, c.value(), sequence);
      }
    }
    if (previous > 0 && previous < head && head != Long.MAX_VALUE) {
      missing(previous + 1, head, ": the newest entry is at " + previous + " but the head is "
          + head);
    }
    return entries;
  }

  /** Positions {@code from} to {@code to} (none if {@code from > to}) are missing. */
  private void missing(long from, long to, String where) {
    if (from <= to) {
      intact = false;
      problem.accept("change feed " + (from == to ? "position " + from + " is"
          : "positions " + from + " to " + to + " are") + " missing" + where
          + ": a gap, which readers report as damage");
    }
  }

  /** One entry: it decodes, is well-formed, and settles or unsettles its key. */
  private void entry(long p, byte[] v, long sequence) {
    Change c;
    byte[] rk;
    try {
      c = FeedLog.decode(p, v);
      rk = FeedLog.recordKeyOf(v);
      byte[] wellFormed = Keys.recordKey(Keys.checkCollection(c.collection()), c.key());
      if (!Arrays.equals(wellFormed, rk)) {
        throw new IllegalArgumentException("key is not well-formed UTF-8");
      }
    } catch (RuntimeException e) {
      String m = e.getMessage();
      problem.accept(m != null && m.startsWith("change feed entry") ? m
          : "change feed entry at position " + p + " names a malformed record key " + hex(v)
              + ": " + m);
      intact = false;
      return;
    }
    String what = "change feed entry at position " + p + " (" + c.kind() + " of "
        + c.collection() + "/" + Keys.printable(c.key()) + ") has version " + c.version();
    if (c.version() < (c.kind() == Change.Kind.PUT ? 1 : 0)) {
      problem.accept(what + ": versions start at 1 (a delete's is 0 when the record was"
          + " unreadable)");
    } else if (c.version() > sequence) {
      problem.accept(what + ", which the store's version sequence (at " + sequence
          + ") never issued");
    }
    ByteBuffer key = ByteBuffer.wrap(rk);
    unsettled.remove(key);
    long version = recordVersion(rk);
    boolean settled = version == DAMAGED
        || (c.kind() == Change.Kind.PUT ? version == c.version() : version == ABSENT);
    if (!settled) {
      unsettled.put(key, c);
    }
  }

  /** The version of the record under {@code rk}, {@link #ABSENT} or {@link #DAMAGED}. */
  private long recordVersion(byte[] rk) {
    byte[] v = rtx.get(RecordStore.RECORDS, rk);
    if (v == null) {
      return ABSENT;
    }
    try {
      return RecordFormat.parseRecord(v, rk, "record").version();
    } catch (RuntimeException e) {
      return DAMAGED; // the records' check reports it
    }
  }

  /** What the record of {@code c} is instead, for a problem. */
  private String current(Change c) {
    long v = recordVersion(Keys.recordKey(c.collection(), c.key()));
    return v == ABSENT ? "does not exist" : "has version " + v;
  }

  private static String hex(byte[] entry) {
    return RecordFormat.hex(FeedLog.recordKeyOf(entry));
  }
}
