package dev.courier.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Courier client for one user on one device, built for bad networks.
 * <p>
 * <b>Sending.</b> {@link #send(String, String)} returns at once; its future completes with the message id once the
 * gateway accepted the message (it is then durably in the log). Each send has a {@code clientMsgId}, created here
 * unless given, and every retry repeats it, so the message is accepted and delivered once however often it is retried.
 * Sends go over the gateway WebSocket (the long link, opened on the first send, many sends in flight) while it is
 * connected, and by {@code POST /v1/messages} (the short link) while it is not. An attempt is retried after a
 * timeout, a lost connection, {@code 503} or {@code 429} (never before its {@code Retry-After}), with capped
 * exponential back-off and jitter, until {@link ClientSettings#sendTimeout()} runs out; a refusal for good fails the
 * future with a {@link CourierException}. Sends in flight together may be accepted in any order (a retried one lands
 * after those that went through at once); where order matters, as in a chat, wait for each future before the next
 * send.
 * <p>
 * <b>Receiving.</b> {@link #startSync} starts a loop that keeps the sync key in a {@link SyncKeyStore} and hands new
 * messages to a {@link SyncListener}, in order and once (see there), over the stream WebSocket with long polling as
 * the fallback.
 * <p>
 * <b>Authentication.</b> The client logs in with its {@link Credentials} when it needs a token, and again whenever the
 * server refuses the token (401, or a WebSocket closed with 1008).
 * <p>
 * The other calls (accounts, groups) block, and are retried only when the server surely did not act (no connection,
 * 503, 429). A client is thread-safe; {@link #close()} stops everything it started.
 */
public final class CourierClient implements AutoCloseable {

    private final URI gateway;

    private final ClientSettings settings;

    private final HttpClient httpClient;

    private final Http http;

    private final Auth auth;

    private final Retries retries;

    private final RandomGenerator random = new Random();

    private final ScheduledExecutorService scheduler;

    private final ExecutorService sends;

    private final Sender sender;

    private final URI syncBase;

    private final URI streamUri;

    private final List<SyncLoop> loops = new CopyOnWriteArrayList<>();

    private CourierClient(Builder builder) {
        this.gateway = base(builder.gateway);
        this.syncBase = base(builder.sync);
        this.settings = builder.settings;
        this.httpClient = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.http = new Http(httpClient);
        this.auth = new Auth(
                http,
                gateway,
                builder.credentials,
                builder.token,
                builder.onToken,
                settings.firstResponseTimeout(),
                Clock.systemUTC());
        this.retries = new Retries(settings, auth, random);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("courier-client-timer").daemon().factory());
        this.sends = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("courier-send-", 0).factory());
        this.streamUri = webSocket(syncBase, "/v1/stream");
        URI gatewaySocket = webSocket(gateway, "/v1/ws");
        this.sender = new Sender(
                http,
                auth,
                retries,
                settings,
                gateway,
                sends,
                settings.gatewaySocket()
                        ? handler -> new Link(
                                "gateway", gatewaySocket, httpClient, auth, settings, scheduler, random, handler)
                        : null);
    }

    /**
     * A builder for a client of the gateway at {@code gateway} and the sync-api at {@code sync}, for example
     * {@code http://127.0.0.1:8080} and {@code http://127.0.0.1:8081}.
     */
    public static Builder builder(URI gateway, URI sync) {
        return new Builder(gateway, sync);
    }

    /** A fresh client message id: random, 36 characters. */
    public static String newClientMsgId() {
        return UUID.randomUUID().toString();
    }

    /**
     * Sends a text message.
     *
     * @param to {@code u:<userId>} or {@code g:<groupId>}
     * @return the message id once the gateway accepted it; fails with {@link CourierException} when the gateway
     *         refused it, or {@link TimeoutException} when it was not accepted within the send timeout
     */
    public CompletableFuture<String> send(String to, String text) {
        return send(newClientMsgId(), to, Content.text(text));
    }

    /** Sends a message of any kind (see {@link #send(String, String)}). */
    public CompletableFuture<String> send(String to, Content content) {
        return send(newClientMsgId(), to, content);
    }

    /**
     * Sends a message with the given client message id: sending again with the same id (for example after the
     * future timed out, or from a new process) delivers the message once.
     *
     * @param clientMsgId 1-64 printable ASCII characters without spaces
     */
    public CompletableFuture<String> send(String clientMsgId, String to, Content content) {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(content, "content");
        if (!clientMsgId.matches("[\\x21-\\x7E]{1,64}")) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "clientMsgId: must be 1-64 printable ASCII characters without spaces"));
        }
        return sender.send(clientMsgId, to, content);
    }

    /**
     * Starts a sync loop: it continues from the key in {@code store} (or starts afresh without one) and hands what
     * arrives to {@code listener} until the subscription or the client is closed.
     *
     * @throws UncheckedIOException when the store cannot be read
     */
    public SyncSubscription startSync(SyncKeyStore store, SyncListener listener) {
        SyncLoop loop = new SyncLoop(
                http,
                auth,
                settings,
                syncBase,
                store,
                listener,
                random,
                handler -> new Link("stream", streamUri, httpClient, auth, settings, scheduler, random, handler));
        loops.add(loop);
        loop.start();
        return loop;
    }

    /**
     * Creates an account ({@code POST /v1/accounts}); it does not log in.
     *
     * @throws CourierException when refused, for example {@code 409 conflict} when the user id is taken
     * @throws UncheckedIOException when the gateway could not be reached
     */
    public void createAccount(String userId, String password, String displayName) {
        ObjectNode body = Http.JSON
                .createObjectNode()
                .put("userId", userId)
                .put("password", password)
                .put("displayName", displayName);
        blocking(
                "create account " + userId,
                timeout -> http.send("POST", gateway.resolve("/v1/accounts"), null, body, timeout));
    }

    /**
     * Logs in now with the client's credentials (otherwise the client logs in when it first needs a token).
     *
     * @throws CourierException {@code 401 unauthenticated} when the credentials were refused
     * @throws UncheckedIOException when the gateway could not be reached
     */
    public AccessToken login() {
        return blocking("log in", timeout -> auth.login());
    }

    /**
     * Creates a group owned by this user ({@code POST /v1/groups}).
     *
     * @param groupId the id, or null for one made up by the server
     * @param members the other members
     */
    public Group createGroup(@Nullable String groupId, String name, List<String> members) {
        ObjectNode body = Http.JSON.createObjectNode().put("name", name);
        if (groupId != null) {
            body.put("groupId", groupId);
        }
        body.set("members", Http.JSON.valueToTree(List.copyOf(members)));
        JsonNode group = blocking(
                        "create group",
                        timeout -> http.send("POST", gateway.resolve("/v1/groups"), auth.token(), body, timeout))
                .body();
        List<String> all = new ArrayList<>();
        group.path("members").forEach(member -> all.add(member.asString()));
        return new Group(
                group.path("groupId").asString(),
                group.path("name").asString(),
                group.path("owner").asString(),
                all);
    }

    /** Adds members to a group this user owns ({@code POST /v1/groups/{groupId}/members}). */
    public void addMembers(String groupId, List<String> userIds) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.set("userIds", Http.JSON.valueToTree(List.copyOf(userIds)));
        URI uri = gateway.resolve("/v1/groups/" + segment(groupId) + "/members");
        blocking("add members to " + groupId, timeout -> http.send("POST", uri, auth.token(), body, timeout));
    }

    /** Removes a member (the owner may remove anyone but itself; a member may remove itself). */
    public void removeMember(String groupId, String userId) {
        URI uri = gateway.resolve("/v1/groups/" + segment(groupId) + "/members/" + segment(userId));
        blocking(
                "remove " + userId + " from " + groupId,
                timeout -> http.send("DELETE", uri, auth.token(), null, timeout));
    }

    private <T> T blocking(String what, Retries.Attempt<T> attempt) {
        try {
            return retries.call(what, settings.sendTimeout(), false, attempt);
        } catch (IOException e) {
            throw new UncheckedIOException(what + " failed: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new UncheckedIOException(e.getMessage(), new IOException(e.getMessage(), e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException(what + " interrupted"));
        }
    }

    /** Stops the sync loops and the long links; sends still in progress fail with a cancellation. */
    @Override
    public void close() {
        loops.forEach(SyncLoop::close);
        sender.close();
        sends.shutdownNow();
        scheduler.shutdownNow();
        httpClient.shutdownNow();
    }

    private static URI base(URI uri) {
        String text = uri.toString();
        return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }

    private static URI webSocket(URI base, String path) {
        String scheme = "https".equalsIgnoreCase(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + base.toString().substring(base.getScheme().length()))
                .resolve(path);
    }

    private static String segment(String id) {
        if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("not a valid id: '" + id + "'");
        }
        return id;
    }

    /** Configures a {@link CourierClient}. */
    public static final class Builder {

        private final URI gateway;

        private final URI sync;

        private @Nullable Credentials credentials;

        private @Nullable AccessToken token;

        private Consumer<AccessToken> onToken = token -> {};

        private ClientSettings settings = ClientSettings.defaults();

        private Builder(URI gateway, URI sync) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            this.sync = Objects.requireNonNull(sync, "sync");
        }

        /** What to log in with, now and whenever the token is refused or about to expire. */
        public Builder credentials(Credentials credentials) {
            this.credentials = credentials;
            return this;
        }

        /** A token to start with (for example one kept from an earlier run). */
        public Builder token(@Nullable AccessToken token) {
            this.token = token;
            return this;
        }

        /** Called with every new token, for example to keep it for the next run. */
        public Builder onToken(Consumer<AccessToken> onToken) {
            this.onToken = Objects.requireNonNull(onToken, "onToken");
            return this;
        }

        public Builder settings(ClientSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The client; without credentials or a token it can only create accounts. */
        public CourierClient build() {
            return new CourierClient(this);
        }
    }
}
