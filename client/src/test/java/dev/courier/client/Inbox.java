package dev.courier.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A listener that keeps everything it was handed. */
final class Inbox implements SyncListener {

    final List<Message> messages = new CopyOnWriteArrayList<>();

    final AtomicInteger resyncs = new AtomicInteger();

    @Override
    public void onMessages(List<Message> batch) {
        messages.addAll(batch);
    }

    @Override
    public void onResync() {
        resyncs.incrementAndGet();
    }

    List<String> ids() {
        return messages.stream().map(Message::messageId).toList();
    }

    List<String> texts() {
        return messages.stream().map(Message::text).toList();
    }
}
