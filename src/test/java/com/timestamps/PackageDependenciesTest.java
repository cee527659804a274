package com.timestamps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages form no cycle: {@code domain} depends on none of the others, {@code application}
 * on {@code domain} only (its ports, such as the record store and the write metrics, are
 * domain interfaces), {@code infrastructure} implements those ports and never sees
 * {@code application}. Checked on the sources: any mention of a forbidden package in a file
 * (an import, a qualified name, a javadoc link) fails the test.
 */
class PackageDependenciesTest {

    private static final Path SOURCES =
            Path.of(System.getProperty("basedir", "."), "src", "main", "java", "com", "timestamps");

    @Test
    void infrastructureDoesNotDependOnApplication() throws IOException {
        assertNoReferences("infrastructure", "com.timestamps.application", "com.timestamps.interfaces");
    }

    @Test
    void applicationDoesNotDependOnInfrastructureOrInterfaces() throws IOException {
        assertNoReferences("application", "com.timestamps.infrastructure", "com.timestamps.interfaces");
    }

    @Test
    void domainDependsOnNoOtherPackage() throws IOException {
        assertNoReferences("domain", "com.timestamps.application", "com.timestamps.infrastructure",
                "com.timestamps.interfaces");
    }

    private static void assertNoReferences(String layer, String... forbidden) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES.resolve(layer))) {
            files = walk.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no sources found under " + SOURCES.resolve(layer));
        List<String> violations = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                for (String target : forbidden) {
                    if (Pattern.compile("\\b" + Pattern.quote(target) + "\\b").matcher(lines.get(i)).find()) {
                        violations.add(SOURCES.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        assertEquals(List.of(), violations, layer + " must not refer to " + String.join(" or ", forbidden));
    }
}
