package dev.courier.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
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
 * <b>Conversations.</b> {@link #conversations()} is the chat list (each {@link Conversation} with its unread count and,
 * in a direct chat, the read receipt); {@link #markRead}, {@link #mute}, {@link #history} (to scroll back past what
 * sync delivered) and {@link #receipts} complete it. The sync loop hands changed states to
 * {@link SyncListener#onConversations}.
 * <p>
 * The other calls (accounts, groups, conversations) block. Those that only read or set a value are retried after any
 * passing failure; the others (accounts, groups) only when the server surely did not act (no connection, 503, 429). A
 * client is thread-safe; {@link #close()} stops everything it started.
 */
public final class CourierClient implements AutoCloseable {

    /** The largest page the conversation calls answer. */
    private static final int MAX_PAGE = 200;

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

    /**
     * The whole chat list, newest activity first, paged through {@code GET /v1/conversations}.
     *
     * @throws CourierException when refused
     * @throws UncheckedIOException when the gateway could not be reached
     */
    public List<Conversation> conversations() {
        List<Conversation> all = new ArrayList<>();
        String before = null;
        do {
            ConversationPage page = conversations(MAX_PAGE, before);
            all.addAll(page.conversations());
            before = page.next();
        } while (before != null);
        return List.copyOf(all);
    }

    /**
     * One page of the chat list, newest activity first.
     *
     * @param limit 1-200
     * @param before null for the first page, else the {@link ConversationPage#next()} of the page before
     * @throws CourierException {@code 400 invalid_request} for a limit out of range or a cursor not from this list
     */
    public ConversationPage conversations(int limit, @Nullable String before) {
        String query = "?limit=" + limit + (before == null ? "" : "&before=" + query(before));
        URI uri = gateway.resolve("/v1/conversations" + query);
        JsonNode body = blocking(
                        "list conversations", true, timeout -> http.send("GET", uri, auth.token(), null, timeout))
                .body();
        JsonNode next = body.path("next");
        return new ConversationPage(
                Wire.conversations(body.path("conversations")), next.isString() ? next.stringValue() : null);
    }

    /**
     * This user's state of one conversation.
     *
     * @param conversation {@code d:<a>:<b>} or {@code g:<groupId>} (see {@link Conversation#directId})
     * @throws CourierException {@code 404 not_found} when this user has no such conversation
     */
    public Conversation conversation(String conversation) {
        URI uri = gateway.resolve("/v1/conversations/" + conversationSegment(conversation));
        return Wire.conversation(
                blocking("get " + conversation, true, timeout -> http.send("GET", uri, auth.token(), null, timeout))
                        .body());
    }

    /**
     * Marks a conversation read up to {@code convSeq}, on every device of this user; in a direct conversation the
     * other user sees it as the read receipt. The read is ordered in the conversation's log, so the state changes a
     * moment later (the next sync shows it); a message that arrives meanwhile stays unread.
     *
     * @return the read position once the read is applied (never lower than before)
     * @throws CourierException {@code 400 invalid_request} when {@code convSeq} is beyond the last message,
     *         {@code 404 not_found} when this user has no such conversation
     */
    public long markRead(String conversation, long convSeq) {
        URI uri = gateway.resolve("/v1/conversations/" + conversationSegment(conversation) + "/read");
        ObjectNode body = Http.JSON.createObjectNode().put("convSeq", convSeq);
        return blocking(
                        "mark " + conversation + " read",
                        true,
                        timeout -> http.send("POST", uri, auth.token(), body, timeout))
                .body()
                .path("readSeq")
                .asLong(convSeq);
    }

    /**
     * Mutes or unmutes a conversation for this user (it still counts unread, and sends no pushes while muted).
     *
     * @return the state with the new mute; its {@code version} is the one before the change until the next sync
     */
    public Conversation mute(String conversation, boolean muted) {
        URI uri = gateway.resolve("/v1/conversations/" + conversationSegment(conversation));
        ObjectNode body = Http.JSON.createObjectNode().put("muted", muted);
        return Wire.conversation(blocking(
                        (muted ? "mute " : "unmute ") + conversation,
                        true,
                        timeout -> http.send("PATCH", uri, auth.token(), body, timeout))
                .body());
    }

    /**
     * A page of a conversation's history as stored (not trimmed like the inbox, so a new device scrolls back with
     * it): the newest {@code limit} messages this user may see with a {@code convSeq} below {@code beforeSeq}.
     *
     * @param beforeSeq null for the newest messages, else for example {@link HistoryPage#olderBeforeSeq()}
     * @param limit 1-200
     * @throws CourierException {@code 404 not_found} when this user was never part of the conversation
     */
    public HistoryPage history(String conversation, @Nullable Long beforeSeq, int limit) {
        String query = "?limit=" + limit + (beforeSeq == null ? "" : "&beforeSeq=" + beforeSeq);
        URI uri = gateway.resolve("/v1/conversations/" + conversationSegment(conversation) + "/messages" + query);
        JsonNode body = blocking(
                        "history of " + conversation,
                        true,
                        timeout -> http.send("GET", uri, auth.token(), null, timeout))
                .body();
        List<Message> messages = new ArrayList<>();
        body.path("messages").forEach(message -> messages.add(Wire.message(message)));
        return new HistoryPage(messages, body.path("hasMore").asBoolean(false));
    }

    /**
     * Who of the other members has read up to a message.
     *
     * @throws CourierException {@code 404 not_found} when this user may not see the message (or it is not stored yet)
     */
    public Receipts receipts(String messageId) {
        URI uri = gateway.resolve("/v1/messages/" + segment(messageId) + "/receipts");
        JsonNode body = blocking(
                        "receipts of " + messageId, true, timeout -> http.send("GET", uri, auth.token(), null, timeout))
                .body();
        return new Receipts(
                body.path("messageId").asString(messageId),
                body.path("conversation").asString(""),
                body.path("convSeq").asLong(0),
                strings(body.path("readBy")),
                strings(body.path("unreadBy")));
    }

    /**
     * Registers this device's push token ({@code PUT /v1/devices/current/push}), replacing an earlier one of any
     * provider: while the device holds no stream or long poll, new messages for this user reach it as pushes.
     *
     * @param provider {@code apns}, {@code fcm} or {@code webhook}
     * @param token the provider's token of this device, 1-4096 characters {@code !} to {@code ~}
     * @throws CourierException {@code 400 invalid_request} for another provider or a malformed token
     */
    public void setPushToken(String provider, String token) {
        URI uri = gateway.resolve("/v1/devices/current/push");
        ObjectNode body = Http.JSON.createObjectNode().put("provider", provider).put("token", token);
        blocking("set the push token", true, timeout -> http.send("PUT", uri, auth.token(), body, timeout));
    }

    /** Removes this device's push token, so it gets no more pushes (having none is no error; signing out also does). */
    public void clearPushToken() {
        URI uri = gateway.resolve("/v1/devices/current/push");
        blocking("clear the push token", true, timeout -> http.send("DELETE", uri, auth.token(), null, timeout));
    }

    private <T> T blocking(String what, Retries.Attempt<T> attempt) {
        return blocking(what, false, attempt);
    }

    /**
     * @param idempotent whether an attempt whose outcome is unknown may be repeated (reads, and calls that set a value
     *        rather than add one)
     */
    private <T> T blocking(String what, boolean idempotent, Retries.Attempt<T> attempt) {
        try {
            return retries.call(what, settings.sendTimeout(), idempotent, attempt);
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

    /** {@code g:<groupId>} or {@code d:<a>:<b>}; the colons may stand raw in a path. */
    private static String conversationSegment(String conversation) {
        if (!conversation.matches("g:[a-z0-9._-]{1,64}|d:[a-z0-9._-]{1,64}:[a-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(
                    "not a conversation id (g:<groupId> or d:<a>:<b>): '" + conversation + "'");
        }
        return conversation;
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(value -> strings.add(value.asString("")));
        return strings;
    }

    private static String segment(String id) {
        if (!id.matches("[A-Za-z0-9._-]{1,64}") || id.equals(".") || id.equals("..")) {
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
