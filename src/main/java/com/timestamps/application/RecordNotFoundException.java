package com.timestamps.application;

public class RecordNotFoundException extends ServiceException {

    public RecordNotFoundException(String id) {
        super("not_found", "no timestamp with id " + id);
    }
}
