package dev.eryao;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The layers, checked on the compiled classes: api → services → repositories → models, with core
 * below everything; the worker beside the API over the services; migrations and the data tools
 * beside them; the MCP client beside the LLM client; nothing reaches upward. The composition root ({@code App}) and the command line
 * assemble the rest and are used by nothing but each other.
 */
class LayersTest {
    // The application's compiled classes only: scanning the classpath for the package took half a minute.
    private static final JavaClasses CLASSES =
            new ClassFileImporter().importPath(java.nio.file.Path.of("target", "classes"));

    @Test
    void noLayerReachesUpward() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Root")
                .definedBy("dev.eryao")
                .layer("Cli")
                .definedBy("dev.eryao.cli..")
                .layer("Api")
                .definedBy("dev.eryao.api..")
                .layer("Worker")
                .definedBy("dev.eryao.worker..")
                .layer("Services")
                .definedBy("dev.eryao.services..")
                .layer("Repositories")
                .definedBy("dev.eryao.repositories..")
                .layer("Models")
                .definedBy("dev.eryao.models..")
                .layer("Provider")
                .definedBy("dev.eryao.provider..")
                .layer("Mcp")
                .definedBy("dev.eryao.mcp..")
                .layer("Migrations")
                .definedBy("dev.eryao.migrations..")
                .layer("Tools")
                .definedBy("dev.eryao.tools..")
                .layer("Core")
                .definedBy("dev.eryao.core..")
                .whereLayer("Cli")
                .mayOnlyBeAccessedByLayers("Root")
                .whereLayer("Root")
                .mayOnlyBeAccessedByLayers("Cli")
                .whereLayer("Api")
                .mayOnlyBeAccessedByLayers("Root", "Cli")
                .whereLayer("Worker")
                .mayOnlyBeAccessedByLayers("Root", "Cli")
                .whereLayer("Services")
                .mayOnlyBeAccessedByLayers("Root", "Cli", "Api", "Worker")
                .whereLayer("Repositories")
                .mayOnlyBeAccessedByLayers("Root", "Services")
                .whereLayer("Models")
                .mayOnlyBeAccessedByLayers("Root", "Cli", "Services", "Repositories", "Migrations")
                .whereLayer("Provider")
                .mayOnlyBeAccessedByLayers("Root", "Cli", "Worker", "Services")
                .whereLayer("Mcp")
                .mayOnlyBeAccessedByLayers("Root", "Cli", "Services", "Worker")
                .whereLayer("Migrations")
                .mayOnlyBeAccessedByLayers("Root", "Cli", "Api")
                .whereLayer("Tools")
                .mayOnlyBeAccessedByLayers("Root", "Cli")
                .check(CLASSES);
    }
}
