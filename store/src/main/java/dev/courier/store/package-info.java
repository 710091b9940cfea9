/**
 * The store: one owner for each shared question of the schema (DESIGN.md, "Where each thing lives"). Services that
 * need accounts, devices, groups and their members, or stored messages ask these repositories, never write the SQL
 * themselves. Portable SQL: MySQL 8.4 and MariaDB 11.
 */
@NullMarked
package dev.courier.store;

import org.jspecify.annotations.NullMarked;
