package dev.eryao.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ERYAO_SERVER__CORS_ORIGINS}: the web origins whose pages may call the API from a browser,
 * a comma-separated list of exact origins written as a browser sends them in {@code Origin}
 * ({@code scheme://host[:port]}: lowercase, no path, no default port). A wildcard is refused, not
 * just discouraged: every route carries a bearer token, and a page that any site can script is
 * one that can spend the user's points. A value a browser never sends (a path, an upper-case host,
 * {@code :443} on https) is refused too, since it would never match and the mistake would only show
 * as a browser refusing the calls.
 */
final class CorsOrigins {
    static final String VARIABLE = ServerSettings.PREFIX + "CORS_ORIGINS";

    private static final String LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
    private static final Pattern ORIGIN =
            Pattern.compile("(https?)://(" + LABEL + "(?:\\." + LABEL + ")*|\\[[0-9a-f:.]+])(?::([1-9][0-9]{0,4}))?");

    private CorsOrigins() {}

    /** The origins of {@code value} (none when it is unset or blank), in order, without repeats. */
    static List<String> parse(String value) {
        List<String> origins = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return origins;
        }
        for (String entry : value.split(",", -1)) {
            String origin = entry.strip();
            String problem = problem(origin);
            if (problem != null) {
                throw refused(value, problem);
            }
            if (!origins.contains(origin)) {
                origins.add(origin);
            }
        }
        return origins;
    }

    /** Refuses a list built in code the way {@link #parse} refuses a variable. */
    static List<String> check(List<String> origins) {
        for (String origin : origins) {
            String problem = origin == null ? "an entry is missing" : problem(origin);
            if (problem != null) {
                throw refused(String.join(",", origins), problem);
            }
        }
        return List.copyOf(origins);
    }

    /** What is wrong with {@code origin}, or null when it is one. */
    private static String problem(String origin) {
        if (origin.isEmpty()) {
            return "an entry is empty (a stray comma?)";
        }
        if (origin.contains("*")) {
            return "'" + origin + "': a wildcard is not allowed, since every route carries a bearer token;"
                    + " list each origin";
        }
        Matcher matcher = ORIGIN.matcher(origin);
        if (!matcher.matches()) {
            return "'" + origin + "' is not an origin as a browser sends it: scheme://host[:port], http or https,"
                    + " lowercase, no path or trailing slash";
        }
        String port = matcher.group(3);
        if (port != null) {
            int number = Integer.parseInt(port);
            String scheme = matcher.group(1);
            if (number > 65_535) {
                return "'" + origin + "': the port is out of range (1-65535)";
            }
            if ((scheme.equals("http") && number == 80) || (scheme.equals("https") && number == 443)) {
                return "'" + origin + "': a browser sends the default port " + number + " as no port: leave it out";
            }
        }
        return null;
    }

    private static SettingsException refused(String value, String problem) {
        return new SettingsException(VARIABLE + "='" + value + "' is not accepted: " + problem);
    }
}
