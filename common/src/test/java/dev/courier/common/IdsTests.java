package dev.courier.common;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdsTests {

    @Test
    void parsesAddresses() {
        assertThat(Address.parse("u:bob")).isEqualTo(new Address.User("bob"));
        assertThat(Address.parse("g:team-1")).isEqualTo(new Address.Group("team-1"));
        for (String bad : new String[] {"bob", "u:", "u:Bob", "x:bob", "g:team 1", "u:" + "a".repeat(65)}) {
            assertThatThrownBy(() -> Address.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void directConversationIsTheSameFromBothSides() {
        assertThat(Address.parse("u:bob").conversationFrom("alice"))
                .isEqualTo(Address.parse("u:alice").conversationFrom("bob"))
                .isEqualTo(new ConversationId("d:alice:bob"));
        assertThat(ConversationId.parse("d:alice:bob").directUsers()).containsExactly("alice", "bob");
        assertThatThrownBy(() -> ConversationId.parse("d:bob:alice")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void messageIdIsStablePerSendAndDistinctAcrossSends() {
        assertThat(MessageId.forSend("alice", "c1"))
                .isEqualTo(MessageId.forSend("alice", "c1"))
                .isNotEqualTo(MessageId.forSend("alice", "c2"))
                .isNotEqualTo(MessageId.forSend("bob", "c1"))
                .hasSize(26)
                .startsWith("m");
        // the length prefix keeps ("ab","c") and ("a","bc") apart
        assertThat(MessageId.forSend("ab", "c")).isNotEqualTo(MessageId.forSend("a", "bc"));
        assertThat(MessageId.forBridge("weibo", "wb-1")).startsWith("b").hasSize(26);
    }

    @Test
    void checksIdForms() {
        assertThat(Ids.isUserId("bob.smith_1-x")).isTrue();
        assertThat(Ids.isUserId("Bob")).isFalse();
        assertThat(Ids.isDeviceId("Phone-1")).isTrue();
        assertThat(Ids.isClientMsgId("c-1:x")).isTrue();
        assertThat(Ids.isClientMsgId("has space")).isFalse();
        assertThat(Ids.isClientMsgId("")).isFalse();
    }
}
