package dev.cairn.backend.h2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.SFChunk;
import org.h2.mvstore.SingleFileStore;

/**
 * H2's single-file store, with a store header that names the newest chunk whenever the file is
 * synced, so that reopening after a crash finds every synced commit.
 *
 * <p><b>The H2 defect this works around</b> (H2 2.5.252 and the current source). After a crash,
 * MVStore finds its newest chunk from the store header (the first two 4 KiB blocks of the file):
 * it reads the chunk the header names, then follows each chunk's {@code next} field (where that
 * chunk predicted the following one would be written), and also looks at the chunk at the end of
 * the file. A chunk written anywhere else is found only if the header is rewritten to name it.
 * {@code RandomAccessStore.writeChunk} does decide to rewrite the header when a chunk lands away
 * from the predicted place, but {@code FileStore.storeBuffer} calls it before setting
 * {@code lastChunk} to the new chunk, so the header it writes names the <em>previous</em> chunk,
 * whose prediction is exactly what just failed. Once a store is large and fragmented enough that
 * chunks go into reused space in the middle of the file, every commit from such a chunk until
 * the next header write (up to 20 versions later) is invisible to recovery: a {@code kill -9}
 * loses them, whole commits at a time, though each was written and fsynced before it was
 * acknowledged. H2's own recovery mode (a scan of every block) finds them, which is how the loss
 * was diagnosed (backend-h2 README, "Crash recovery").
 *
 * <p><b>The fix.</b> {@link #syncNamingNewestChunk()} is what the backend calls instead of
 * {@code sync()}: it writes the header naming the newest chunk (by id, position and version),
 * exactly as MVStore's private {@code writeStoreHeader} does, then fsyncs. The header and the
 * chunk are made durable by the same fsync, before the commit is acknowledged. The cost is one
 * 8 KiB write at the start of the file per durable commit (MVStore rewrote the header itself only
 * every 20 versions, and then one chunk behind).
 *
 * <p><b>Damage that MVStore would hide.</b> When the newest chunks are damaged, MVStore's
 * recovery opens the newest version whose chunks are all intact, silently: a flipped byte in
 * the footer of a chunk that newer versions still depend on drops every commit since. The header
 * therefore also records the newest chunk version made durable ({@value #HDR_SYNCED}); the
 * backend refuses to open a file whose recovered version is more than one behind it
 * ({@link H2Backend}, "a store that lost durable commits"). One behind is a torn last commit: the
 * header is written before the fsync that makes its chunk durable, so a power loss can keep the
 * header and lose the chunk, which was never acknowledged.
 *
 * <p>The header layout (a checksummed {@code key:value} map, written twice) is H2's file format
 * 3, which every H2 2.x reads; the keys used here are the ones {@code FileStore} declares
 * package-private.
 */
final class HeaderSyncingFileStore extends SingleFileStore {

  /** H2's store header keys ({@code FileStore.HDR_*}, package-private there). */
  private static final String HDR_CHUNK = "chunk";
  private static final String HDR_BLOCK = "block";
  private static final String HDR_VERSION = "version";
  private static final String HDR_FLETCHER = "fletcher";
  /**
   * Our own header key (MVStore keeps unknown keys and writes them back): the version of the
   * newest chunk that was fsynced. Recovery that opens an older version than one before it has
   * skipped durable commits, which only damage can cause ({@link #durableVersion()}).
   */
  static final String HDR_SYNCED = "cairnSynced";
  /** MVStore's block size ({@code FileStore.BLOCK_SIZE}): the header takes two blocks. */
  private static final int BLOCK_SIZE = 4096;

  HeaderSyncingFileStore(int cacheSizeMb) {
    super(config(cacheSizeMb));
  }

  private static Map<String, Object> config(int cacheSizeMb) {
    Map<String, Object> config = new HashMap<>();
    config.put("cacheSize", cacheSizeMb);
    return config;
  }

  /**
   * Writes the store header naming the newest chunk and recording it as durable
   * ({@value #HDR_SYNCED}), then fsyncs the file: the chunk and the header become durable
   * together. Call only while no other thread writes to the store (the backend holds its writer
   * slot).
   */
  void syncNamingNewestChunk() {
    SFChunk newest = lastChunk;
    if (newest != null
        && (!headerNames(newest) || hex(getStoreHeader().get(HDR_SYNCED)) != newest.version)) {
      writeHeaderNaming(newest, newest.version);
    }
    sync();
  }

  /**
   * Like {@link #syncNamingNewestChunk()}, but the newest chunk is made durable before the header
   * names it: one more fsync, and no power loss can leave a header naming a chunk that never
   * reached the disk. For writes that go into reused space in the middle of the file and carry no
   * caller's commit ({@code optimize()}): if the header naming such a chunk reached the disk and
   * the chunk did not, recovery could not find the chunk before it either (it looks at the end of
   * the file), and the backend would refuse the store.
   */
  void syncChunkThenHeader() {
    sync();
    syncNamingNewestChunk();
  }

  /**
   * The newest chunk version this file's header says was made durable, or -1 if the header does
   * not say (a file written before this class recorded it).
   */
  long durableVersion() {
    return hex(getStoreHeader().get(HDR_SYNCED));
  }

  /**
   * Rewrites the store header if it does not name the newest chunk, without an fsync: enough to
   * survive a process crash (the page cache keeps the write), not a power loss. Same threading
   * rule as {@link #syncNamingNewestChunk()}.
   */
  void nameNewestChunk() {
    SFChunk newest = lastChunk;
    if (newest != null && !headerNames(newest)) {
      writeHeaderNaming(newest, hex(getStoreHeader().get(HDR_SYNCED)));
    }
  }

  /** Whether the header last written names {@code chunk}. */
  boolean headerNames(SFChunk chunk) {
    Map<String, Object> header = getStoreHeader();
    return hex(header.get(HDR_CHUNK)) == chunk.id
        && hex(header.get(HDR_BLOCK)) == chunk.block
        && hex(header.get(HDR_VERSION)) == chunk.version;
  }

  /**
   * A header value: a number MVStore put there itself, or the hex text it read from the file;
   * -1 when absent or unreadable (then the header is rewritten).
   */
  private static long hex(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof String s) {
      try {
        return Long.parseLong(s, 16);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return -1;
  }

  /**
   * The same bytes as {@code RandomAccessStore.writeStoreHeader()}, naming {@code chunk}, plus
   * {@value #HDR_SYNCED} when {@code durable >= 0}.
   */
  private void writeHeaderNaming(SFChunk chunk, long durable) {
    @SuppressWarnings("unchecked")
    HashMap<String, Object> header = (HashMap<String, Object>) getStoreHeader();
    header.put(HDR_BLOCK, chunk.block);
    header.put(HDR_CHUNK, chunk.id);
    header.put(HDR_VERSION, chunk.version);
    if (durable >= 0) {
      header.put(HDR_SYNCED, durable);
    }
    StringBuilder text = new StringBuilder(112);
    DataUtils.appendMap(text, header);
    byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
    DataUtils.appendMap(text, HDR_FLETCHER, DataUtils.getFletcher32(bytes, 0, bytes.length));
    text.append('\n');
    bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer blocks = ByteBuffer.allocate(2 * BLOCK_SIZE);
    blocks.put(bytes);
    blocks.position(BLOCK_SIZE);
    blocks.put(bytes);
    blocks.rewind();
    writeFully(null, 0, blocks);
  }
}
