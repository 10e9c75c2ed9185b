package dev.cairn.storage.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where backup sets are stored: a flat namespace of named objects ({@code a/b/c} names allowed).
 *
 * <p>Publication is atomic: after {@link #write} returns, readers see the whole object; if it
 * fails, they see no object (and no previous object of that name is damaged). Names are
 * validated: no {@code ..} segments, no absolute paths.
 */
public interface BackupTarget {

  /** Writes {@code data} fully under {@code name}, atomically replacing any previous object. */
  void write(String name, InputStream data) throws IOException;

  /** Opens an object for reading. @throws java.nio.file.NoSuchFileException if absent */
  InputStream read(String name) throws IOException;

  /** Every object name, sorted. */
  List<String> list() throws IOException;

  /** Deletes an object; returns whether it existed. */
  boolean delete(String name) throws IOException;
}
