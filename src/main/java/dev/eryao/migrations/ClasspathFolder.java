package dev.eryao.migrations;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/** Lists and reads the files of a classpath folder, on disk (tests, IDE) or inside the application jar. */
final class ClasspathFolder {
    private ClasspathFolder() {}

    static String read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** File names directly in a classpath folder, whether it lies on disk or in a jar. */
    static TreeSet<String> list(ClassLoader loader, String folder) {
        TreeSet<String> names = new TreeSet<>();
        try {
            Enumeration<URL> urls = loader.getResources(folder);
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                if ("jar".equals(url.getProtocol())) {
                    JarURLConnection connection = (JarURLConnection) url.openConnection();
                    connection.setUseCaches(false);
                    try (JarFile jar = connection.getJarFile()) {
                        String prefix = folder + "/";
                        jar.stream()
                                .map(JarEntry::getName)
                                .filter(name -> name.startsWith(prefix) && name.length() > prefix.length())
                                .map(name -> name.substring(prefix.length()))
                                .filter(name -> !name.contains("/"))
                                .forEach(names::add);
                    }
                } else {
                    try (var files = Files.list(Path.of(url.toURI()))) {
                        files.filter(Files::isRegularFile)
                                .forEach(file -> names.add(file.getFileName().toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot list " + folder, e);
        }
        return names;
    }
}
