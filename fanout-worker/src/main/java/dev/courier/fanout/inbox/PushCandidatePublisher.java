package dev.courier.fanout.inbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

import dev.courier.common.PushCandidate;
import dev.courier.common.Records;
import dev.courier.common.Topics;

/**
 * Publishes the push candidates of an inbox batch to {@code courier.push}, keyed by user, after the batch's database
 * commit and before its offsets move: {@link #publish} returns once Kafka acknowledged every one, and throws if it did
 * not, so the batch is retried (and, its rows now present, publishes its candidates again). A crash between the
 * commit and this publish therefore loses no push. Only users with a push token get candidates (the batch reads which
 * of its users have one with their counters, {@link InboxRepository#headsAndTokens}): a deployment where nobody
 * registered a token publishes nothing. Meter:
 * {@code courier.fanout.push.candidates}.
 */
@Component
class PushCandidatePublisher {

    private final KafkaOperations<String, String> kafka;

    private final Counter published;

    PushCandidatePublisher(KafkaOperations<String, String> kafka, MeterRegistry meters) {
        this.kafka = kafka;
        this.published = meters.counter("courier.fanout.push.candidates");
    }

    /**
     * @param candidates the batch's candidates, of users with a push token
     * @throws KafkaException when Kafka did not acknowledge them all (the batch is then retried)
     */
    void publish(List<PushCandidate> candidates) {
        if (candidates.isEmpty()) {
            return;
        }
        List<CompletableFuture<SendResult<String, String>>> sends = new ArrayList<>(candidates.size());
        for (PushCandidate candidate : candidates) {
            sends.add(kafka.send(new ProducerRecord<>(Topics.PUSH, candidate.userId(), Records.encode(candidate))));
        }
        // the batch waits for the acknowledgements anyway: sent at once, not after linger.ms
        kafka.flush();
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new KafkaException("Kafka did not acknowledge every push candidate: " + cause, cause);
        }
        published.increment(sends.size());
    }
}
