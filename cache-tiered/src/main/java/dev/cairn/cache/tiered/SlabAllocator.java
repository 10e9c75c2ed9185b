package dev.cairn.cache.tiered;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed-block allocator over a few large direct buffers ("slabs") that it owns.
 *
 * <p>The capacity is cut into blocks of {@code blockBytes}; a value takes
 * {@code ceil(length / blockBytes)} blocks which need not be adjacent (scatter/gather copies), so
 * there is no external fragmentation and the waste is under one block per value. Slabs are
 * reserved lazily, one at a time, only when the free list runs dry, and released (with
 * {@link DirectMemory#free(DirectMemory.Region)}) by {@link #reset()} and {@link #close()}. Freed blocks go back to the
 * free list at once.
 *
 * <p>Not thread-safe: the owning tier guards every call with its lock.
 */
final class SlabAllocator {

  /** Direct bytes reserved by every live allocator in this JVM (for leak tests and logging). */
  static final AtomicLong RESERVED_BYTES_ALL = new AtomicLong();

  private static final int[] NO_BLOCKS = new int[0];

  private final int blockBytes;
  private final int blocksPerSlab;
  private final int totalBlocks;
  private final int slabCapacity;
  private DirectMemory.Region[] slabs;
  private int slabCount;
  private int[] free = new int[64];
  private int freeTop;
  private int usedBlocks;
  private long reservedBytes;
  private boolean closed;

  /**
   * @param capacityBytes bound of all blocks together (rounded down to whole blocks)
   * @param blockBytes size of one block
   * @param slabBytes size of one slab (a multiple of {@code blockBytes})
   */
  SlabAllocator(long capacityBytes, int blockBytes, int slabBytes) {
    this.blockBytes = blockBytes;
    this.totalBlocks = (int) Math.min(capacityBytes / blockBytes, Integer.MAX_VALUE - 8);
    this.blocksPerSlab = Math.max(1, Math.min(slabBytes / blockBytes, Math.max(1, totalBlocks)));
    this.slabCapacity = totalBlocks == 0 ? 0 : (totalBlocks + blocksPerSlab - 1) / blocksPerSlab;
    this.slabs = new DirectMemory.Region[Math.min(slabCapacity, 16)];
  }

  int blockBytes() {
    return blockBytes;
  }

  /** Blocks a value of {@code length} bytes needs. */
  int blocksFor(int length) {
    return (int) (((long) length + blockBytes - 1) / blockBytes);
  }

  /** Whether a value of {@code length} bytes could ever fit. */
  boolean fits(int length) {
    return blocksFor(length) <= totalBlocks;
  }

  /** Whether {@code blocks} blocks are free now (counting slabs not yet reserved). */
  boolean hasFree(int blocks) {
    return blocks <= totalBlocks - usedBlocks;
  }

  /**
   * Takes blocks for {@code length} bytes, or returns {@code null} if not enough are free (the
   * caller evicts and retries).
   */
  int[] allocate(int length) {
    if (closed) {
      throw new IllegalStateException("allocator is closed");
    }
    int n = blocksFor(length);
    if (n == 0) {
      return NO_BLOCKS;
    }
    if (!hasFree(n)) {
      return null;
    }
    while (freeTop < n) {
      addSlab();
    }
    int[] blocks = new int[n];
    for (int i = 0; i < n; i++) {
      blocks[i] = free[--freeTop];
    }
    usedBlocks += n;
    return blocks;
  }

  /** Returns blocks to the free list. */
  void free(int[] blocks) {
    if (closed || blocks.length == 0) {
      return;
    }
    if (freeTop + blocks.length > free.length) {
      free = Arrays.copyOf(free, Math.max(free.length * 2, freeTop + blocks.length));
    }
    for (int block : blocks) {
      free[freeTop++] = block;
    }
    usedBlocks -= blocks.length;
  }

  /** Copies {@code src} into the blocks (which hold at least {@code src.length} bytes). */
  void write(int[] blocks, byte[] src) {
    int offset = 0;
    for (int block : blocks) {
      int n = Math.min(blockBytes, src.length - offset);
      slabs[block / blocksPerSlab].buffer().put(offsetOf(block), src, offset, n);
      offset += n;
    }
  }

  /** Copies {@code length} bytes out of the blocks. */
  byte[] read(int[] blocks, int length) {
    byte[] dst = new byte[length];
    int offset = 0;
    for (int block : blocks) {
      int n = Math.min(blockBytes, length - offset);
      slabs[block / blocksPerSlab].buffer().get(offsetOf(block), dst, offset, n);
      offset += n;
    }
    return dst;
  }

  /** Bytes held by allocated blocks. */
  long usedBytes() {
    return (long) usedBlocks * blockBytes;
  }

  /** Bytes the blocks may use together. */
  long capacityBytes() {
    return (long) totalBlocks * blockBytes;
  }

  /** Direct bytes reserved from the JVM now (whole slabs). */
  long reservedBytes() {
    return reservedBytes;
  }

  /** Frees every block and releases every slab; the allocator stays usable. */
  void reset() {
    for (int i = 0; i < slabCount; i++) {
      DirectMemory.free(slabs[i]);
      slabs[i] = null;
    }
    RESERVED_BYTES_ALL.addAndGet(-reservedBytes);
    reservedBytes = 0;
    slabCount = 0;
    freeTop = 0;
    usedBlocks = 0;
    free = new int[64];
  }

  /** Releases every slab; later allocations throw. Idempotent. */
  void close() {
    if (!closed) {
      reset();
      closed = true;
    }
  }

  /** The slabs' buffers now, for tests (never touch them after a release on the cleaner path). */
  java.util.List<java.nio.ByteBuffer> slabBuffersForTest() {
    java.util.List<java.nio.ByteBuffer> list = new java.util.ArrayList<>();
    for (int i = 0; i < slabCount; i++) {
      list.add(slabs[i].buffer());
    }
    return list;
  }

  private int offsetOf(int block) {
    return (block % blocksPerSlab) * blockBytes;
  }

  private void addSlab() {
    if (slabCount >= slabCapacity) {
      throw new IllegalStateException("allocator accounting is broken: no slab left to reserve");
    }
    int first = slabCount * blocksPerSlab;
    int blocks = Math.min(blocksPerSlab, totalBlocks - first);
    long bytes = (long) blocks * blockBytes;
    DirectMemory.Region slab = DirectMemory.allocate((int) bytes);
    if (slabCount == slabs.length) {
      slabs = Arrays.copyOf(slabs, Math.min(slabCapacity, slabs.length * 2));
    }
    slabs[slabCount++] = slab;
    reservedBytes += bytes;
    RESERVED_BYTES_ALL.addAndGet(bytes);
    if (free.length < freeTop + blocks) {
      free = Arrays.copyOf(free, freeTop + blocks);
    }
    // push in reverse so that the lowest block index is handed out first
    for (int b = first + blocks - 1; b >= first; b--) {
      free[freeTop++] = b;
    }
  }
}
