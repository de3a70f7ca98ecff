//! Postcodes, UPRNs, addresses and the OS Places response shape.

pub mod address;
pub mod os_places;
pub mod postcode;
pub mod source;
pub mod uprn;
