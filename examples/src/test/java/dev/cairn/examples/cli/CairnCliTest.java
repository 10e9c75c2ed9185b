package dev.cairn.examples.cli;

import static dev.cairn.examples.cli.Cli.cairn;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

final class CairnCliTest {

  private static final List<String> COMMANDS = List.of("put", "get", "delete", "ls", "stats",
      "verify", "maintain", "backup", "restore", "migrate", "changes", "bench", "demo");

  @Test
  void helpListsEveryCommandAndTheExitCodes() {
    Cli.Run run = cairn("--help");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    for (String command : COMMANDS) {
      assertThat(run.out()).as(run.toString()).containsPattern("(?m)^  " + command + " ");
    }
    assertThat(run.out()).contains("Exit codes:", "--store", "--backend", "--json", "--verbose");
  }

  @Test
  void everyRegisteredCommandIsInTheExpectedListAndHasItsOwnHelp() {
    var subcommands = new CommandLine(new CairnCli()).getSubcommands().keySet();
    assertThat(subcommands).containsAll(COMMANDS).hasSize(COMMANDS.size() + 1);   // + help

    for (String command : COMMANDS) {
      Cli.Run run = cairn(command, "--help");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.out()).as(run.toString()).startsWith("Usage: cairn " + command);
    }
  }

  @Test
  void versionNamesTheProjectVersion() {
    Cli.Run run = cairn("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("cairn ").doesNotContain("${");
  }

  @Test
  void noCommandPrintsUsageAndExitsWithTwo() {
    Cli.Run run = cairn();

    assertThat(run.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(run.err()).contains("Usage: cairn");
  }

  @Test
  void anUnknownOptionIsOneLineWithExitCodeTwo() {
    Cli.Run run = cairn("ls", "--frobnicate");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(CairnCli.USAGE);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).contains("--frobnicate").contains("cairn ls --help");
  }

  @Test
  void aMisspelledCommandSuggestsTheRightOne() {
    Cli.Run run = cairn("verfy");

    assertThat(run.exitCode()).isEqualTo(CairnCli.USAGE);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).contains("verify");
  }
}
