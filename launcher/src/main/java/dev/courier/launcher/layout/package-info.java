/**
 * The jar layout that the spring-boot-maven-plugin uses for every runnable Courier jar.
 */
package dev.courier.launcher.layout;
