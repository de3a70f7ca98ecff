//! The council tax app over plain HTTP (no browser): pages, errors and the webhook endpoint.
