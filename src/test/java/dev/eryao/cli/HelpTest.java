package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.config.Environment;
import dev.eryao.support.Cli;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command explains itself with --help, and a wrong command line says where to look. */
class HelpTest {
    @Test
    void everyCommandAnswersHelpWithItsUsageAndExitsZero() {
        CommandLine root = new CommandLine(new Main(Environment.of(Map.of())));
        assertThat(root.getSubcommands()).hasSizeGreaterThan(10);
        for (String command : root.getSubcommands().keySet()) {
            if (command.equals("help")) {
                continue;
            }
            Cli.Result help = Cli.eryao(Map.of(), command, "--help");

            assertThat(help.status()).as(command + " --help: " + help).isZero();
            assertThat(help.out()).as(command).contains("Usage: eryao " + command);
        }
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithoutGuesses() {
        Cli.Result wrong = Cli.eryao(Map.of(), "frobnicate");

        assertThat(wrong.status()).isEqualTo(Main.USAGE);
        assertThat(wrong.err()).contains("frobnicate", "bin/eryao --help").doesNotContain("Did you mean");
    }

    @Test
    void theCommandListShowsEachDescriptionWhole() {
        Cli.Result help = Cli.eryao(Map.of(), "--help");

        assertThat(help.out().replaceAll("\\s+", " ")).contains("base forgets every revision.", "For CI.");
    }
}
