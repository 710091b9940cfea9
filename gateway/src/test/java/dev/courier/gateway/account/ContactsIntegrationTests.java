package dev.courier.gateway.account;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.courier.common.Hints;
import dev.courier.gateway.TestGateway;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.client.Api;

import static dev.courier.testinfra.client.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The account and contacts data types: a rename bumps the account version, a contact put or deleted bumps the contacts
 * version and stamps the row with it (a deletion leaves a tombstone), all committed before the answer; each change is
 * hinted on the user's channel ({@code courier:hint:<userId>}).
 */
class ContactsIntegrationTests {

    private static RedisClient redis;

    private static StatefulRedisPubSubConnection<String, String> subscriber;

    private static final BlockingQueue<String> hints = new LinkedBlockingQueue<>();

    private final Api api = TestGateway.api();

    @BeforeAll
    static void listenToHints() {
        redis = RedisClient.create(CourierInfrastructure.shared().redisUrl());
        subscriber = redis.connectPubSub();
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                hints.add(channel + " " + message);
            }
        });
        subscriber.sync().psubscribe(Hints.CHANNEL_PREFIX + "*");
    }

    @AfterAll
    static void stopListening() {
        subscriber.close();
        redis.shutdown();
    }

    @Test
    void renameBumpsTheAccountVersionStoresTheNameAndHintsTheAccount() {
        Api.Session bob = api.newUser("bob");
        long before = version("SELECT account_version FROM accounts WHERE user_id = ?", bob.userId());

        Api.Response renamed = api.rename(bob, "Robert");
        assertThat(renamed.status()).as(renamed.body().toString()).isEqualTo(200);
        assertThat(renamed.body().path("userId").asString()).isEqualTo(bob.userId());
        assertThat(renamed.body().path("displayName").asString()).isEqualTo("Robert");
        long version = renamed.body().path("version").asLong();
        assertThat(version).isEqualTo(before + 1);
        assertThat(version("SELECT account_version FROM accounts WHERE user_id = ?", bob.userId()))
                .isEqualTo(version);
        assertThat(TestGateway.database()
                        .sql("SELECT display_name FROM accounts WHERE user_id = ?")
                        .param(bob.userId())
                        .query(String.class)
                        .single())
                .isEqualTo("Robert");
        assertHinted(bob, Hints.ACCOUNT);

        assertThat(api.rename(bob, "Bobby").body().path("version").asLong()).isEqualTo(version + 1);
        assertHinted(bob, Hints.ACCOUNT);
    }

    @Test
    void contactsPutAndDeletedBumpTheContactsVersionStampTheRowAndHintTheContacts() {
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        Api.Session dave = api.newUser("dave");

        Api.Response put = api.putContact(bob, carol.userId(), "Caro");
        assertThat(put.status()).as(put.body().toString()).isEqualTo(200);
        assertThat(put.body().path("userId").asString()).isEqualTo(carol.userId());
        assertThat(put.body().path("alias").asString()).isEqualTo("Caro");
        assertThat(put.body().path("deleted").asBoolean()).isFalse();
        long putVersion = put.body().path("version").asLong();
        assertThat(putVersion).isEqualTo(1);
        assertThat(contact(bob, carol)).isEqualTo(new Contact("Caro", false, putVersion));
        assertHinted(bob, Hints.CONTACTS);

        Api.Response renamed = api.putContact(bob, carol.userId(), "Carol");
        assertThat(renamed.body().path("version").asLong()).isEqualTo(putVersion + 1);
        assertHinted(bob, Hints.CONTACTS);

        assertThat(api.deleteContact(bob, carol.userId()).status()).isEqualTo(204);
        Contact tombstone = contact(bob, carol);
        assertThat(tombstone.deleted()).isTrue();
        assertThat(tombstone.version()).isEqualTo(putVersion + 2);
        assertThat(version("SELECT contacts_version FROM accounts WHERE user_id = ?", bob.userId()))
                .isEqualTo(putVersion + 2);
        assertHinted(bob, Hints.CONTACTS);
        assertProblem(api.deleteContact(bob, carol.userId()), 404, "not_found", "userId");

        // a contact without an alias; putting a deleted contact again brings it back
        Api.Response noAlias = api.call("PUT", api.gateway + "/v1/contacts/" + dave.userId(), bob.token(), null, null);
        assertThat(noAlias.status()).as(noAlias.body().toString()).isEqualTo(200);
        assertThat(noAlias.body().path("alias").isNull()).isTrue();
        assertThat(api.putContact(bob, carol.userId(), "Back").status()).isEqualTo(200);
        assertThat(contact(bob, carol)).isEqualTo(new Contact("Back", false, putVersion + 4));
        assertThat(version("SELECT contacts_version FROM accounts WHERE user_id = ?", carol.userId()))
                .as("carol's own contacts did not change")
                .isZero();
    }

    @Test
    void accountAndContactErrorsAreProblemsAndChangeNothing() {
        Api.Session bob = api.newUser("bob");
        Api.Session carol = api.newUser("carol");
        assertProblem(api.putContact(bob, "nobody-" + bob.userId(), "X"), 404, "not_found", "userId");
        assertProblem(api.putContact(bob, "NotAnId", "X"), 404, "not_found", "userId");
        assertProblem(api.putContact(bob, bob.userId(), "me"), 400, "invalid_request", "userId");
        assertProblem(api.deleteContact(bob, carol.userId()), 404, "not_found", "userId");
        assertProblem(api.rename(bob, ""), 400, "invalid_request", "displayName");
        assertProblem(api.rename(bob, "n".repeat(129)), 400, "invalid_request", "displayName");
        assertProblem(
                api.call("PATCH", api.gateway + "/v1/account", bob.token(), "{}", "application/json"),
                400,
                "invalid_request",
                "displayName");
        assertProblem(api.putContact(bob, carol.userId(), "a".repeat(129)), 400, "invalid_request", "alias");
        assertProblem(
                api.call("PATCH", api.gateway + "/v1/account", null, Api.json("displayName", "X"), "application/json"),
                401,
                "unauthenticated",
                "");
        assertThat(TestGateway.database()
                        .sql("SELECT display_name, account_version, contacts_version FROM accounts WHERE user_id = ?")
                        .param(bob.userId())
                        .query((rs, n) -> rs.getString(1) + " " + rs.getLong(2) + " " + rs.getLong(3))
                        .single())
                .as("nothing changed")
                .isEqualTo("BOB 1 0");
    }

    private record Contact(String alias, boolean deleted, long version) {}

    private static Contact contact(Api.Session owner, Api.Session contact) {
        return TestGateway.database()
                .sql("SELECT alias, deleted, version FROM contacts WHERE owner_id = ? AND contact_id = ?")
                .params(owner.userId(), contact.userId())
                .query((rs, n) -> new Contact(rs.getString(1), rs.getBoolean(2), rs.getLong(3)))
                .single();
    }

    private static long version(String sql, String userId) {
        return TestGateway.database().sql(sql).param(userId).query(Long.class).single();
    }

    /** The next hint on the user's channel (skipping other users') says {@code what}. */
    private static void assertHinted(Api.Session user, String what) {
        String expected = Hints.channel(user.userId()) + " " + what;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String hint;
        do {
            try {
                hint = hints.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        } while (hint != null && !hint.startsWith(Hints.channel(user.userId()) + " "));
        assertThat(hint).as("a hint on the user's channel").isEqualTo(expected);
    }
}
