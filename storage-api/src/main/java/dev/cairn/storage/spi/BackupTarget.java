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

  /**
   * Writes {@code data} fully under {@code name}, atomically replacing any previous object.
   *
   * @param name the object's name
   * @param data the object's bytes, read to the end; the caller closes it
   * @throws IOException if the object cannot be written; no object of that name changed
   */
  void write(String name, InputStream data) throws IOException;

  /**
   * Opens an object for reading.
   *
   * @param name the object's name
   * @return the object's bytes, to be closed by the caller
   * @throws java.nio.file.NoSuchFileException if absent
   * @throws IOException if the object cannot be read
   */
  InputStream read(String name) throws IOException;

  /**
   * Every object name, sorted.
   *
   * @return the names of every object, sorted
   * @throws IOException if the target cannot be listed
   */
  List<String> list() throws IOException;

  /**
   * Deletes an object.
   *
   * @param name the object's name
   * @return {@code true} if the object existed
   * @throws IOException if the object cannot be deleted
   */
  boolean delete(String name) throws IOException;
}
