package dev.courier.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends messages: over the gateway WebSocket when it is connected (many sends in flight, each {@code ack} or
 * {@code error} matched by its {@code clientMsgId}), otherwise by {@code POST /v1/messages}. Every attempt of one send
 * carries the same {@code clientMsgId}, which the server uses to accept it once, so a retry cannot duplicate it. A
 * reply carries {@code replyTo} in both forms.
 */
final class Sender implements Link.Handler {

    private final Http http;

    private final Auth auth;

    private final Retries retries;

    private final ClientSettings settings;

    private final URI messages;

    private final @Nullable Link link;

    private final Executor executor;

    private final Map<String, CompletableFuture<JsonNode>> awaiting = new ConcurrentHashMap<>();

    /**
     * @param linkFactory makes the gateway WebSocket (started on the first send), or null to send by REST only
     */
    Sender(
            Http http,
            Auth auth,
            Retries retries,
            ClientSettings settings,
            URI gateway,
            Executor executor,
            @Nullable Function<Link.Handler, Link> linkFactory) {
        this.http = http;
        this.auth = auth;
        this.retries = retries;
        this.settings = settings;
        this.messages = gateway.resolve("/v1/messages");
        this.executor = executor;
        this.link = linkFactory == null ? null : linkFactory.apply(this);
    }

    boolean overSocket() {
        return link != null && link.isUp();
    }

    void close() {
        if (link != null) {
            link.close();
        }
    }

    /** @param replyTo the message id it replies to, or null */
    CompletableFuture<String> send(String clientMsgId, String to, Content content, @Nullable String replyTo) {
        ObjectNode body = Http.JSON
                .createObjectNode()
                .put("clientMsgId", clientMsgId)
                .put("to", to)
                .put("kind", content.kind());
        body.set("content", Wire.content(content));
        Retries.Attempt<String> attempt = timeout -> attempt(clientMsgId, body, timeout);
        if (replyTo != null) {
            body.put("replyTo", replyTo);
            // a reply to a message accepted a moment ago is refused (naming replyTo) until that message is stored
            attempt = Retries.untilStored(
                    settings.targetWait(),
                    refused -> refused.status() == 400 && refused.detail().startsWith("replyTo:"),
                    attempt);
        }
        if (link != null) {
            link.start();
        }
        Retries.Attempt<String> attempts = attempt;
        CompletableFuture<String> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(retries.call("send " + clientMsgId, settings.sendTimeout(), true, attempts));
            } catch (InterruptedException e) {
                result.completeExceptionally(new CancellationException("the client was closed"));
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private String attempt(String clientMsgId, ObjectNode body, Duration timeout)
            throws IOException, InterruptedException {
        if (link != null && link.isUp()) {
            return overSocket(link, clientMsgId, body, timeout);
        }
        Http.Response response = http.send("POST", messages, auth.token(), body, timeout);
        return response.body().path("messageId").asString();
    }

    private String overSocket(Link link, String clientMsgId, ObjectNode body, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        awaiting.put(clientMsgId, answer);
        try {
            ObjectNode frame = Http.JSON.createObjectNode().put("type", "send");
            frame.setAll(body);
            link.send(frame.toString()).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            JsonNode reply = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if ("ack".equals(reply.path("type").asString(""))) {
                return reply.path("messageId").asString();
            }
            throw Http.failure(reply.path("status").asInt(500), reply, null, null);
        } catch (TimeoutException e) {
            // the server acks within its own send timeout (5 s by default) or answers 503: a full first-response
            // timeout of silence means a link that is dead without knowing it; dropping it sends this retry, and the
            // other sends waiting on it, by REST until a new connection is open
            if (timeout.compareTo(settings.firstResponseTimeout()) >= 0) {
                link.drop("no ack for " + clientMsgId + " within " + Retries.human(timeout));
            }
            throw new HttpTimeoutException("no ack for " + clientMsgId + " within " + Retries.human(timeout));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            awaiting.remove(clientMsgId, answer);
        }
    }

    @Override
    public void onFrame(JsonNode frame) {
        String type = frame.path("type").asString("");
        if ((type.equals("ack") || type.equals("error"))
                && frame.path("clientMsgId").isString()) {
            CompletableFuture<JsonNode> answer =
                    awaiting.get(frame.path("clientMsgId").stringValue());
            if (answer != null) {
                answer.complete(frame);
            }
        }
    }

    @Override
    public void onUp() {}

    @Override
    public void onDown() {
        // the answers will never come on this connection: let those sends retry now
        IOException lost = new IOException("gateway link lost");
        awaiting.values().forEach(answer -> answer.completeExceptionally(lost));
    }
}
