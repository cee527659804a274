package com.timestamps.application;

/** A failure the client is told about, with a short stable code. */
public abstract class ServiceException extends RuntimeException {

    private final String code;

    protected ServiceException(String code, String message) {
        super(message);
        this.code = code;
    }

    protected ServiceException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
