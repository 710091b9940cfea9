package dev.courier.ops;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Kafka is up when the cluster describes itself within two seconds. */
final class KafkaHealthIndicator implements HealthIndicator, DisposableBean {

    private final AdminClient admin;

    KafkaHealthIndicator(Map<String, Object> adminProperties) {
        this.admin = AdminClient.create(adminProperties);
    }

    @Override
    public Health health() {
        try {
            DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000));
            int nodes = cluster.nodes().get(2, TimeUnit.SECONDS).size();
            return Health.up()
                    .withDetail("clusterId", cluster.clusterId().get(2, TimeUnit.SECONDS))
                    .withDetail("brokers", nodes)
                    .build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down(e).build();
        } catch (Exception e) {
            return Health.down().withDetail("error", e.toString()).build();
        }
    }

    @Override
    public void destroy() {
        admin.close();
    }
}
