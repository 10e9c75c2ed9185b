package dev.cairn.examples;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded generator of a small casino ledger: players and their wallets, accepted terms,
 * game rounds with the paytable in force for each round, bets and payouts. The same seed gives
 * the same records, byte for byte. Wallet balances are the deposits minus stakes plus payouts,
 * and a bet is only placed when the balance covers it, so no balance is ever negative.
 *
 * <p>Repeated content is realistic here: the regulator wants the exact paytable of every round
 * and the exact terms each player accepted, so a handful of documents are stored under
 * thousands of keys — which is what content-hash deduplication is for.
 */
public final class CasinoLedger {

  /** A registered player. */
  public record Player(
      String id, String name, String email, String country, String currency, String vipTier,
      String registeredAt, boolean marketingOptIn) {}

  /** A player's balance in cents. Timestamps are ISO-8601 strings. */
  public record Wallet(String player, String currency, long balanceCents, String updatedAt) {}

  /** One game round. */
  public record Round(
      String id, String game, String table, String paytableVersion, String startedAt,
      String settledAt, String rngCommitment, List<List<String>> reels, int winningLines) {}

  /** A stake on a round. */
  public record Bet(
      String id, String round, String player, long stakeCents, String currency, String selection,
      String channel, String placedAt) {}

  /** A win paid out for a bet. */
  public record Payout(
      String id, String bet, String round, String player, long amountCents, double multiplier,
      String paidAt) {}

  /** The collections in the order the demo loads and prints them. */
  public static final List<String> COLLECTIONS = List.of(
      "players", "wallets", "terms-accepted", "rounds", "round-paytables", "bets", "payouts");

