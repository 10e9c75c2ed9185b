package dev.cairn.examples;

import dev.cairn.storage.Storage;
import dev.cairn.storage.Transaction;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Transactions: a bank transfer that moves money between two accounts atomically and refuses
 * to overdraw. The function commits when it returns and rolls back when it throws — a refused
 * transfer changes nothing, not even the ledger entry it wrote first.
 */
public final class BankTransferExample {

  /** An account; balances are in cents. */
  public record Account(String owner, long balanceCents) {}

  /** Thrown inside the transaction to refuse a transfer; the rollback undoes everything. */
  public static final class InsufficientFundsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InsufficientFundsException(String message) {
      super(message);
    }
  }

  private BankTransferExample() {}

  /** Runs the example in {@code args[0]} (default {@code cairn-data/bank}). */
  public static void main(String[] args) {
    run(Path.of(args.length > 0 ? args[0] : "cairn-data/bank"), System.out);
  }

  /**
   * Moves {@code cents} from one account to another in one transaction and records it in the
   * ledger.
   *
   * @throws InsufficientFundsException if the source would go negative (nothing is changed)
   */
  public static void transfer(Storage storage, String transferId, String from, String to, long cents) {
    if (cents <= 0) {
      throw new IllegalArgumentException("amount must be positive, got " + cents);
    }
    storage.useTransaction(tx -> {
      tx.put("ledger", transferId, Map.of("from", from, "to", to, "cents", cents));
      Account source = account(tx, from);
      Account target = account(tx, to);
      if (source.balanceCents() < cents) {
        throw new InsufficientFundsException(
            from + " has " + source.balanceCents() + " cents, cannot send " + cents);
      }
      tx.put("accounts", from, new Account(source.owner(), source.balanceCents() - cents));
      tx.put("accounts", to, new Account(target.owner(), target.balanceCents() + cents));
    });
  }

  private static Account account(Transaction tx, String id) {
    return tx.get("accounts", id, Account.class)
        .orElseThrow(() -> new IllegalArgumentException("no account " + id));
  }

  /** Runs one accepted and one refused transfer; returns the final balances (a, b). */
  public static long[] run(Path dir, PrintStream out) {
    try (Storage storage = Storage.builder().directory(dir).open()) {
      storage.putAll("accounts", Map.of(
          "acc-a", new Account("Ada", 10_000),
          "acc-b", new Account("Grace", 2_500)));

      transfer(storage, "t-1", "acc-a", "acc-b", 4_000);
      out.println("t-1 committed: " + balances(storage));

      try {
        transfer(storage, "t-2", "acc-b", "acc-a", 1_000_000);
      } catch (InsufficientFundsException e) {
        out.println("t-2 refused (" + e.getMessage() + "): " + balances(storage)
            + ", ledger has t-2: " + storage.contains("ledger", "t-2"));
      }
      return new long[] {balance(storage, "acc-a"), balance(storage, "acc-b")};
    }
  }

  private static String balances(Storage storage) {
    return "acc-a=" + balance(storage, "acc-a") + " acc-b=" + balance(storage, "acc-b");
  }

  private static long balance(Storage storage, String id) {
    return storage.get("accounts", id, Account.class).orElseThrow().balanceCents();
  }
}
