package dev.courier.bridge.inbound;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.Address;
import dev.courier.common.ErrorCode;
import dev.courier.common.Json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Envelope#read}: every rule of PROTOCOL.md's "Bridge envelope", and the reason of every rejection. */
class EnvelopeTests {

    private static final int MAX_BYTES = 64 * 1024;

    private static final int MAX_TEXT_BYTES = 16 * 1024;

    /** A valid envelope of system weibo, to be broken one field at a time. */
    private static ObjectNode valid() {
        return Json.MAPPER
                .createObjectNode()
                .put("v", 1)
                .put("system", "weibo")
                .put("externalId", "wb-998877")
                .put("from", "wb-user-12")
                .put("to", "u:bob")
                .put("kind", "text")
                .put("content", "hello from outside")
                .put("sentAt", "2026-11-21T10:00:00Z");
    }

    private static Envelope read(String value) {
        return Envelope.read("weibo", value, MAX_BYTES, MAX_TEXT_BYTES);
    }

    private static void assertRejected(String value, ErrorCode reason, String detailStart) {
        assertThatThrownBy(() -> read(value)).as(value).isInstanceOfSatisfying(Envelope.Rejected.class, e -> {
            assertThat(e.reason()).as(value).isEqualTo(reason);
            assertThat(e.getMessage()).as(value).startsWith(detailStart);
        });
    }

    private static void assertInvalid(String value, String detailStart) {
        assertRejected(value, ErrorCode.INVALID_REQUEST, detailStart);
    }

    @Test
    void readsAValidEnvelopeWithTheSendersBridgeIdentity() {
        Envelope envelope = read(valid().toString());

        assertThat(envelope.system()).isEqualTo("weibo");
        assertThat(envelope.externalId()).isEqualTo("wb-998877");
        assertThat(envelope.identity()).isEqualTo("weibo.wb-user-12");
        assertThat(envelope.to()).isEqualTo(new Address.User("bob"));
        assertThat(envelope.kind()).isEqualTo("text");
        assertThat(envelope.content().stringValue()).isEqualTo("hello from outside");
        assertThat(envelope.sentAt()).isEqualTo(Instant.parse("2026-11-21T10:00:00Z"));
    }

    @Test
    void readsAGroupAddressAndAMediaReference() {
        ObjectNode value = valid().put("to", "g:team").put("kind", "image");
        value.putObject("content")
                .put("url", "https://media.example/a.png")
                .put("mime", "image/png")
                .put("size", 42);

        Envelope envelope = read(value.toString());

        assertThat(envelope.to()).isEqualTo(new Address.Group("team"));
        assertThat(envelope.kind()).isEqualTo("image");
        assertThat(envelope.content().path("url").stringValue()).isEqualTo("https://media.example/a.png");
    }

    @Test
    void sentAtIsOptional() {
        assertThat(read(valid().without("sentAt").toString()).sentAt()).isNull();
        assertThat(read(valid().putNull("sentAt").toString()).sentAt()).isNull();
        assertThat(read(valid().put("sentAt", "2026-11-21T10:00:00.123456Z").toString())
                        .sentAt())
                .isEqualTo(Instant.parse("2026-11-21T10:00:00.123456Z"));
    }

    @Test
    void ignoresUnknownFields() {
        assertThat(read(valid().put("priority", "high").toString()).externalId())
                .isEqualTo("wb-998877");
    }

