//! [`secret_string!`](crate::secret_string): the one shape of a secret string in the gaap crates.

/// Declares a secret string newtype, the oauth2-rs way: the value is private, `Debug` prints only
/// `Name([redacted])`, and there is no `PartialEq` (compare secrets in constant time, on purpose), no
/// `Display` and no `Deref`, so a secret reaches a log or a comparison only through
/// `expose_secret()`.
///
/// The type gets `Clone`, `new(impl Into<String>)` and `expose_secret() -> &str`, both with the
/// type's own visibility. Attributes written before the type (docs, `#[derive(serde::Deserialize)]`
/// with `#[serde(transparent)]`) are kept. Methods of its own go in an `impl` block next to it.
///
/// ```
/// gaap_http::secret_string! {
///     /// An access token.
///     pub struct AccessToken;
/// }
///
/// let token = AccessToken::new("s3cr3t");
/// assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
/// assert_eq!(token.expose_secret(), "s3cr3t");
/// ```
///
/// Two secrets cannot be compared with `==`:
///
/// ```compile_fail
/// gaap_http::secret_string! { pub struct Token; }
/// let same = Token::new("a") == Token::new("a");
/// ```
///
/// Nor printed with `{}`:
///
/// ```compile_fail
/// gaap_http::secret_string! { pub struct Token; }
/// let shown = format!("{}", Token::new("a"));
/// ```
#[macro_export]
macro_rules! secret_string {
    ($(#[$meta:meta])* $vis:vis struct $name:ident;) => {
        $(#[$meta])*
        ///
        /// Its `Debug` is redacted and it has no `PartialEq`; read it with `expose_secret`.
        #[derive(Clone)]
        $vis struct $name(::std::string::String);

        impl $name {
            /// Wraps a secret value.
            #[must_use]
            #[allow(dead_code)]
            $vis fn new(value: impl ::std::convert::Into<::std::string::String>) -> Self {
                Self(value.into())
            }

            /// The secret value: send it, hash it or compare it in constant time; never log it.
            #[must_use]
            #[allow(dead_code)]
            $vis fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(::std::concat!(::std::stringify!($name), "([redacted])"))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::secret_string! {
        /// A test secret.
        pub(crate) struct Token;
    }

    #[test]
    fn debug_is_redacted_and_the_value_is_kept() {
        let token = Token::new(String::from("hunter2"));
        let shown = format!("{token:?} {:?}", token.clone());
        assert_eq!(shown, "Token([redacted]) Token([redacted])");
        assert_eq!(token.expose_secret(), "hunter2");
    }
}
