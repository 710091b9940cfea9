package dev.courier.push;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Component;

import dev.courier.common.PushCandidate;
import dev.courier.push.provider.Push;
import dev.courier.store.AccountRepository;
import dev.courier.store.MessageRepository;

/**
 * The content of pushes when {@code courier.push.preview} is on: the sender's display name and the first 100
 * characters (code points) of a text message as it is stored now (an edit's text; nothing of a recalled one).
 */
@Component
class Previews {

    static final int MAX_TEXT = 100;

    private final AccountRepository accounts;

    private final MessageRepository messages;

    Previews(AccountRepository accounts, MessageRepository messages) {
        this.accounts = accounts;
        this.messages = messages;
    }

    /** The preview of each candidate's message, by message id. */
    Map<String, Push.Preview> of(Collection<PushCandidate> candidates) {
        Set<String> senders = new LinkedHashSet<>();
        candidates.forEach(candidate -> senders.add(candidate.from()));
        Map<String, String> names = accounts.displayNames(senders);
        Map<String, Push.Preview> previews = new HashMap<>();
        for (PushCandidate candidate : candidates) {
            if (previews.containsKey(candidate.messageId())) {
                continue;
            }
            String text = null;
            if (candidate.kind().equals("text")) {
                text = messages.find(candidate.messageId())
                        .filter(message -> message.recalledAt() == null
                                && message.content().isString())
                        .map(message -> start(message.content().stringValue()))
                        .orElse(null);
            }
            previews.put(
                    candidate.messageId(),
                    new Push.Preview(names.getOrDefault(candidate.from(), candidate.from()), text));
        }
        return previews;
    }

    /** The first {@link #MAX_TEXT} code points. */
    static String start(String text) {
        int count = text.codePointCount(0, text.length());
        return count <= MAX_TEXT ? text : text.substring(0, text.offsetByCodePoints(0, MAX_TEXT));
    }
}
