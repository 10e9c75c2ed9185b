package dev.cairn.codec.zstd;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Realistic ~1 KiB JSON records: casino ledger bets. Deterministic for a given Random. */
final class LedgerJson {

  private static final String[] GAMES = {
    "Book of Dead", "Starburst", "Lightning Roulette", "Blackjack VIP", "Gonzo's Quest",
    "Sweet Bonanza", "Crazy Time", "Mega Moolah", "Baccarat Squeeze", "Dead or Alive 2"
  };
  private static final String[] PROVIDERS = {
    "Play'n GO", "NetEnt", "Evolution", "Pragmatic Play", "Microgaming"
  };
  private static final String[] CURRENCIES = {"EUR", "GBP", "SEK", "CAD", "NOK"};
  private static final String[] COUNTRIES = {"MT", "SE", "GB", "DE", "CA", "FI"};
  private static final String[] DEVICES = {"ios", "android", "desktop-web", "mobile-web"};

  private LedgerJson() {}

  static byte[] record(Random random) {
    int game = random.nextInt(GAMES.length);
    long bet = 1_000_000_000L + random.nextInt(900_000_000);
    String player = "p-" + (100_000 + random.nextInt(900_000));
    String currency = CURRENCIES[random.nextInt(CURRENCIES.length)];
    long stakeCents = 10 + random.nextInt(50_000);
    long winCents = random.nextInt(4) == 0 ? stakeCents * (1 + random.nextInt(20)) : 0;
    long balance = 10_000 + random.nextInt(5_000_000);
    StringBuilder sb = new StringBuilder(1200);
    sb.append("{\"type\":\"bet.settled\",\"schemaVersion\":3,\"betId\":\"").append(bet)
        .append("\",\"roundId\":\"r-").append(bet + 17)
        .append("\",\"player\":{\"id\":\"").append(player)
        .append("\",\"segment\":\"").append(random.nextBoolean() ? "vip" : "regular")
        .append("\",\"country\":\"").append(COUNTRIES[random.nextInt(COUNTRIES.length)])
        .append("\",\"kycLevel\":").append(1 + random.nextInt(3))
        .append("},\"session\":{\"id\":\"s-").append(900_000 + random.nextInt(5_000))
        .append("\",\"device\":\"").append(DEVICES[random.nextInt(DEVICES.length)])
        .append("\",\"ip\":\"").append(10 + random.nextInt(200)).append('.')
        .append(random.nextInt(256)).append('.').append(random.nextInt(256)).append('.')
        .append(random.nextInt(256))
        .append("\"},\"game\":{\"id\":\"g-").append(1000 + game)
        .append("\",\"name\":\"").append(GAMES[game])
        .append("\",\"provider\":\"").append(PROVIDERS[game % PROVIDERS.length])
        .append("\",\"category\":\"").append(game % 3 == 0 ? "live-casino" : "slots")
        .append("\",\"rtp\":").append(94 + random.nextInt(4)).append('.').append(random.nextInt(100))
        .append("},\"amounts\":{\"currency\":\"").append(currency)
        .append("\",\"stake\":").append(money(stakeCents))
        .append(",\"win\":").append(money(winCents))
        .append(",\"bonusStake\":").append(money(random.nextInt(3) == 0 ? stakeCents / 2 : 0))
        .append(",\"jackpotContribution\":").append(money(stakeCents / 100))
        .append("},\"balance\":{\"before\":").append(money(balance))
        .append(",\"after\":").append(money(balance - stakeCents + winCents))
        .append("},\"timestamps\":{\"placed\":\"").append(timestamp(random))
        .append("\",\"settled\":\"").append(timestamp(random))
        .append("\"},\"ledger\":[{\"account\":\"player:").append(player)
        .append(":cash\",\"side\":\"debit\",\"amount\":").append(money(stakeCents))
        .append("},{\"account\":\"house:").append(currency.toLowerCase())
        .append(":gaming\",\"side\":\"credit\",\"amount\":").append(money(stakeCents))
        .append("}],\"limits\":{\"maxStake\":500.00,\"dailyLoss\":1000.00,\"sessionMinutes\":120}")
        .append(",\"meta\":{\"ruleset\":\"standard-2025\",\"walletVersion\":\"4.12.1\",")
        .append("\"source\":\"game-aggregator\",\"region\":\"eu-west-1\"},\"flags\":{\"responsibleGamingCheck\":").append(random.nextBoolean())
        .append(",\"bonusWagering\":").append(random.nextBoolean())
        .append(",\"manualReview\":false},\"traceId\":\"").append(uuid(random))
        .append("\"}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static List<byte[]> records(Random random, int count) {
    List<byte[]> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      records.add(record(random));
    }
    return records;
  }

  /** About {@code size} bytes of newline-separated records. */
  static byte[] block(Random random, int size) {
    StringBuilder sb = new StringBuilder(size + 2048);
    while (sb.length() < size) {
      sb.append(new String(record(random), StandardCharsets.UTF_8)).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String money(long cents) {
    return (cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + (cents % 100);
  }

  private static String timestamp(Random random) {
    return String.format(
        "2026-%02d-%02dT%02d:%02d:%02d.%03dZ",
        1 + random.nextInt(12), 1 + random.nextInt(28), random.nextInt(24), random.nextInt(60),
        random.nextInt(60), random.nextInt(1000));
  }

  private static String uuid(Random random) {
    return new java.util.UUID(random.nextLong(), random.nextLong()).toString();
  }
}
