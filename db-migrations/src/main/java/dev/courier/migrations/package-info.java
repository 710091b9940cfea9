/**
 * Courier's schema: Flyway migrations under {@code db/migration} and {@link dev.courier.migrations.Migrator}.
 */
package dev.courier.migrations;
