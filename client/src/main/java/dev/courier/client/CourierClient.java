package dev.courier.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * <b>Message lifecycle.</b> A send may reply to an earlier message ({@link #send(String, String, Content, String)},
 * {@link #reply}); {@link #recall}, {@link #edit}, {@link #deleteForMe}, {@link #react} and {@link #unreact} change a
 * message. Each change reaches the sync listeners of everyone who saw the message as a lifecycle entry (a
 * {@link Message} whose {@link Message#isChange()}), which {@link Message#apply(Message)} applies to the message held.
 * <p>
 * <b>Groups.</b> {@link #createGroup}, {@link #addMembers} and {@link #removeMember} manage members;
 * {@link #listGroups} and {@link #group} read; {@link #updateGroup} (name, announcement, group mute),
 * {@link #addAdmin}, {@link #removeAdmin}, {@link #transferOwnership}, {@link #muteMember}, {@link #unmuteMember} and
 * {@link #dissolveGroup} administer, and {@link #block}, {@link #unblock} and {@link #listBlocks} keep a user's direct
 * messages out. Each administration and block call answers once its change is decided in the log, or
 * {@link ChangeOutcome#pending()} when the server could not tell in time; a refusal is a {@link CourierException}.
 * Every change to a group reaches its members as a system message ({@link Content.SystemEvent}) and the changed group
 * reaches {@link SyncListener#onGroups}.
 * <p>
 * The other calls (accounts, groups, conversations, message changes) block. Those that only read or set a value
 * (conversations, message changes, the group and block calls that set a state) are retried after any passing failure;
 * the others (accounts, creating a group, adding and removing members, transferring, dissolving) only when the server
 * surely did not act (no connection, 503, 429). A client is thread-safe; {@link #close()} stops everything it started.
 */
public final class CourierClient implements AutoCloseable {

    /** The largest page the conversation calls answer. */
    private static final int MAX_PAGE = 200;

    /**
     * How long the gateway waits by default for a group or block change to be decided before it answers 202
     * ({@code courier.gateway.change-timeout}).
     */
    private static final Duration SERVER_CHANGE_TIMEOUT = Duration.ofSeconds(5);

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
        return send(clientMsgId, to, content, null);
    }

    /**
     * Sends a message that replies to an earlier one, with the guarantees of {@link #send(String, String, Content)}:
     * its recipients see {@link Message#replyTo()}.
     *
     * @param replyTo the message id of a message of the same conversation that this user may see, or null for none; a
     *        message accepted a moment ago is waited for ({@link ClientSettings#targetWait()}) until it is stored
     * @return the message id once accepted; fails with {@link CourierException} {@code 400 invalid_request} (detail
     *         {@code replyTo: ...}) when there is no such message to reply to
     */
    public CompletableFuture<String> send(String clientMsgId, String to, Content content, @Nullable String replyTo) {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(content, "content");
        if (!clientMsgId.matches("[\\x21-\\x7E]{1,64}")) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "clientMsgId: must be 1-64 printable ASCII characters without spaces"));
        }
        if (content instanceof Content.Change || content instanceof Content.Recalled) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "content: a " + content.kind() + " is not sent; recall, edit, deleteForMe and react make changes"));
        }
        if (content instanceof Content.SystemEvent) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("content: system messages are not sent; the group calls make them"));
        }
        return sender.send(clientMsgId, to, content, replyTo);
    }

    /**
     * Sends a text that replies to the message {@code replyTo} (see {@link #send(String, String, Content, String)}).
     *
     * @param to {@code u:<userId>} or {@code g:<groupId>}: the conversation of {@code replyTo}
     */
    public CompletableFuture<String> reply(String to, String replyTo, String text) {
        return send(newClientMsgId(), to, Content.text(text), Objects.requireNonNull(replyTo, "replyTo"));
    }

    /**
     * Recalls a message this user sent, for everyone who saw it: they receive a {@link Content.Recall} entry, and the
     * message shows {@link Content.Recalled} content wherever it is read. Recalling it again changes nothing.
     *
     * @return when it was recalled (the first recall's time once that is applied)
     * @throws CourierException {@code 403 forbidden} for another user's message, {@code 409 conflict} when the
     *         server's recall window (2 minutes by default) has passed, {@code 404 not_found} when this user may not
     *         see the message (after waiting {@link ClientSettings#targetWait()} for one accepted a moment ago)
     */
    public Instant recall(String messageId) {
        URI uri = gateway.resolve("/v1/messages/" + segment(messageId) + "/recall");
        return instant(
                aboutMessage("recall " + messageId, timeout -> http.send("POST", uri, auth.token(), null, timeout))
                        .path("recalledAt"));
    }

    /**
     * Replaces the text of a text message this user sent, for everyone who saw it: they receive a
     * {@link Content.Edit} entry, and the message shows the new text and {@link Message#editedAt()} wherever it is
     * read.
     *
     * @return when it was edited
     * @throws CourierException {@code 403 forbidden} for another user's message, {@code 400 invalid_request} for a
     *         message that is not text or a text out of bounds ({@code 413 payload_too_large} when too long),
     *         {@code 409 conflict} for a recalled message or when the server's edit window (24 hours by default) has
     *         passed, {@code 404 not_found} as for {@link #recall}
     */
    public Instant edit(String messageId, String text) {
        URI uri = gateway.resolve("/v1/messages/" + segment(messageId));
        ObjectNode body = Http.JSON.createObjectNode().put("content", Objects.requireNonNull(text, "text"));
        return instant(
                aboutMessage("edit " + messageId, timeout -> http.send("PATCH", uri, auth.token(), body, timeout))
                        .path("editedAt"));
    }

    /**
     * Deletes a message for this user only: it is hidden from this user's history, first syncs and unread counts on
     * all of this user's devices, which receive a {@link Content.Delete} entry; the others keep it.
     *
     * @throws CourierException {@code 404 not_found} as for {@link #recall}
     */
    public void deleteForMe(String messageId) {
        URI uri = gateway.resolve("/v1/messages/" + segment(messageId));
        aboutMessage("delete " + messageId, timeout -> http.send("DELETE", uri, auth.token(), null, timeout));
    }

    /**
     * Reacts to a message with an emoji: everyone who saw the message receives a {@link Content.Reaction} entry, and
     * history lists the reaction ({@link Message#reactions()}). A reaction this user already has changes nothing.
     *
     * @param emoji 1-32 characters without spaces or control characters (by the server's default rule)
     * @throws CourierException {@code 400 invalid_request} for an emoji the server does not take, {@code 404
     *         not_found} as for {@link #recall}
     */
    public void react(String messageId, String emoji) {
        reaction(messageId, emoji, true);
    }

    /** Takes back this user's reaction (see {@link #react}); one this user does not have changes nothing. */
    public void unreact(String messageId, String emoji) {
        reaction(messageId, emoji, false);
    }

    private void reaction(String messageId, String emoji, boolean added) {
        if (emoji.isEmpty()) {
            throw new IllegalArgumentException("emoji: must not be empty");
        }
        URI uri = gateway.resolve("/v1/messages/" + segment(messageId) + "/reactions/" + percentEncoded(emoji));
        aboutMessage(
                (added ? "react " : "unreact ") + emoji + " to " + messageId,
                timeout -> http.send(added ? "PUT" : "DELETE", uri, auth.token(), null, timeout));
    }

    /**
     * A call about one message: it sets a state (a recall, an edit, a delete, a reaction), so it is retried after any
     * passing failure, and a {@code 404} is retried for {@link ClientSettings#targetWait()}, since a message accepted
     * a moment ago is unknown until the pipeline has stored it.
     */
    private JsonNode aboutMessage(String what, Retries.Attempt<Http.Response> attempt) {
        return blocking(
                        what,
                        true,
                        Retries.untilStored(settings.targetWait(), refused -> refused.status() == 404, attempt))
                .body();
    }

    /** Whether the gateway WebSocket is connected now, so that sends go over it (for tests). */
    boolean sendingOverSocket() {
        return sender.overSocket();
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
     * Creates a group owned by this user ({@code POST /v1/groups}); its members receive a {@link Content.GroupCreated}
     * system message.
     *
     * @param groupId the id, or null for one made up by the server
     * @param members the other members
     * @throws CourierException {@code 409 conflict} when the id is taken, {@code 404 not_found} for unknown members
     */
    public Group createGroup(@Nullable String groupId, String name, List<String> members) {
        ObjectNode body = Http.JSON.createObjectNode().put("name", name);
        if (groupId != null) {
            body.put("groupId", groupId);
        }
        body.set("members", Http.JSON.valueToTree(List.copyOf(members)));
        return Wire.group(blocking(
                        "create group",
                        timeout -> http.send("POST", gateway.resolve("/v1/groups"), auth.token(), body, timeout))
                .body());
    }

    /**
     * Adds members to a group this user owns or administers ({@code POST /v1/groups/{groupId}/members}); the change
     * is in the group's log when this returns and takes effect at its point there.
     */
    public void addMembers(String groupId, List<String> userIds) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.set("userIds", Http.JSON.valueToTree(List.copyOf(userIds)));
        URI uri = groupUri(groupId, "/members");
        blocking("add members to " + groupId, timeout -> http.send("POST", uri, auth.token(), body, timeout));
    }

    /**
     * Removes a member (the owner and admins may remove members, only the owner an admin; a member may remove itself,
     * which is leaving; the owner cannot leave).
     */
    public void removeMember(String groupId, String userId) {
        URI uri = groupUri(groupId, "/members/" + segment(userId));
        blocking(
                "remove " + userId + " from " + groupId,
                timeout -> http.send("DELETE", uri, auth.token(), null, timeout));
    }

    /**
     * The groups this user is in now (not dissolved), in id order. The sync loop hands changes of them to
     * {@link SyncListener#onGroups} as they happen.
     */
    public List<Group> listGroups() {
        URI uri = gateway.resolve("/v1/groups");
        return Wire.groups(blocking("list groups", true, timeout -> http.send("GET", uri, auth.token(), null, timeout))
                .body()
                .path("groups"));
    }

    /**
     * One group, as it is now.
     *
     * @throws CourierException {@code 404 not_found} when there is no such group or it was dissolved, {@code 403
     *         not_member} when this user is not a member now
     */
    public Group group(String groupId) {
        URI uri = groupUri(groupId, "");
        return Wire.group(
                blocking("get group " + groupId, true, timeout -> http.send("GET", uri, auth.token(), null, timeout))
                        .body());
    }

    /**
     * Renames a group, sets its announcement or its group mute (only the owner and admins may send while it is
     * muted); the owner or an admin only. The members receive a {@link Content.GroupUpdated} system message with
     * what changed; a change that changes nothing makes none.
     *
     * @return applied with the group after the change, or pending (see {@link ChangeOutcome})
     * @throws CourierException {@code 403 forbidden} for a member who is neither owner nor admin (also when the log
     *         decided so: rights changed meanwhile), {@code 403 not_member}, {@code 404 not_found} for a group that
     *         does not exist or was dissolved, {@code 400 invalid_request} for a name or announcement out of bounds
     */
    public ChangeOutcome updateGroup(String groupId, GroupUpdate update) {
        ObjectNode body = Http.JSON.createObjectNode();
        if (update.name() != null) {
            body.put("name", update.name());
        }
        if (update.announcement() != null) {
            body.put("announcement", update.announcement());
        }
        if (update.muted() != null) {
            body.put("muted", update.muted().booleanValue());
        }
        return change("update " + groupId, true, "PATCH", groupUri(groupId, ""), body);
    }

    /**
     * Makes a member an admin; the owner only. Naming an admin again changes nothing.
     *
     * @throws CourierException {@code 403 forbidden} when this user is not the owner, {@code 404 not_found} when
     *         {@code userId} is not a member, {@code 409 conflict} for the owner
     */
    public ChangeOutcome addAdmin(String groupId, String userId) {
        return change(
                "make " + userId + " an admin of " + groupId,
                true,
                "PUT",
                groupUri(groupId, "/admins/" + segment(userId)),
                null);
    }

    /** Makes an admin a plain member again; the owner only (as for {@link #addAdmin}). */
    public ChangeOutcome removeAdmin(String groupId, String userId) {
        return change(
                "remove " + userId + " as admin of " + groupId,
                true,
                "DELETE",
                groupUri(groupId, "/admins/" + segment(userId)),
                null);
    }

    /**
     * Hands the group to another member; the owner only. This user stays as an admin. Not retried when its outcome is
     * unknown: a second transfer would be refused, since this user no longer owns the group.
     *
     * @return applied with the group after the change, or pending
     * @throws CourierException {@code 403 forbidden} when this user is not the owner, {@code 404 not_found} when
     *         {@code userId} is not a member, {@code 409 conflict} for this user itself
     */
    public ChangeOutcome transferOwnership(String groupId, String userId) {
        ObjectNode body = Http.JSON.createObjectNode().put("userId", userId);
        return change("transfer " + groupId + " to " + userId, false, "POST", groupUri(groupId, "/owner"), body);
    }

    /**
     * Mutes a member of a group: their sends are refused ({@code 403 forbidden}) until {@code until}, or until
     * unmuted. The owner or an admin; only the owner mutes an admin. A member's mute is not part of the group object
     * and makes no system message.
     *
     * @param until when the mute ends, or null for until unmuted
     * @throws CourierException {@code 400 invalid_request} for an {@code until} not in the future, {@code 403
     *         forbidden} for this user's role, {@code 404 not_found} when {@code userId} is not a member, {@code 409
     *         conflict} for the owner
     */
    public ChangeOutcome muteMember(String groupId, String userId, @Nullable Instant until) {
        ObjectNode body = Http.JSON.createObjectNode();
        if (until != null) {
            body.put("until", until.toString());
        }
        return change(
                "mute " + userId + " in " + groupId, true, "PUT", groupUri(groupId, "/mutes/" + segment(userId)), body);
    }

    /** Mutes a member until unmuted (see {@link #muteMember(String, String, Instant)}). */
    public ChangeOutcome muteMember(String groupId, String userId) {
        return muteMember(groupId, userId, null);
    }

    /** Ends a member's mute (as for {@link #muteMember(String, String, Instant)}). */
    public ChangeOutcome unmuteMember(String groupId, String userId) {
        return change(
                "unmute " + userId + " in " + groupId,
                true,
                "DELETE",
                groupUri(groupId, "/mutes/" + segment(userId)),
                null);
    }

    /**
     * Dissolves a group; the owner only. No more sends or changes (404); the members keep its history and
     * conversation, and receive a {@link Content.GroupDissolved} system message and the group with
     * {@link Group#dissolved()} in their next delta. Not retried when its outcome is unknown.
     *
     * @throws CourierException {@code 403 forbidden} when this user is not the owner
     */
    public ChangeOutcome dissolveGroup(String groupId) {
        return change("dissolve " + groupId, false, "DELETE", groupUri(groupId, ""), null);
    }

    /**
     * Blocks a user: their direct messages to this user are refused ({@code 403 blocked}) from the block's point in
     * the direct conversation's log on. One way (this user may still write), and nothing changes in groups. Blocking
     * again changes nothing.
     *
     * @throws CourierException {@code 400 invalid_request} for this user itself, {@code 404 not_found} for an unknown
     *         user
     */
    public ChangeOutcome block(String userId) {
        return change("block " + userId, true, "PUT", gateway.resolve("/v1/blocks/" + segment(userId)), null);
    }

    /** Takes a block back; a user not blocked changes nothing. */
    public ChangeOutcome unblock(String userId) {
        return change("unblock " + userId, true, "DELETE", gateway.resolve("/v1/blocks/" + segment(userId)), null);
    }

    /** The users this user blocked, in id order. */
    public List<String> listBlocks() {
        URI uri = gateway.resolve("/v1/blocks");
        return strings(blocking("list blocks", true, timeout -> http.send("GET", uri, auth.token(), null, timeout))
                .body()
                .path("userIds"));
    }

    /**
     * A group or block change: the server answers once the log decided it (200 with the group, or 204), or {@code 202
     * {"eventId", "status": "pending"}} after its change timeout; a refusal decided in the log is a problem answer
     * like any other.
     *
     * @param idempotent whether it sets a state, so that an attempt whose outcome is unknown may be repeated
     */
    private ChangeOutcome change(String what, boolean idempotent, String method, URI uri, @Nullable ObjectNode body) {
        // the server may take its change timeout to answer: the attempt waits that much longer for the answer
        Http.Response response = blocking(
                what,
                idempotent,
                timeout -> http.send(method, uri, auth.token(), body, timeout.plus(SERVER_CHANGE_TIMEOUT)));
        JsonNode answer = response.body();
        if (response.status() == 202) {
            return ChangeOutcome.inTheLog(answer.path("eventId").asString(""));
        }
        return ChangeOutcome.done(answer.path("groupId").isString() ? Wire.group(answer) : null);
    }

    private URI groupUri(String groupId, String suffix) {
        return gateway.resolve("/v1/groups/" + segment(groupId) + suffix);
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

    private static Instant instant(JsonNode value) {
        try {
            return Instant.parse(value.asString(""));
        } catch (DateTimeParseException e) {
            return Instant.now(); // the call succeeded; only its answer is odd
        }
    }

    /** Every byte of the UTF-8 form but the unreserved characters of RFC 3986 as {@code %XX}. */
    static String percentEncoded(String value) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static List<String> strings(JsonNode array) {
        return Wire.strings(array);
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
