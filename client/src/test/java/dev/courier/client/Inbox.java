package dev.courier.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A listener that keeps everything it was handed: messages and conversation states. */
final class Inbox implements SyncListener {

    final List<Message> messages = new CopyOnWriteArrayList<>();

    final List<Conversation> states = new CopyOnWriteArrayList<>();

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
    public void onResync() {
        resyncs.incrementAndGet();
    }

    List<String> ids() {
        return messages.stream().map(Message::messageId).toList();
    }

    /** Whether a state of {@code conversation} that passes {@code check} arrived. */
    boolean saw(String conversation, Predicate<Conversation> check) {
        return states.stream().anyMatch(state -> state.conversation().equals(conversation) && check.test(state));
    }

    List<String> texts() {
        return messages.stream().map(Message::text).toList();
    }
}
