package dev.courier.push;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import dev.courier.common.Topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class PushTopicsIntegrationTests {

    @Test
    void declaresTheTopicItReadsWithItsPartitionsAndItsDeadLetterTopic() {
        assertThat(TestPush.worker().getBeansOfType(NewTopic.class).values())
                .extracting(NewTopic::name, NewTopic::numPartitions)
                .containsExactlyInAnyOrder(tuple(Topics.PUSH, 8), tuple(Topics.deadLetter(Topics.PUSH), 1));
    }
}
