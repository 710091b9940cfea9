package dev.courier.bridge.inbound;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import dev.courier.bridge.BridgeProperties;
import dev.courier.bridge.DeadLetters;
import dev.courier.common.Address;
import dev.courier.common.ConversationRecord;
import dev.courier.common.ErrorCode;
import dev.courier.common.MessageId;
import dev.courier.common.Records;
import dev.courier.common.Topics;

/**
 * Inbound: consumes {@code courier.bridge.in.<system>} of every system (one topic pattern, so a new system needs only
 * configuration), and turns each envelope into an ordinary send on {@code courier.conversations}, from the bridge
 * identity {@code <system>.<from>}. From there fan-out, ordering, hints and sync are those of any message.
 * <p>
 * The message id is derived from {@code (system, externalId)}, so a replayed envelope becomes the same message and the
 * fanout-worker delivers it once. An envelope that can never be delivered goes to {@code <topic>.dlt} with its reason
 * and the partition moves on. Offsets are committed after Kafka acknowledged every send and dead letter of the batch.
 */
@Component
class InboundListener {

    private final BridgeDirectory directory;

    private final DeadLetters deadLetters;

    private final KafkaOperations<String, String> kafka;

    private final BridgeProperties properties;

    private final Clock clock;

    private final Counter accepted;

    InboundListener(
            BridgeDirectory directory,
            DeadLetters deadLetters,
            KafkaOperations<String, String> kafka,
            BridgeProperties properties,
            Clock clock,
            MeterRegistry meters) {
        this.directory = directory;
        this.deadLetters = deadLetters;
        this.kafka = kafka;
        this.properties = properties;
        this.clock = clock;
        this.accepted = meters.counter("courier.bridge.inbound.accepted");
    }

    @KafkaListener(id = "courier-bridge-inbound", topicPattern = "courier\\.bridge\\.in\\.[a-z0-9_-]+", batch = "true")
    void on(List<ConsumerRecord<String, String>> records) {
        List<CompletableFuture<?>> sends = new ArrayList<>(records.size());
        Map<String, ConversationRecord.MembersAdded> joins = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                for (ConversationRecord out : translate(record, joins)) {
                    sends.add(kafka.send(Topics.CONVERSATIONS, out.conversation(), Records.encode(out)));
                }
                accepted.increment();
            } catch (Envelope.Rejected e) {
                sends.add(deadLetters.reject(record, e.reason(), e.getMessage()));
            }
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        // only now, with every record of the batch in the log, are its joins remembered: a batch that failed is
        // consumed again and sends its joins again with its messages
        joins.values()
                .forEach(join -> directory.joined(join.groupId(), join.userIds().getFirst(), join.eventId()));
    }

    /**
     * The records an envelope becomes: its message, preceded by a join when its identity must enter the group (once
     * per batch: {@code joins} holds the batch's joins so far, by group and identity).
     */
    private List<ConversationRecord> translate(
            ConsumerRecord<String, String> record, Map<String, ConversationRecord.MembersAdded> joins) {
        String system = record.topic().substring(Topics.BRIDGE_IN_PREFIX.length());
        BridgeProperties.SystemSettings settings = properties.systems().get(system);
        if (settings == null) {
            throw new Envelope.Rejected(ErrorCode.FORBIDDEN, "system: '" + system + "' is not configured");
        }
        Envelope envelope = Envelope.read(
                system, record.value(), (int) properties.maxEnvelopeSize().toBytes(), properties.maxTextBytes());
        List<ConversationRecord> out = new ArrayList<>(2);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        switch (envelope.to()) {
            case Address.User user -> {
                if (!settings.mayWriteToUser(user.userId())) {
                    throw new Envelope.Rejected(
                            ErrorCode.FORBIDDEN, "to: " + system + " may not write to u:" + user.userId());
                }
                if (user.userId().equals(envelope.identity()) || !directory.userExists(user.userId())) {
                    throw new Envelope.Rejected(ErrorCode.NOT_FOUND, "to: no user '" + user.userId() + "'");
                }
                requireIdentity(envelope, system);
            }
            case Address.Group group -> {
                if (!settings.mayWriteToGroup(group.groupId())) {
                    throw new Envelope.Rejected(
                            ErrorCode.FORBIDDEN, "to: " + system + " may not write to g:" + group.groupId());
                }
                if (!directory.groupExists(group.groupId())) {
                    throw new Envelope.Rejected(ErrorCode.NOT_FOUND, "to: no group '" + group.groupId() + "'");
                }
                requireIdentity(envelope, system);
                String pair = group.groupId() + " " + envelope.identity();
                if (!joins.containsKey(pair) && directory.needsToJoin(group.groupId(), envelope.identity())) {
                    ConversationRecord.MembersAdded join = new ConversationRecord.MembersAdded(
                            UUID.randomUUID().toString(),
                            group.groupId(),
                            List.of(envelope.identity()),
                            "bridge:" + system,
                            now);
                    joins.put(pair, join);
                    out.add(join);
                }
            }
        }
        String conversation =
                envelope.to().conversationFrom(envelope.identity()).value();
        Instant at = envelope.sentAt() != null ? envelope.sentAt() : now;
        if (envelope.isChange()) {
            // the target is the message the system sent under that externalId; the fanout-worker checks, at the
            // change's point in the log, that it is the identity's own message of this conversation
            String target = MessageId.forBridge(
                    system, envelope.content().path("target").stringValue());
            out.add(
                    envelope.kind().equals(Envelope.RECALL)
                            ? new ConversationRecord.MessageRecalled(conversation, target, envelope.identity(), now)
                            : new ConversationRecord.MessageEdited(
                                    // the same envelope, replayed, is the same edit
                                    MessageId.forBridge(system, envelope.externalId()),
                                    conversation,
                                    target,
                                    envelope.identity(),
                                    envelope.content().path("text").stringValue(),
                                    now));
            return out;
        }
        out.add(new ConversationRecord.MessagePosted(
                MessageId.forBridge(system, envelope.externalId()),
                envelope.externalId(),
                conversation,
                envelope.identity(),
                envelope.kind(),
                envelope.content(),
                at,
                system));
        return out;
    }

    private void requireIdentity(Envelope envelope, String system) {
        String from = envelope.identity().substring(system.length() + 1);
        if (!directory.ensureIdentity(envelope.identity(), system, from)) {
            throw new Envelope.Rejected(
                    ErrorCode.CONFLICT,
                    "from: '" + envelope.identity() + "' is a person's account, not a bridge identity");
        }
    }
}
