package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.services.CatalogService;
import dev.eryao.services.ModelDraft;
import dev.eryao.support.TestDatabase;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MissingProviderKeysTest {
    private final CatalogService catalog = TestDatabase.get().app().catalog();

    private String factoryWithModelAt(String url) {
        String name = "keys-" + UUID.randomUUID().toString().substring(0, 8);
        UUID factory = catalog.createFactory(name).id();
        catalog.createModel(new ModelDraft(factory, "m", "M", url, BigDecimal.ONE, BigDecimal.ONE, 1000, true));
        return name;
    }

    @Test
    void aRemoteFactoryWithoutAKeyIsNamedWithTheVariableToSetAndALocalOneIsNot() {
        String remote = factoryWithModelAt("https://api.provider.example/v1/chat/completions");
        String local = factoryWithModelAt("http://127.0.0.1:11434/v1/chat/completions");
        String variable = "ERYAO_LLM__" + LlmSettings.variablePart(remote) + "__API_KEY";

        assertThat(MissingProviderKeys.warnings(catalog, new LlmSettings(Duration.ofSeconds(5), 10, Map.of())))
                .anySatisfy(line -> assertThat(line).contains("'" + remote + "'", variable))
                .noneSatisfy(line -> assertThat(line).contains(local));
        assertThat(MissingProviderKeys.warnings(
                        catalog,
                        new LlmSettings(
                                Duration.ofSeconds(5), 10, Map.of(LlmSettings.variablePart(remote), Secret.of("k")))))
                .noneSatisfy(line -> assertThat(line).contains(remote));
    }
}
