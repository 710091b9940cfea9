package dev.courier.web;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.Lifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeFailureException;
import org.springframework.web.socket.server.HandshakeHandler;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/** Refused WebSocket handshakes (not an upgrade, wrong method, unsupported version) answered in problem+json. */
public final class ProblemHandshakeHandler implements HandshakeHandler, Lifecycle {

    private final DefaultHandshakeHandler delegate = new DefaultHandshakeHandler() {
        @Override
        protected void handleInvalidUpgradeHeader(ServerHttpRequest request, ServerHttpResponse response) {
            write(response, 400, "a WebSocket handshake needs Upgrade: websocket");
        }

        @Override
        protected void handleInvalidConnectHeader(ServerHttpRequest request, ServerHttpResponse response) {
            write(response, 400, "a WebSocket handshake needs Connection: Upgrade");
        }
    };

    @Override
    public boolean doHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            Map<String, Object> attributes)
            throws HandshakeFailureException {
        boolean upgraded = delegate.doHandshake(request, response, handler, attributes);
        if (!upgraded && response instanceof ServletServerHttpResponse servlet) {
            HttpServletResponse raw = servlet.getServletResponse();
            int status = response.getHeaders().containsHeader("Content-Type") ? 0 : raw.getStatus();
            if (status >= 400 && !raw.isCommitted()) {
                write(
                        response,
                        status,
                        status == 405
                                ? "a WebSocket handshake is a GET"
                                : status == 426
                                        ? "unsupported WebSocket version; use 13"
                                        : "not a valid WebSocket handshake");
            }
        }
        return upgraded;
    }

    private static void write(ServerHttpResponse response, int status, String detail) {
        response.setStatusCode(HttpStatus.valueOf(status));
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        try {
            response.getBody().write(Problems.json(Problems.codeFor(status), status, detail));
        } catch (IOException e) {
            // the client is gone
        }
    }

    @Override
    public void start() {
        delegate.start();
    }

    @Override
    public void stop() {
        delegate.stop();
    }

    @Override
    public boolean isRunning() {
        return delegate.isRunning();
    }
}
