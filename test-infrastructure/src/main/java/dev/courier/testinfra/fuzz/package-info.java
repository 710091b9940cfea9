/**
 * Fuzz cases for every public endpoint and WebSocket frame: hostile values ({@link dev.courier.testinfra.fuzz.Hostile}),
 * the cases generated from them ({@link dev.courier.testinfra.fuzz.JsonBodies},
 * {@link dev.courier.testinfra.fuzz.SocketFrames}, {@link dev.courier.testinfra.fuzz.HostileTokens}) and how each is run
 * and judged ({@link dev.courier.testinfra.fuzz.Fuzz}). Each module's tests fuzz the endpoints of its own service.
 */
package dev.courier.testinfra.fuzz;
