package com.timestamps.infrastructure.lifecycle;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Tells whether the JVM has begun to shut down (SIGTERM, {@code systemctl stop}).
 *
 * <p>Payara Micro keeps serving for its shutdown grace period ({@code --shutdowngrace}) before it
 * undeploys the application; a request that arrives during the undeploy gets the container's
 * HTML 500. So from the signal on, this instance reports not ready and answers new requests
 * with a JSON 503, which nginx retries on another instance, while the requests it has begun
 * finish within the grace period. The application hears of the signal only through a JVM
 * shutdown hook: Payara's own hook runs beside it, not after it.
 */
@ApplicationScoped
public class ShutdownSignal {

    private static final Logger LOG = Logger.getLogger(ShutdownSignal.class.getName());

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Thread hook = new Thread(this::shutdownBegan, "shutdown-signal");

    void listenFromStart(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @PreDestroy
    void stopListening() {
        try {
            // an undeploy without a JVM shutdown (a redeploy) must not leave the hook behind
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shutdownInProgress) {
            // the hook has run already
        }
    }

    private void shutdownBegan() {
        stopping.set(true);
        LOG.info("shutdown signal: not ready, new requests are answered 503 until the application stops");
    }

    public boolean isStopping() {
        return stopping.get();
    }
}
