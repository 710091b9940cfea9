package dev.courier.bridge.outbound;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.bridge.BridgeProperties;
import dev.courier.bridge.DeadLetters;
import dev.courier.common.ConversationId;
import dev.courier.common.ExpandedMessage;
import dev.courier.common.Json;
import dev.courier.common.Records;
import dev.courier.common.Topics;

/**
 * Outbound: reads {@code courier.expanded} in a consumer group of its own, so a slow or absent external consumer never
 * slows chat, and publishes each message that reached bridge identities of a system S to {@code courier.bridge.out.S},
 * keyed by conversation, in the envelope form with {@code externalId} = the Courier message id. The fanout-worker
 * announces every such message there after it stored it, with the bridge identities it entered it for (the members at
 * the message's point in its log), so outbound never guesses and never waits: a message the fanout-worker rejected is
 * never announced, one whose expansion is delayed (the stage down or lagging) is published when it is expanded. A
 * message is never echoed to the system it came from.
 * <p>
 * Any producer can write to {@code courier.expanded}: a record that cannot be decoded or fails validation goes to
 * {@code courier.expanded.dlt} with its reason ({@link DeadLetters}) and the rest of its batch is published.
 * <p>
 * Once per system: {@code bridge_deliveries} is checked before publishing and written after Kafka acknowledged. A crash
 * between the two can publish a message again; the stable {@code externalId} lets the external system drop it.
 */
@Component
class OutboundListener {

    private final OutboundRepository repository;

    private final KafkaOperations<String, String> kafka;

    private final DeadLetters deadLetters;

    private final BridgeProperties properties;

    private final Clock clock;

    private final Counter published;

    OutboundListener(
            OutboundRepository repository,
            KafkaOperations<String, String> kafka,
            DeadLetters deadLetters,
            BridgeProperties properties,
            Clock clock,
            MeterRegistry meters) {
        this.repository = repository;
        this.kafka = kafka;
        this.deadLetters = deadLetters;
        this.properties = properties;
        this.clock = clock;
        this.published = meters.counter("courier.bridge.outbound.published");
    }

    /** One message for one system. */
    private record Delivery(String messageId, String system) {}

    @KafkaListener(id = "courier-bridge-outbound", topics = Topics.EXPANDED, batch = "true")
    void on(List<ConsumerRecord<String, String>> records) {
        Map<Delivery, String[]> pending = new LinkedHashMap<>();
        List<CompletableFuture<?>> acknowledgements = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            ExpandedMessage message;
            try {
                message = Records.decodeExpanded(record.value());
            } catch (Records.InvalidRecordException e) {
                acknowledgements.add(deadLetters.reject(record, e.reason(), e.getMessage()));
                continue;
            }
            bySystem(message).forEach((system, externalUsers) -> {
                // never echoed to the system it came from, which has it already; a message announced twice (a
                // redelivery in the fanout-worker) is published once
                if (properties.systems().containsKey(system) && !system.equals(message.origin())) {
                    pending.putIfAbsent(
                            new Delivery(message.messageId(), system),
                            new String[] {message.conversation(), envelope(system, message, externalUsers)});
                }
            });
        }
        Set<String> delivered = pending.isEmpty()
                ? Set.of()
                : repository.delivered(
                        pending.keySet().stream().map(Delivery::messageId).toList());
        List<Delivery> sent = new ArrayList<>();
        pending.forEach((delivery, record) -> {
            if (!delivered.contains(delivery.messageId() + " " + delivery.system())) {
                sent.add(delivery);
                acknowledgements.add(kafka.send(Topics.bridgeOut(delivery.system()), record[0], record[1]));
            }
        });
        CompletableFuture.allOf(acknowledgements.toArray(CompletableFuture[]::new))
                .join();
        long now = clock.millis();
        for (Delivery delivery : sent) {
            repository.recordDelivery(delivery.messageId(), delivery.system(), now);
            published.increment();
        }
    }

    /** The external users of each system among the message's bridge recipients ({@code <system>.<user>}). */
    private static Map<String, List<String>> bySystem(ExpandedMessage message) {
        Map<String, List<String>> bySystem = new TreeMap<>();
        for (String identity : message.bridgeRecipients()) {
            int dot = identity.indexOf('.');
            if (dot > 0) {
                bySystem.computeIfAbsent(identity.substring(0, dot), s -> new ArrayList<>())
                        .add(identity.substring(dot + 1));
            }
        }
        return bySystem;
    }

    private static String envelope(String system, ExpandedMessage message, List<String> recipients) {
        ConversationId conversation = ConversationId.parse(message.conversation());
        String to = conversation.isGroup() ? conversation.value() : "u:" + recipients.getFirst();
        ObjectNode envelope = Json.MAPPER
                .createObjectNode()
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
