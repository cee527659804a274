package com.timestamps.application;

/** The request is malformed: bad key, limit or cursor. */
public class InvalidRequestException extends ServiceException {

    public InvalidRequestException(String code, String message) {
        super(code, message);
    }
}
