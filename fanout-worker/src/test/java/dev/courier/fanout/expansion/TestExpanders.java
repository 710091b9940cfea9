package dev.courier.fanout.expansion;

import java.time.Clock;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.courier.store.AccountRepository;
import dev.courier.store.BlockRepository;
import dev.courier.store.ChangeOutcomeRepository;
import dev.courier.store.GroupRepository;
import dev.courier.store.MembershipRepository;
import dev.courier.store.MessageRepository;

/** The expansion stage on the test servers' database, as the fanout-worker wires it. */
final class TestExpanders {

    private TestExpanders() {}

    static Expander expander(JdbcClient jdbc) {
        return new Expander(
                new MessageRepository(jdbc),
                new MembershipRepository(jdbc),
                new AccountRepository(jdbc),
                new GroupRepository(jdbc),
                new BlockRepository(jdbc),
                new ChangeOutcomeRepository(jdbc),
                Clock.systemUTC());
    }
}
