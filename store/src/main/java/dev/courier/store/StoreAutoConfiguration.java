package dev.courier.store;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The store's repositories, in every service with a database. */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration")
@ConditionalOnBean(JdbcClient.class)
@Import({
    AccountRepository.class,
    BlockRepository.class,
    ChangeOutcomeRepository.class,
    ConversationRepository.class,
    DeviceRepository.class,
    GroupRepository.class,
    MembershipRepository.class,
    MessageRepository.class,
    PushTokenRepository.class
})
public class StoreAutoConfiguration {}
