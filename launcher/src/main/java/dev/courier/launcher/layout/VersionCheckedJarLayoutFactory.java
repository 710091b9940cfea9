package dev.courier.launcher.layout;

import java.io.File;

import org.springframework.boot.loader.tools.Layout;
import org.springframework.boot.loader.tools.LayoutFactory;

/**
 * Gives the spring-boot-maven-plugin's {@code repackage} goal the {@link VersionCheckedJarLayout}; named in the
 * parent POM as {@code <layoutFactory implementation="...">}, with this module as a dependency of the plugin.
 */
public final class VersionCheckedJarLayoutFactory implements LayoutFactory {

    @Override
    public Layout getLayout(File source) {
        return new VersionCheckedJarLayout();
    }
}
