package dev.courier.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A listener that keeps everything it was handed: messages, conversation states and groups. */
final class Inbox implements SyncListener {

    final List<Message> messages = new CopyOnWriteArrayList<>();

    final List<Conversation> states = new CopyOnWriteArrayList<>();

    final List<Group> groups = new CopyOnWriteArrayList<>();

    final AtomicInteger resyncs = new AtomicInteger();

    @Override
    public void onMessages(List<Message> batch) {
        messages.addAll(batch);
    }

    @Override
    public void onConversations(List<Conversation> batch) {
        states.addAll(batch);
    }

    @Override
    public void onGroups(List<Group> batch) {
        groups.addAll(batch);
    }

    @Override
    public void onResync() {
        resyncs.incrementAndGet();
    }

    List<String> ids() {
        return messages.stream().map(Message::messageId).toList();
    }

    /** The ids of the messages people sent that arrived: without a group's system messages. */
    List<String> sentIds() {
        return messages.stream()
                .filter(m -> !m.isSystem())
                .map(Message::messageId)
                .toList();
    }

    /** Whether a state of {@code conversation} that passes {@code check} arrived. */
    boolean saw(String conversation, Predicate<Conversation> check) {
        return states.stream().anyMatch(state -> state.conversation().equals(conversation) && check.test(state));
    }

    /** The newest state of the group that arrived, or null. */
    Group group(String groupId) {
        return groups.stream()
                .filter(group -> group.groupId().equals(groupId))
                .reduce((older, newer) -> newer)
                .orElse(null);
    }

    /** The system events of a conversation that arrived, in order. */
    List<Content> events(String conversation) {
        return messages.stream()
                .filter(m -> m.conversation().equals(conversation) && m.isSystem())
                .map(Message::content)
                .toList();
    }

    List<String> texts() {
        return messages.stream().map(Message::text).toList();
    }
}
