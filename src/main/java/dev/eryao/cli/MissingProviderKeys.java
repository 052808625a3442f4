package dev.eryao.cli;

import dev.eryao.core.config.LlmSettings;
import dev.eryao.services.CatalogService;
import dev.eryao.services.FactoryView;
import dev.eryao.services.ModelView;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The start-up warning a newcomer needs before the first run fails: factories with active models
 * on a remote host and no {@code ERYAO_LLM__<FACTORY>__API_KEY}. Models on loopback (a local server
 * such as Ollama's, or a stand-in) need no key.
 */
final class MissingProviderKeys {
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

    private MissingProviderKeys() {}

    /** One line per factory that will need a key, naming the variable to set. */
    static List<String> warnings(CatalogService catalog, LlmSettings llm) {
        Map<UUID, String> factories =
                catalog.listFactories().stream().collect(Collectors.toMap(FactoryView::id, FactoryView::name));
        Map<String, Long> remoteModels = catalog.listActiveModels().stream()
                .filter(model -> !onLoopback(model))
                .filter(model -> factories.containsKey(model.factoryId()))
                .collect(Collectors.groupingBy(
                        model -> factories.get(model.factoryId()), java.util.TreeMap::new, Collectors.counting()));
        List<String> lines = new ArrayList<>();
        remoteModels.forEach((factory, models) -> {
            if (llm.apiKeyFor(factory).isEmpty()) {
                lines.add("warning: factory '" + factory + "' has " + models + " active model(s) and no key: set "
                        + LlmSettings.keyVariable(factory) + ", or its runs will fail");
            }
        });
        return lines;
    }

    private static boolean onLoopback(ModelView model) {
        try {
            String host = URI.create(model.requestUrl()).getHost();
            return host != null && LOOPBACK.contains(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
