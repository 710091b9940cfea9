package dev.courier.bridge.outbound;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import dev.courier.bridge.BridgeProperties;
import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.Json;
import dev.courier.common.Records;
import dev.courier.common.Topics;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Outbound: reads {@code courier.conversations} in a consumer group of its own, so a slow or absent external consumer
 * never slows chat, and publishes each message whose conversation includes bridge identities of a system S to
 * {@code courier.bridge.out.S}, keyed by conversation, in the envelope form with {@code externalId} = the Courier
 * message id. The recipients are those the fanout-worker expanded the message to (the members version it stored), and
 * a message is never echoed to the system it came from.
 * <p>
 * Once per system: {@code bridge_deliveries} is checked before publishing and written after Kafka acknowledged. A crash
 * between the two can publish a message again; the stable {@code externalId} lets the external system drop it.
 */
@Component
class OutboundListener {

    private static final Logger log = LoggerFactory.getLogger(OutboundListener.class);

    private final OutboundRepository repository;

    private final KafkaOperations<String, String> kafka;

    private final BridgeProperties properties;

    private final Clock clock;

    private final Counter published;

    OutboundListener(OutboundRepository repository, KafkaOperations<String, String> kafka,
            BridgeProperties properties, Clock clock, MeterRegistry meters) {
        this.repository = repository;
        this.kafka = kafka;
        this.properties = properties;
        this.clock = clock;
        this.published = meters.counter("courier.bridge.outbound.published");
    }

    /** The fanout-worker has not stored the message yet: retry the rest of the batch a little later. */
    static final class NotYetExpanded extends RuntimeException {

        private static final long serialVersionUID = 1L;

        NotYetExpanded(String messageId) {
            super("message " + messageId + " is not expanded yet");
        }
    }

    private record Publication(String messageId, String system, CompletableFuture<?> sent) {
    }

    @KafkaListener(id = "courier-bridge-outbound", topics = Topics.CONVERSATIONS, batch = "true")
    void on(List<ConsumerRecord<String, String>> records) {
        List<Publication> publications = new ArrayList<>();
        NotYetExpanded pending = null;
        for (ConsumerRecord<String, String> record : records) {
            ConversationRecord decoded;
            try {
                decoded = Records.decodeConversation(record.value());
            } catch (Records.InvalidRecordException e) {
                continue; // the fanout-worker dead-letters it; nothing to bridge
            }
            if (decoded instanceof ConversationRecord.MessagePosted message) {
                try {
                    publish(message, record.timestamp(), publications);
                } catch (NotYetExpanded e) {
                    pending = e;
                    break;
                }
            }
        }
        CompletableFuture.allOf(publications.stream().map(Publication::sent).toArray(CompletableFuture[]::new))
            .join();
        for (Publication publication : publications) {
            repository.recordDelivery(publication.messageId(), publication.system(), clock.millis());
            published.increment();
        }
        if (pending != null) {
            // what came before is published and recorded; the error handler retries from here with back-off
            throw pending;
        }
    }

    private void publish(ConversationRecord.MessagePosted message, long loggedAt, List<Publication> publications) {
        ConversationId conversation = ConversationId.parse(message.conversation());
        // Most conversations involve no bridge identity: they are passed over at once, without waiting for the
        // fanout-worker (which may also have rejected the message, so waiting could only hold up the partition).
        List<String> identities;
        if (!conversation.isGroup()) {
            identities = repository.bridgeUsers(conversation.directUsers());
            if (identities.isEmpty()) {
                return;
            }
        } else if (!repository.everHadBridgeMember(conversation.groupId())) {
            return;
        } else {
            identities = null;
        }
        Long version = repository.storedVersion(message.messageId()).orElse(null);
        if (version == null) {
            if (clock.millis() - loggedAt < properties.unexpandedGiveUp().toMillis()) {
                throw new NotYetExpanded(message.messageId());
            }
            log.warn("Message {} was never stored by the fanout-worker (rejected there); not bridged",
                    message.messageId());
            return;
        }
        if (identities == null) {
            // the members of the group at the message's point in its log, as the fanout-worker expanded it
            identities = repository.bridgeMembersAt(conversation.groupId(), version);
        }
        Map<String, List<String>> bySystem = new TreeMap<>();
        for (String identity : identities) {
            int dot = identity.indexOf('.');
            String system = dot > 0 ? identity.substring(0, dot) : identity;
            bySystem.computeIfAbsent(system, s -> new ArrayList<>()).add(identity.substring(dot + 1));
        }
        bySystem.forEach((system, externalUsers) -> {
            // never echoed to the system it came from, which has it already
            if (!properties.systems().containsKey(system) || system.equals(message.origin())
                    || repository.delivered(message.messageId(), system)) {
                return;
            }
            String to = conversation.isGroup() ? conversation.value() : "u:" + externalUsers.getFirst();
            publications.add(new Publication(message.messageId(), system,
                    kafka.send(Topics.bridgeOut(system), message.conversation(),
                            envelope(system, message, to, externalUsers))));
        });
    }

    private static String envelope(String system, ConversationRecord.MessagePosted message, String to,
            List<String> recipients) {
        ObjectNode envelope = Json.MAPPER.createObjectNode()
            .put("v", 1)
            .put("system", system)
            .put("externalId", message.messageId())
            .put("from", message.from())
            .put("to", to)
            .put("conversation", message.conversation());
        ArrayNode users = envelope.putArray("recipients");
        recipients.forEach(users::add);
        envelope.put("kind", message.kind());
        envelope.set("content", message.content());
        envelope.put("sentAt", message.sentAt().toString());
        return envelope.toString();
    }
}
