package dev.courier.web;

import java.time.Instant;

/**
 * The user and device named by the request's bearer token. Declare it as a controller method parameter to require
 * authentication: a request without a valid token is answered {@code 401 unauthenticated} before the body is read.
 */
public record Caller(String userId, String deviceId, Instant tokenExpiresAt) {}
