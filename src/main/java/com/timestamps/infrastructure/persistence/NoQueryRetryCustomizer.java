package com.timestamps.infrastructure.persistence;

import org.eclipse.persistence.config.SessionCustomizer;
import org.eclipse.persistence.sessions.Session;

/**
 * Turns off EclipseLink's own retry of reads after a communication failure (3 attempts, 5 s
 * apart by default): it would hold a request for 15 s during an outage, and the recording
 * service already retries every step with back-off within its own budget.
 */
public class NoQueryRetryCustomizer implements SessionCustomizer {

    @Override
    public void customize(Session session) {
        session.getLogin().setQueryRetryAttemptCount(0);
    }
}