  private static final Instant EPOCH = Instant.parse("2026-03-01T18:00:00Z");
  private static final String[] FIRST = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald",
      "Margaret", "Ken", "Frances", "John", "Radia", "Niklaus", "Lynn", "Tony", "Hedy", "Dennis"};
  private static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov",
      "Knuth", "Hamilton", "Thompson", "Allen", "Backus", "Perlman", "Wirth", "Conway", "Hoare",
      "Lamarr", "Ritchie"};
  private static final String[] COUNTRIES = {"MT", "SE", "DE", "IE", "ES", "FI", "NL", "DK"};
  private static final String[] TIERS = {"bronze", "bronze", "bronze", "silver", "silver", "gold"};
  private static final String[] SYMBOLS = {"cherry", "lemon", "bell", "bar", "seven", "star", "wild"};
  private static final String[][] GAMES = {
    {"aztec-gold", "slot"}, {"neon-sevens", "slot"}, {"viking-voyage", "slot"},
    {"lucky-clover", "slot"}, {"european-roulette", "table"}, {"blackjack-classic", "table"}};

  private final Random random;
  private final Map<String, Map<String, Object>> collections = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> paytables = new LinkedHashMap<>();
  private final List<Map<String, Object>> terms = new ArrayList<>();

  private CasinoLedger(long seed) {
    this.random = new Random(seed);
    COLLECTIONS.forEach(c -> collections.put(c, new LinkedHashMap<>()));
  }

  /**
   * Generates a ledger.
   *
   * @param seed the random seed
   * @param players how many players (the other collections scale with it: 5 rounds, 12 bets
   *     per player)
   * @return collection name to (key to value), keys in insertion order
   */
  public static Map<String, Map<String, Object>> generate(long seed, int players) {
    if (players < 2) {
      throw new IllegalArgumentException("players must be at least 2, got " + players);
    }
    CasinoLedger g = new CasinoLedger(seed);
    g.build(players);
    return g.collections;
  }

  /** How many distinct paytable and terms documents a ledger holds. */
  public static int distinctSharedDocuments() {
    return GAMES.length + 3;
  }

  private void build(int playerCount) {
    for (int v = 1; v <= 3; v++) {
      terms.add(termsDocument(v));
    }
    for (String[] game : GAMES) {
      paytables.put(game[0], paytable(game[0], game[1]));
    }
    long[] balance = new long[playerCount];
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < playerCount; i++) {
      String id = String.format("player-%04d", i + 1);
      ids.add(id);
      String first = FIRST[random.nextInt(FIRST.length)];
      String last = LAST[random.nextInt(LAST.length)];
      Instant registered = EPOCH.minusSeconds(86_400L * (30 + random.nextInt(700)));
      put("players", id, new Player(id, first + " " + last,
          (first + "." + last + (i + 1)).toLowerCase() + "@example.com",
          COUNTRIES[random.nextInt(COUNTRIES.length)], "EUR", TIERS[random.nextInt(TIERS.length)],
          registered.toString(), random.nextBoolean()));
      // most players accepted the current terms; older accounts kept an older version
      int version = random.nextInt(10) < 7 ? 3 : 1 + random.nextInt(2);
      put("terms-accepted", id, terms.get(version - 1));
      balance[i] = 5_000 + 500L * random.nextInt(90);   // deposit: 50 .. 495 EUR
    }
    int rounds = playerCount * 5;
    int betsPerRound = 12 * playerCount / rounds;
    int betSeq = 0;
    int payoutSeq = 0;
    for (int r = 0; r < rounds; r++) {
      String[] game = GAMES[random.nextInt(GAMES.length)];
      String roundId = String.format("round-%06d", r + 1);
      Instant start = EPOCH.plusSeconds(37L * r);
      List<List<String>> reels = new ArrayList<>();
      for (int reel = 0; reel < 5; reel++) {
        reels.add(List.of(symbol(), symbol(), symbol()));
      }
      int winningLines = random.nextInt(10) < 3 ? 1 + random.nextInt(4) : 0;
      put("rounds", roundId, new Round(roundId, game[0], game[1] + "-" + (1 + random.nextInt(3)),
          game[0] + "/v" + (2 + game[0].length() % 3), start.toString(),
          start.plusSeconds(8 + random.nextInt(20)).toString(),
          hex(32), reels, winningLines));
      put("round-paytables", roundId, paytables.get(game[0]));
      for (int b = 0; b < betsPerRound; b++) {
        int p = random.nextInt(playerCount);
        long stake = 100L * (1 + random.nextInt(20));   // 1 .. 20 EUR
        if (balance[p] < stake) {
          continue;   // the cashier refuses a bet the balance does not cover
        }
        balance[p] -= stake;
        String betId = String.format("bet-%07d", ++betSeq);
        put("bets", betId, new Bet(betId, roundId, ids.get(p), stake, "EUR",
            game[1].equals("slot") ? "lines:" + (1 + random.nextInt(20)) : "spot:" + random.nextInt(37),
            random.nextInt(3) == 0 ? "mobile-app" : "web", start.plusMillis(random.nextInt(5000)).toString()));
        if (winningLines > 0 && random.nextInt(3) == 0) {
          double multiplier = new double[] {1.5, 2, 3, 5, 10, 36}[random.nextInt(6)];
          long amount = Math.round(stake * multiplier);
          balance[p] += amount;
          String payoutId = String.format("payout-%07d", ++payoutSeq);
          put("payouts", payoutId, new Payout(payoutId, betId, roundId, ids.get(p), amount,
              multiplier, start.plusSeconds(30).toString()));
        }
      }
    }
    Instant end = EPOCH.plusSeconds(37L * rounds + 60);
    for (int i = 0; i < playerCount; i++) {
      put("wallets", ids.get(i), new Wallet(ids.get(i), "EUR", balance[i], end.toString()));
    }
  }

  private void put(String collection, String key, Object value) {
    collections.get(collection).put(key, value);
  }

  private String symbol() {
    return SYMBOLS[random.nextInt(SYMBOLS.length)];
  }

  private String hex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** A paytable: the payouts per symbol and line, fixed per game and version. */
  private Map<String, Object> paytable(String game, String kind) {
    Random r = new Random(game.hashCode());   // the same document for every round of the game
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("game", game);
    doc.put("kind", kind);
    doc.put("version", "v" + (2 + game.length() % 3));
    doc.put("rtpPercent", 94 + r.nextInt(400) / 100.0);
    doc.put("currency", "EUR");
    doc.put("approvedBy", "MGA-" + (1000 + r.nextInt(9000)));
    List<Map<String, Object>> pays = new ArrayList<>();
    for (String s : SYMBOLS) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("symbol", s);
      p.put("three", 2 + r.nextInt(10));
      p.put("four", 10 + r.nextInt(40));
      p.put("five", 50 + r.nextInt(500));
      p.put("substitutes", s.equals("wild") ? List.of("cherry", "lemon", "bell", "bar", "seven") : List.of());
      pays.add(p);
    }
    doc.put("pays", pays);
    List<List<Integer>> lines = new ArrayList<>();
    for (int l = 0; l < 20; l++) {
      List<Integer> line = new ArrayList<>();
      for (int reel = 0; reel < 5; reel++) {
        line.add(r.nextInt(3));
      }
      lines.add(line);
    }
    doc.put("paylines", lines);
    doc.put("rules", "Wins pay left to right on adjacent reels starting from the leftmost reel. "
        + "Only the highest win per payline is paid. Line wins are multiplied by the stake per "
        + "line. Malfunction voids all pays and plays. Wild substitutes for all symbols except "
        + "star. The theoretical return to player is the long-term expected payback.");
    return doc;
  }

  /** Terms and conditions, version {@code v}: about 1.5 KB of text. */
  private static Map<String, Object> termsDocument(int v) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("document", "terms-and-conditions");
    doc.put("version", v);
    doc.put("effectiveFrom", EPOCH.minusSeconds(86_400L * 365 * (4 - v)).toString());
    List<String> sections = new ArrayList<>();
    String[] topics = {"Eligibility", "Accounts", "Deposits", "Withdrawals", "Bonuses",
        "Responsible gambling", "Complaints", "Data protection"};
    for (String topic : topics) {
      sections.add(topic + " (rev. " + v + "): The player agrees that " + topic.toLowerCase()
          + " are governed by these terms, that the operator may verify identity at any time, "
          + "and that stakes are final once the round has started.");
    }
    doc.put("sections", sections);
    return doc;
  }
}
