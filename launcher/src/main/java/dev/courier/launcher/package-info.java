/**
 * The first class that runs in every runnable Courier jar: a Java version check that hands over to Spring Boot.
 */
package dev.courier.launcher;
