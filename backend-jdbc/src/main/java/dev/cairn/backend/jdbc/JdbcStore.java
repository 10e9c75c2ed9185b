package dev.cairn.backend.jdbc;

import dev.cairn.storage.StorageException;
import java.sql.SQLException;

/**
 * A JDBC backend as its transactions see it: the SQL of the keyspaces it was opened with, and
 * what its database's failures mean. Implemented by the backend class of each JDBC backend and
 * handed to every {@link JdbcTransaction} it begins.
 */
public interface JdbcStore {

  /** {@return the database's dialect} */
  SqlDialect dialect();

  /**
   * The SQL of keyspace {@code name}.
   *
   * @param name a keyspace's name
   * @return its SQL
   * @throws IllegalArgumentException if the store was not opened with that keyspace
   */
  KeyspaceSql keyspace(String name);

  /**
   * Turns a failure of {@code what} (which starts the message) into Cairn's exception, keeping
   * {@code e} as its cause.
   *
   * @param e the driver's failure
   * @param what the operation that failed, e.g. {@code "put"}
   * @return the exception to throw
   */
  StorageException map(SQLException e, String what);
}
