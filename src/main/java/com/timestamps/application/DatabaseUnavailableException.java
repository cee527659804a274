package com.timestamps.application;

/** The database cannot be reached or cannot take writes now; trying again later may work. */
public class DatabaseUnavailableException extends ServiceException {

    public DatabaseUnavailableException(String message, Throwable cause) {
        super("database_unavailable", message, cause);
    }
}
