package dev.courier.web;

import java.time.Clock;
import java.util.List;

import org.apache.catalina.core.StandardHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

import dev.courier.common.AccessTokens;
import dev.courier.common.StrictJson;
import dev.courier.ops.Background;
import dev.courier.store.DeviceRepository;

/** Wires the shared HTTP behaviour into every Courier web service. */
@AutoConfiguration(beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties({AuthProperties.class, SocketProperties.class, HttpProperties.class})
@Import({ProblemHandler.class, ProblemErrorController.class, OpenApiConfiguration.class})
public class WebSupportAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WebSupportAutoConfiguration.class);

    @Bean
    AccessTokens accessTokens(AuthProperties properties, Clock clock) {
        if (AuthProperties.DEVELOPMENT_SECRET.equals(properties.tokenSecret())) {
            log.warn("courier.auth.token-secret is the development default: set a secret of your own in production");
        }
        return new AccessTokens(properties.tokenSecret(), properties.tokenTtl(), clock);
    }

    @Bean
    KnownDevices knownDevices(ObjectProvider<DeviceRepository> devices, HttpProperties properties, Clock clock) {
        return new KnownDevices(devices.getIfAvailable(), properties, clock);
    }

    @Bean
    Authenticator authenticator(AccessTokens tokens, KnownDevices devices) {
        return new Authenticator(tokens, devices);
    }

    @Bean
    FilterRegistrationBean<BodySizeFilter> bodySizeFilter(HttpProperties properties) {
        FilterRegistrationBean<BodySizeFilter> registration = new FilterRegistrationBean<>(
                new BodySizeFilter(properties.maxBodySize().toBytes()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    /** Spring MVC reads request bodies as strictly as the rest of Courier (see {@link StrictJson}). */
    @Bean
    JsonMapperBuilderCustomizer strictJson() {
        return StrictJson::configure;
    }

    /** Tomcat's own refusals, before any servlet, in problem+json too. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
        });
    }

    @Bean
    TokenHandshakeInterceptor tokenHandshakeInterceptor(Authenticator authenticator) {
        return new TokenHandshakeInterceptor(authenticator);
    }

    @Bean
    ServletServerContainerFactoryBean webSocketContainer(SocketProperties properties) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize((int) properties.maxFrameSize().toBytes());
        container.setMaxBinaryMessageBufferSize((int) properties.maxFrameSize().toBytes());
        return container;
    }

    @Bean
    SocketKeepAlive socketKeepAlive(
            ObjectProvider<AuthenticatedSocketHandler> handlers,
            SocketProperties properties,
            @Qualifier(Background.SCHEDULER) TaskScheduler scheduler) {
        return new SocketKeepAlive(handlers, properties.heartbeat(), scheduler);
    }

    @Bean
    WebMvcConfigurer callerResolverConfigurer(AccessTokens tokens, KnownDevices devices) {
        return new WebMvcConfigurer() {
            @Override
            public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                resolvers.add(new CallerArgumentResolver(tokens, devices));
            }

            // Callers authenticate with a bearer header, never with cookies: any origin may call the API
            // (a browser page on another port or host, such as the demo page), without credentials mode.
            @Override
            public void addCorsMappings(CorsRegistry registry) {
                registry.addMapping("/v1/**")
                        .allowedOriginPatterns("*")
                        .allowedMethods("*")
                        .allowedHeaders("*");
            }
        };
    }
}
