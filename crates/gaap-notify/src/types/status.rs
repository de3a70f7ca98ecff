//! Server-controlled enums: `#[non_exhaustive]` with an `Unknown(String)` fallback, so a status
//! Notify adds later decodes instead of failing.

macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version does not know.
            Unknown(String),
        }

        impl $name {
            /// The wire value.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($wire => Self::$variant,)*
                    _ => Self::Unknown(s),
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::from(s.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_owned()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum! {
    /// A notification's status (app/constants.py; letters use the public mapping).
    NotificationStatus {
        /// Notify has the message.
        Created => "created",
        /// Sent to the provider.
        Sending => "sending",
        /// Waiting for the provider's receipt (SMS).
        Pending => "pending",
        /// Sent internationally, no receipt expected.
        Sent => "sent",
        /// Delivered.
        Delivered => "delivered",
        /// The provider could not deliver (bad address or number).
        PermanentFailure => "permanent-failure",
        /// The provider could not deliver for now (inbox full, phone off).
        TemporaryFailure => "temporary-failure",
        /// Notify's own failure.
        TechnicalFailure => "technical-failure",
        /// Letter accepted for printing.
        Accepted => "accepted",
        /// Letter received by the postal provider.
        Received => "received",
        /// Letter cancelled.
        Cancelled => "cancelled",
        /// Precompiled letter waiting for the virus scan.
        PendingVirusCheck => "pending-virus-check",
        /// Precompiled letter failed the virus scan.
        VirusScanFailed => "virus-scan-failed",
        /// Precompiled letter failed validation.
        ValidationFailed => "validation-failed",
        /// Deprecated catch-all failure.
        Failed => "failed",
        /// Letter returned (internal).
        ReturnedLetter => "returned-letter",
    }
}

open_enum! {
    /// A notification or template type.
    NotificationType {
        /// Email.
        Email => "email",
        /// Text message.
        Sms => "sms",
        /// Letter.
        Letter => "letter",
    }
}
