package dev.cairn.codec.zstd;

/**
 * The fields of a zstd frame header that decoding checks before allocating (RFC 8878 section
 * 3.1.1.1), parsed in Java: a JNI call per field costs as much as a tenth of decoding a 1 KiB
 * value. The native decoder re-validates everything, so this parser only has to be right about
 * the sizes it reports, never about accepting a frame.
 *
 * @param contentSize the declared content size, or {@link #UNKNOWN} if the frame does not say
 * @param dictionaryId the id of the dictionary the frame needs, 0 for none (unsigned 32-bit)
 */
record FrameHeader(long contentSize, long dictionaryId) {

  static final long UNKNOWN = -1;

  private static final int MAGIC = 0xFD2FB528;
  private static final int MAX_WINDOW_LOG = 31;

  /**
   * Parses the header at the start of {@code frame}.
   *
   * @return the header, or null if {@code frame} does not start with a complete zstd frame header
   */
  static FrameHeader parse(byte[] frame) {
    if (frame.length < 6 || readLe(frame, 0, 4) != (MAGIC & 0xFFFF_FFFFL)) {
      return null;
    }
    int descriptor = frame[4] & 0xFF;
    int contentSizeFlag = descriptor >>> 6;
    boolean singleSegment = (descriptor & 0x20) != 0;
    boolean reservedBit = (descriptor & 0x08) != 0;
    int dictionaryIdFlag = descriptor & 0x03;
    if (reservedBit) {
      return null;
    }
    if (!singleSegment && (frame[5] & 0xFF) >>> 3 > MAX_WINDOW_LOG - 10) {
      return null; // zstd refuses windows beyond 2^31 (frameParameter_windowTooLarge)
    }
    int position = 5 + (singleSegment ? 0 : 1);
    int dictionaryIdBytes = dictionaryIdFlag == 3 ? 4 : dictionaryIdFlag;
    int contentSizeBytes =
        switch (contentSizeFlag) {
          case 0 -> singleSegment ? 1 : 0;
          case 1 -> 2;
          case 2 -> 4;
          default -> 8;
        };
    if (frame.length < position + dictionaryIdBytes + contentSizeBytes) {
      return null;
    }
    long dictionaryId = readLe(frame, position, dictionaryIdBytes);
    position += dictionaryIdBytes;
    long contentSize;
    if (contentSizeBytes == 0) {
      contentSize = UNKNOWN;
    } else {
      contentSize = readLe(frame, position, contentSizeBytes);
      if (contentSizeBytes == 2) {
        contentSize += 256;
      }
      if (contentSize < 0) {
        return null; // beyond 2^63: no Java array can hold it
      }
    }
    return new FrameHeader(contentSize, dictionaryId);
  }

  private static long readLe(byte[] bytes, int offset, int length) {
    long value = 0;
    for (int i = length - 1; i >= 0; i--) {
      value = (value << 8) | (bytes[offset + i] & 0xFF);
    }
    return value;
  }
}
