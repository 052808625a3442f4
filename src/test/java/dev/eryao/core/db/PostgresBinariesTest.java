package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * "A JDK is all a machine needs" holds on the platforms people run the server on: the class path
 * carries the embedded PostgreSQL for each (the archive names the embedded server looks up), all
 * of one version. Test-scoped jars are not among them, so these are the jars {@code target/lib}
 * gets for the built jar too.
 */
class PostgresBinariesTest {
    /** The embedded server's names for each platform: postgres-(system)-(architecture).txz. */
    private static final List<String> PLATFORMS =
            List.of("linux-x86_64", "linux-arm_64", "darwin-x86_64", "darwin-arm_64", "windows-x86_64");

    private static final Pattern JAR_VERSION = Pattern.compile("-(\\d+(?:\\.\\d+)+)\\.jar!/");

    @Test
    void everyPlatformHasItsPostgresqlOfOneVersion() {
        Map<String, String> versions = new LinkedHashMap<>();
        for (String platform : PLATFORMS) {
            URL archive = getClass().getClassLoader().getResource("postgres-" + platform + ".txz");
            assertThat(archive)
                    .as("PostgreSQL for %s on the class path", platform)
                    .isNotNull();
            Matcher version = JAR_VERSION.matcher(archive.toString());
            assertThat(version.find())
                    .as("a versioned jar holds %s: %s", platform, archive)
                    .isTrue();
            versions.put(platform, version.group(1));
        }
        assertThat(versions.values()).as("%s", versions).containsOnly(versions.get("linux-x86_64"));
    }
}