    @Test
    void rejectsARecordWithoutAValue() {
        assertThatThrownBy(() -> Envelope.read("weibo", null, MAX_BYTES, MAX_TEXT_BYTES))
                .isInstanceOfSatisfying(
                        Envelope.Rejected.class, e -> assertThat(e.reason()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessage("envelope: the record has no value");
    }

    @Test
    void rejectsWhatIsNotJson() {
        assertInvalid("not json", "envelope: not JSON");
        assertInvalid("{\"v\":1,", "envelope: not JSON");
        assertInvalid("{\"v\":1} trailing", "envelope: not JSON");
    }

    @Test
    void rejectsJsonThatIsNotAnObject() {
        for (String value : new String[] {"[]", "[" + valid() + "]", "\"envelope\"", "42", "true", "null", ""}) {
            assertInvalid(value, "envelope: must be a JSON object");
        }
    }

    @Test
    void acceptsOnlySchemaVersionOne() {
        assertInvalid(valid().without("v").toString(), "v: must be 1");
        assertInvalid(valid().put("v", 2).toString(), "v: must be 1");
        assertInvalid(valid().put("v", 0).toString(), "v: must be 1");
        assertInvalid(valid().put("v", "1").toString(), "v: must be 1");
        assertInvalid(valid().put("v", 1.0).toString(), "v: must be 1");
        assertInvalid(valid().putNull("v").toString(), "v: must be 1");
    }

    @Test
    void rejectsAVersionOutsideTheIntRange() {
        assertInvalid(valid().put("v", 4_294_967_297L).toString(), "v: must be 1");
        assertInvalid(valid().put("v", -4_294_967_295L).toString(), "v: must be 1");
        assertInvalid(valid().toString().replace("\"v\":1", "\"v\":" + "1".repeat(40)), "v: must be 1");
    }

    @Test
    void requiresTheSystemOfTheTopic() {
        assertInvalid(valid().without("system").toString(), "system: is required");
        assertInvalid(valid().put("system", "").toString(), "system: is required");
        assertInvalid(valid().put("system", 7).toString(), "system: is required");
        assertRejected(
                valid().put("system", "wechat").toString(),
                ErrorCode.FORBIDDEN,
                "system: 'wechat' may not publish on the topic of 'weibo'");
        assertRejected(valid().put("system", "Weibo").toString(), ErrorCode.FORBIDDEN, "system: ");
    }

    @Test
    void requiresAnExternalIdOfOneTo64PrintableAsciiCharacters() {
        assertThat(read(valid().put("externalId", "!").toString()).externalId()).isEqualTo("!");
        assertThat(read(valid().put("externalId", "~".repeat(64)).toString()).externalId())
                .hasSize(64);

        assertInvalid(valid().without("externalId").toString(), "externalId: is required");
        assertInvalid(valid().put("externalId", "").toString(), "externalId: is required");
        assertInvalid(valid().put("externalId", 998877).toString(), "externalId: is required");
        assertInvalid(valid().put("externalId", "x".repeat(65)).toString(), "externalId: 1-64 printable ASCII");
        assertInvalid(valid().put("externalId", "wb 1").toString(), "externalId: 1-64 printable ASCII");
        assertInvalid(valid().put("externalId", "wb-\u00e9").toString(), "externalId: 1-64 printable ASCII");
        assertInvalid(valid().put("externalId", "wb\n1").toString(), "externalId: 1-64 printable ASCII");
    }

    @Test
    void requiresASenderWhoseBridgeIdentityIsAUserId() {
        // weibo. is 6 characters of the 64 of a user id
        assertThat(read(valid().put("from", "a".repeat(58)).toString()).identity())
                .hasSize(64);
        assertThat(read(valid().put("from", "x.y_z-0").toString()).identity()).isEqualTo("weibo.x.y_z-0");

        assertInvalid(valid().without("from").toString(), "from: is required");
        assertInvalid(valid().put("from", "").toString(), "from: is required");
        assertInvalid(valid().put("from", 12).toString(), "from: is required");
        assertInvalid(valid().put("from", "a".repeat(59)).toString(), "from: '<system>.<from>' must be a user id");
        assertInvalid(valid().put("from", "Not Valid").toString(), "from: '<system>.<from>' must be a user id");
        assertInvalid(valid().put("from", "UPPER").toString(), "from: '<system>.<from>' must be a user id");
        assertInvalid(valid().put("from", "a/b").toString(), "from: '<system>.<from>' must be a user id");
    }

    @Test
    void requiresAnAddressOfAUserOrAGroup() {
        assertInvalid(valid().without("to").toString(), "to: is required");
        assertInvalid(valid().put("to", "").toString(), "to: is required");
        for (String to :
                new String[] {"bob", "u:", "g:", "u:Bob", "x:bob", "u:bob smith", "d:alice:bob", "u:" + "b".repeat(65)
                }) {
            assertInvalid(valid().put("to", to).toString(), "to: must be u:<userId> or g:<groupId>");
        }
    }

    @Test
    void requiresAKnownKind() {
        assertInvalid(valid().without("kind").toString(), "kind: is required");
        assertInvalid(valid().put("kind", 1).toString(), "kind: is required");
        assertInvalid(valid().put("kind", "hologram").toString(), "kind: must be one of text, image, voice");
        assertInvalid(valid().put("kind", "TEXT").toString(), "kind: must be one of");
    }

    @Test
    void requiresContentThatFitsTheKind() {
        assertInvalid(valid().without("content").toString(), "content: is required");
        assertInvalid(valid().putNull("content").toString(), "content: is required");
        assertInvalid(valid().put("content", 42).toString(), "content: must be a string for kind text");
        assertInvalid(valid().put("content", "").toString(), "content: must not be empty");
        assertInvalid(
                valid().toString().replace("hello from outside", "\\ud800"), "content: is not well-formed Unicode");
        assertInvalid(valid().put("kind", "image").toString(), "content: must be an object {url, mime, size}");
        ObjectNode noUrl = valid().put("kind", "file");
        noUrl.putObject("content").put("mime", "application/pdf").put("size", 1);
        assertInvalid(noUrl.toString(), "content.url: ");
        ObjectNode badSize = valid().put("kind", "voice");
        badSize.putObject("content")
                .put("url", "https://a")
                .put("mime", "audio/ogg")
                .put("size", -1);
        assertInvalid(badSize.toString(), "content.size: ");
    }

    @Test
    void acceptsTextUpToTheLimitInBytesOfUtf8AndRejectsLongerAsTooLarge() {
        // é is two bytes of UTF-8
        assertThat(read(valid().put("content", "\u00e9".repeat(MAX_TEXT_BYTES / 2))
                                .toString())
                        .content()
                        .stringValue())
                .hasSize(MAX_TEXT_BYTES / 2);

        assertRejected(
                valid().put("content", "\u00e9".repeat(MAX_TEXT_BYTES / 2) + "x")
                        .toString(),
                ErrorCode.PAYLOAD_TOO_LARGE,
                "content: text is " + (MAX_TEXT_BYTES + 1) + " bytes of UTF-8");
    }

    @Test
    void acceptsAnEnvelopeOfTheLargestSizeAndRejectsALargerOneBeforeReadingIt() {
        String base = valid().put("content", "").toString();
        String atLimit =
                base.replace("\"content\":\"\"", "\"content\":\"" + "y".repeat(MAX_BYTES - base.length()) + "\"");
        assertThat(atLimit).hasSize(MAX_BYTES);
        assertThat(Envelope.read("weibo", atLimit, MAX_BYTES, MAX_BYTES)
                        .content()
                        .stringValue())
                .isNotEmpty();

        assertRejected(
                atLimit.replace("\"y", "\"yy"),
                ErrorCode.PAYLOAD_TOO_LARGE,
                "envelope: " + (MAX_BYTES + 1) + " bytes, at most " + MAX_BYTES);
        // counted in bytes of UTF-8, and before the JSON is parsed
        assertRejected(
                "\u00e9".repeat(MAX_BYTES / 2 + 1),
                ErrorCode.PAYLOAD_TOO_LARGE,
                "envelope: " + (MAX_BYTES + 2) + " bytes");
    }

    @Test
    void requiresSentAtToBeAnIsoInstantWhenGiven() {
        assertInvalid(valid().put("sentAt", "yesterday").toString(), "sentAt: must be an ISO-8601 instant");
        assertInvalid(valid().put("sentAt", "2026-11-21").toString(), "sentAt: must be an ISO-8601 instant");
        assertInvalid(valid().put("sentAt", "2026-11-21T10:00:00").toString(), "sentAt: must be an ISO-8601 instant");
        assertInvalid(valid().put("sentAt", "").toString(), "sentAt: must be an ISO-8601 instant");
        // a value of another JSON type is not an instant either (it is there, so not "required")
        assertInvalid(valid().put("sentAt", 1_763_719_200_000L).toString(), "sentAt: must be an ISO-8601 instant");
        assertInvalid(valid().put("sentAt", 4_294_967_297L).toString(), "sentAt: must be an ISO-8601 instant");
        assertInvalid(valid().put("sentAt", true).toString(), "sentAt: must be an ISO-8601 instant");
        ObjectNode objectSentAt = valid();
        objectSentAt.putObject("sentAt").put("epochSecond", 1);
        assertInvalid(objectSentAt.toString(), "sentAt: must be an ISO-8601 instant");
        // an instant the message's millisecond column cannot hold would fail the fanout-worker's store for ever
        assertInvalid(valid().put("sentAt", "+300000000-01-01T00:00:00Z").toString(), "sentAt: ");
        assertThat(read(valid().put("sentAt", "+200000000-01-01T00:00:00Z").toString())
                        .sentAt())
                .isEqualTo(Instant.parse("+200000000-01-01T00:00:00Z"));
    }

    @Test
    void namesTheFirstFieldAtFaultInTheOrderOfTheEnvelope() {
        ObjectNode allWrong = valid().put("externalId", "has space")
                .put("from", "Bad")
                .put("to", "nowhere")
                .put("kind", "hologram")
                .put("sentAt", "yesterday");
        assertInvalid(allWrong.toString(), "externalId: ");
        assertInvalid(allWrong.put("externalId", "ok").toString(), "from: ");
        assertInvalid(allWrong.put("from", "ok").toString(), "to: ");
        assertInvalid(allWrong.put("to", "u:bob").toString(), "kind: ");
        assertInvalid(allWrong.put("kind", "text").toString(), "sentAt: ");
        // the system is checked before everything but the version
        assertRejected(
                allWrong.put("system", "wechat").put("externalId", "has space").toString(),
                ErrorCode.FORBIDDEN,
                "system: ");
    }

    /** A valid recall of the system's own earlier message {@code wb-998877}. */
    private static ObjectNode recall() {
        ObjectNode recall = valid().put("externalId", "wb-recall-1").put("kind", "recall");
        recall.putObject("content").put("target", "wb-998877");
        return recall;
    }

    /** A valid edit of it. */
    private static ObjectNode edit() {
        ObjectNode edit = valid().put("externalId", "wb-edit-1").put("kind", "edit");
        edit.putObject("content").put("target", "wb-998877").put("text", "hello, corrected");
        return edit;
    }

    @Test
    void readsARecallAndAnEditOfTheSystemsOwnMessageNamedByItsExternalId() {
        Envelope recall = read(recall().toString());
        Envelope edit = read(edit().toString());

        assertThat(recall.isChange()).isTrue();
        assertThat(recall.kind()).isEqualTo("recall");
        assertThat(recall.externalId()).isEqualTo("wb-recall-1");
        assertThat(recall.content().path("target").stringValue()).isEqualTo("wb-998877");
        assertThat(edit.isChange()).isTrue();
        assertThat(edit.kind()).isEqualTo("edit");
        assertThat(edit.content().path("target").stringValue()).isEqualTo("wb-998877");
        assertThat(edit.content().path("text").stringValue()).isEqualTo("hello, corrected");
        assertThat(read(valid().toString()).isChange()).isFalse();
        // a target is any externalId: 1 to 64 printable ASCII characters
        ObjectNode longest = recall();
        ((ObjectNode) longest.get("content")).put("target", "~".repeat(64));
        assertThat(read(longest.toString()).content().path("target").stringValue())
                .hasSize(64);
    }

    @Test
    void rejectsARecallOrAnEditWithoutAValidTarget() {
        for (ObjectNode change : List.of(recall(), edit())) {
            String kind = change.path("kind").stringValue();
            assertInvalid(change.without("content").toString(), "content.target: ");
            assertInvalid(change.putNull("content").toString(), "content.target: ");
            assertInvalid(change.put("content", "wb-998877").toString(), "content.target: ");
            for (Object target : new Object[] {null, 998877, "", "wb 1", "x".repeat(65), "wb-\u00e9", "wb\n1"}) {
                ObjectNode bad = kind.equals("recall") ? recall() : edit();
                ObjectNode content = (ObjectNode) bad.get("content");
                if (target == null) {
                    content.remove("target");
                } else if (target instanceof Integer number) {
                    content.put("target", number);
                } else {
                    content.put("target", (String) target);
                }
                assertRejected(
                        bad.toString(),
                        ErrorCode.INVALID_REQUEST,
                        "content.target: the externalId of the system's message, 1-64 printable ASCII");
            }
        }
    }

    @Test
    void rejectsAnEditWithoutTextOrWithTextOutsideTheLimitsOfASend() {
        ObjectNode noText = edit();
        ((ObjectNode) noText.get("content")).remove("text");
        assertInvalid(noText.toString(), "content.text: is required");
        ObjectNode number = edit();
        ((ObjectNode) number.get("content")).put("text", 42);
        assertInvalid(number.toString(), "content.text: must be a string for kind text");
        ObjectNode empty = edit();
        ((ObjectNode) empty.get("content")).put("text", "");
        assertInvalid(empty.toString(), "content.text: must not be empty");
        ObjectNode surrogate = edit();
        ((ObjectNode) surrogate.get("content")).put("text", "LONE");
        assertInvalid(surrogate.toString().replace("LONE", "\\ud800"), "content.text: is not well-formed Unicode");

        ObjectNode longest = edit();
        ((ObjectNode) longest.get("content")).put("text", "\u00e9".repeat(MAX_TEXT_BYTES / 2));
        assertThat(read(longest.toString()).content().path("text").stringValue())
                .hasSize(MAX_TEXT_BYTES / 2);
        ObjectNode tooLong = edit();
        ((ObjectNode) tooLong.get("content")).put("text", "\u00e9".repeat(MAX_TEXT_BYTES / 2) + "x");
        assertRejected(
                tooLong.toString(),
                ErrorCode.PAYLOAD_TOO_LARGE,
                "content.text: text is " + (MAX_TEXT_BYTES + 1) + " bytes of UTF-8");
        // a recall needs no text, and any it has is not read
        ObjectNode recallWithText = recall();
        ((ObjectNode) recallWithText.get("content")).put("text", "");
        assertThat(read(recallWithText.toString()).kind()).isEqualTo("recall");
    }

    @Test
    void acceptsNoOtherChangeOfAMessageInbound() {
        for (String kind : new String[] {"delete", "reaction", "system"}) {
            ObjectNode change = recall().put("kind", kind);
            assertInvalid(change.toString(), "kind: must be one of text, image, voice");
        }
    }
}
