package com.timestamps.application;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The name this instance puts on the records it takes: {@code app.instance}, else the host name. */
@ApplicationScoped
public class InstanceName {

    @Inject
    @ConfigProperty(name = "app.instance")
    Optional<String> configured;

    private String name;

    @PostConstruct
    void resolve() {
        name = configured.filter(value -> !value.isBlank()).orElseGet(InstanceName::hostName);
    }

    public String get() {
        return name;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
