package dev.courier.launcher.layout;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.boot.loader.tools.CustomLoaderLayout;
import org.springframework.boot.loader.tools.Layouts;
import org.springframework.boot.loader.tools.LoaderClassesWriter;

/**
 * Spring Boot's executable JAR layout (the same {@code BOOT-INF/classes}, {@code BOOT-INF/lib}, loader classes and
 * {@code Start-Class}), with one change: {@code Main-Class} is {@code dev.courier.launcher.JavaVersionCheck},
 * written at the root of the jar beside the loader classes, which checks the Java version and then runs Spring
 * Boot's {@code JarLauncher}.
 */
final class VersionCheckedJarLayout extends Layouts.Jar implements CustomLoaderLayout {

    // by name, not as a class literal: the check is a resource to copy here, not code this class calls
    static final String CHECK_CLASS = "dev.courier.launcher.JavaVersionCheck";

    static final String CHECK_ENTRY = CHECK_CLASS.replace('.', '/') + ".class";

    @Override
    public String getLauncherClassName() {
        return CHECK_CLASS;
    }

    @Override
    public void writeLoadedClasses(LoaderClassesWriter writer) throws IOException {
        writer.writeLoaderClasses();
        try (InputStream check = VersionCheckedJarLayout.class.getClassLoader().getResourceAsStream(CHECK_ENTRY)) {
            if (check == null) {
                throw new IOException(CHECK_ENTRY + " is missing from the launcher module");
            }
            writer.writeEntry(CHECK_ENTRY, check);
        }
    }
}
