package dev.courier.bridge.inbound;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
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

    InboundListener(BridgeDirectory directory, DeadLetters deadLetters, KafkaOperations<String, String> kafka,
            BridgeProperties properties, Clock clock, MeterRegistry meters) {
        this.directory = directory;
        this.deadLetters = deadLetters;
        this.kafka = kafka;
        this.properties = properties;
        this.clock = clock;
        this.accepted = meters.counter("courier.bridge.inbound.accepted");
    }

    @KafkaListener(id = "courier-bridge-inbound", topicPattern = "courier\\.bridge\\.in\\.[a-z0-9_-]+",
            batch = "true")
    void on(List<ConsumerRecord<String, String>> records) {
        List<CompletableFuture<?>> sends = new ArrayList<>(records.size());
        for (ConsumerRecord<String, String> record : records) {
            try {
                for (ConversationRecord out : translate(record)) {
                    sends.add(kafka.send(Topics.CONVERSATIONS, out.conversation(), Records.encode(out)));
                }
                accepted.increment();
            } catch (Envelope.Rejected e) {
                sends.add(deadLetters.reject(record, e.reason(), e.getMessage()));
            }
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
    }

    /** The records an envelope becomes: its message, preceded by a join when its identity must enter the group. */
    private List<ConversationRecord> translate(ConsumerRecord<String, String> record) {
        String system = record.topic().substring(Topics.BRIDGE_IN_PREFIX.length());
        BridgeProperties.SystemSettings settings = properties.systems().get(system);
        if (settings == null) {
            throw new Envelope.Rejected(ErrorCode.FORBIDDEN, "system: '" + system + "' is not configured");
        }
        Envelope envelope = Envelope.read(system, record.value(), (int) properties.maxEnvelopeSize().toBytes(),
                properties.maxTextBytes());
        List<ConversationRecord> out = new ArrayList<>(2);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        switch (envelope.to()) {
            case Address.User user -> {
                if (!settings.mayWriteToUser(user.userId())) {
                    throw new Envelope.Rejected(ErrorCode.FORBIDDEN,
                            "to: " + system + " may not write to u:" + user.userId());
                }
                if (user.userId().equals(envelope.identity()) || !directory.userExists(user.userId())) {
                    throw new Envelope.Rejected(ErrorCode.NOT_FOUND, "to: no user '" + user.userId() + "'");
                }
                requireIdentity(envelope, system);
            }
            case Address.Group group -> {
                if (!settings.mayWriteToGroup(group.groupId())) {
                    throw new Envelope.Rejected(ErrorCode.FORBIDDEN,
                            "to: " + system + " may not write to g:" + group.groupId());
                }
                if (!directory.groupExists(group.groupId())) {
                    throw new Envelope.Rejected(ErrorCode.NOT_FOUND, "to: no group '" + group.groupId() + "'");
                }
                requireIdentity(envelope, system);
                if (directory.needsToJoin(group.groupId(), envelope.identity())) {
                    out.add(new ConversationRecord.MembersAdded(UUID.randomUUID().toString(), group.groupId(),
                            List.of(envelope.identity()), "bridge:" + system, now));
                    directory.joining(group.groupId(), envelope.identity());
                }
            }
        }
        out.add(new ConversationRecord.MessagePosted(MessageId.forBridge(system, envelope.externalId()),
                envelope.externalId(), envelope.to().conversationFrom(envelope.identity()).value(),
                envelope.identity(), envelope.kind(), envelope.content(),
                envelope.sentAt() != null ? envelope.sentAt() : now, system));
        return out;
    }

    private void requireIdentity(Envelope envelope, String system) {
        String from = envelope.identity().substring(system.length() + 1);
        if (!directory.ensureIdentity(envelope.identity(), system, from)) {
            throw new Envelope.Rejected(ErrorCode.CONFLICT,
                    "from: '" + envelope.identity() + "' is a person's account, not a bridge identity");
        }
    }
}
