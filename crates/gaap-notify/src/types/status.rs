//! Server-controlled enums: `#[non_exhaustive]` with an `Unknown(String)` fallback, so a status
//! Notify adds later decodes instead of failing (gaap-http's `open_enum!`).

gaap_http::open_enum! {
    /// A notification's status (app/constants.py; letters use the public mapping).
    pub enum NotificationStatus {
        /// Notify has the message.
        Created = "created",
        /// Sent to the provider.
        Sending = "sending",
        /// Waiting for the provider's receipt (SMS).
        Pending = "pending",
        /// Sent internationally, no receipt expected.
        Sent = "sent",
        /// Delivered.
        Delivered = "delivered",
        /// The provider could not deliver (bad address or number).
        PermanentFailure = "permanent-failure",
        /// The provider could not deliver for now (inbox full, phone off).
        TemporaryFailure = "temporary-failure",
        /// Notify's own failure.
        TechnicalFailure = "technical-failure",
        /// Letter accepted for printing.
        Accepted = "accepted",
        /// Letter received by the postal provider.
        Received = "received",
        /// Letter cancelled.
        Cancelled = "cancelled",
        /// Precompiled letter waiting for the virus scan.
        PendingVirusCheck = "pending-virus-check",
        /// Precompiled letter failed the virus scan.
        VirusScanFailed = "virus-scan-failed",
        /// Precompiled letter failed validation.
        ValidationFailed = "validation-failed",
        /// Deprecated catch-all failure.
        Failed = "failed",
        /// Letter returned (internal).
        ReturnedLetter = "returned-letter",
    }
}

gaap_http::open_enum! {
    /// A notification or template type.
    pub enum NotificationType {
        /// Email.
        Email = "email",
        /// Text message.
        Sms = "sms",
        /// Letter.
        Letter = "letter",
    }
}
