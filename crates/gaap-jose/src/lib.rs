//! JWS and JWK on ring.
