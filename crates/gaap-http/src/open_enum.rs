//! [`open_enum!`](crate::open_enum): the one shape of a server-controlled string enum in the gaap crates.

/// What every [`open_enum!`](crate::open_enum) type implements, for code generic over them (the methods are
/// the type's own, which win in code that names the type).
///
/// [`OpenEnum::known`] reads a closed vocabulary: a server that refuses values it does not know parses with
/// it and answers `None` with [`OpenEnum::WIRE_VALUES`] as the values it takes.
///
/// ```
/// use gaap_http::OpenEnum;
///
/// gaap_http::open_enum! {
///     /// A response mode.
///     pub enum Mode {
///         /// `query`.
///         Query = "query",
///     }
/// }
///
/// assert_eq!(Mode::known("query"), Some(Mode::Query));
/// assert_eq!(Mode::known("form_post"), None);
/// assert_eq!(<Mode as OpenEnum>::WIRE_VALUES, ["query"]);
/// ```
pub trait OpenEnum: Sized {
    /// The wire strings this version knows, in declaration order.
    const WIRE_VALUES: &'static [&'static str];

    /// The wire string.
    fn as_str(&self) -> &str;

    /// Reads a wire string (exact match); an unknown value is kept in `Unknown`.
    fn parse(value: &str) -> Self;

    /// Whether this is a value this version knows.
    fn is_known(&self) -> bool;

    /// The value with this wire string when this version knows it; `None` for anything else.
    fn known(value: &str) -> Option<Self> {
        Some(Self::parse(value)).filter(Self::is_known)
    }
}

/// Declares an open enum: the wire strings a platform sends today as variants, plus
/// `Unknown(String)` for a value added later, so decoding never fails on a new value and the value
/// is kept as sent.
///
/// The enum implements [`OpenEnum`](crate::OpenEnum), is `#[non_exhaustive]` and derives `Debug, Clone, PartialEq, Eq, Hash` (more derives
/// may be written before `enum`, `Default` with a `#[default]` variant among them). It gets:
///
/// - `as_str()`: the wire string, and `WIRE_VALUES`: the known wire strings in declaration order;
/// - `parse(&str)`, `FromStr` (never fails), `From<&str>` and `From<String>`: exact, case-sensitive
///   matching, anything else kept in `Unknown`; `is_known()`;
/// - `From<Self> for String` and `Display`: the wire string;
/// - `serde::Serialize` and `serde::Deserialize` as the wire string, written without the derive.
///   The paths are `::serde::…`, so the crate that uses the macro depends on `serde`; gaap-http
///   does not.
///
/// ```
/// gaap_http::open_enum! {
///     /// A colour.
///     pub enum Colour {
///         /// Red.
///         Red = "red",
///         /// Light blue.
///         LightBlue = "light-blue",
///     }
/// }
///
/// assert_eq!(Colour::parse("light-blue"), Colour::LightBlue);
/// assert_eq!(Colour::from("mauve"), Colour::Unknown("mauve".to_owned()));
/// assert_eq!(Colour::LightBlue.to_string(), "light-blue");
/// assert_eq!(serde_json::to_string(&Colour::Red).unwrap(), r#""red""#);
/// let decoded: Colour = serde_json::from_str(r#""teal""#).unwrap();
/// assert_eq!(decoded.as_str(), "teal");
/// assert!(!decoded.is_known());
/// assert_eq!(Colour::WIRE_VALUES, ["red", "light-blue"]);
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know, kept as sent.
            Unknown(::std::string::String),
        }

        impl $name {
            /// The wire strings this version knows, in declaration order.
            $vis const WIRE_VALUES: &'static [&'static str] = &[$($wire),+];

            /// The wire string.
            #[must_use]
            $vis fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(other) => other,
                }
            }

            /// Reads a wire string (exact match); an unknown value is kept in `Unknown`.
            #[must_use]
            $vis fn parse(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// Whether this is a value this version knows.
            #[must_use]
            $vis fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl $crate::OpenEnum for $name {
            const WIRE_VALUES: &'static [&'static str] = Self::WIRE_VALUES;

            fn as_str(&self) -> &str {
                Self::as_str(self)
            }

            fn parse(value: &str) -> Self {
                Self::parse(value)
            }

            fn is_known(&self) -> bool {
                Self::is_known(self)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::parse(value))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::parse(value)
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::convert::From<$name> for ::std::string::String {
            fn from(value: $name) -> Self {
                match value {
                    $name::Unknown(other) => other,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                struct WireVisitor;

                impl ::serde::de::Visitor<'_> for WireVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a string")
                    }

                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<$name, E> {
                        Ok($name::parse(value))
                    }

                    fn visit_string<E: ::serde::de::Error>(
                        self,
                        value: ::std::string::String,
                    ) -> ::std::result::Result<$name, E> {
                        Ok($name::from(value))
                    }
                }

                d.deserialize_string(WireVisitor)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    crate::open_enum! {
        /// A test enum.
        #[derive(PartialOrd, Ord)]
        pub(crate) enum Status {
            /// Sent.
            Sent = "sent",
            /// Failed for good.
            PermanentFailure = "permanent-failure",
        }
    }

    #[test]
    fn known_values_round_trip_through_every_conversion() {
        for (value, wire) in
            [(Status::Sent, "sent"), (Status::PermanentFailure, "permanent-failure")]
        {
            assert_eq!(value.as_str(), wire);
            assert_eq!(value.to_string(), wire);
            assert_eq!(String::from(value.clone()), wire);
            assert_eq!(Status::parse(wire), value);
            assert_eq!(Status::from(wire.to_owned()), value);
            assert_eq!(wire.parse::<Status>(), Ok(value.clone()));
            assert_eq!(serde_json::to_string(&value).unwrap(), format!("\"{wire}\""));
            assert_eq!(serde_json::from_str::<Status>(&format!("\"{wire}\"")).unwrap(), value);
            assert!(value.is_known());
        }
        assert_eq!(Status::WIRE_VALUES, ["sent", "permanent-failure"]);
    }

    #[test]
    fn matching_is_exact_and_unknown_values_are_kept() {
        assert_eq!(Status::parse("SENT"), Status::Unknown("SENT".to_owned()));
        assert_eq!(Status::from(" sent"), Status::Unknown(" sent".to_owned()));
        assert!(!Status::parse("").is_known());
        let err = serde_json::from_str::<Status>("3").unwrap_err();
        assert!(err.to_string().contains("expected a string"), "{err}");
    }

    proptest! {
        #[test]
        fn any_string_survives_parse_display_and_serde(wire in ".*") {
            let value = Status::parse(&wire);
            prop_assert_eq!(value.as_str(), wire.as_str());
            prop_assert_eq!(value.is_known(), Status::WIRE_VALUES.contains(&wire.as_str()));
            prop_assert_eq!(&Status::from(wire.clone()), &value);
            let json = serde_json::to_string(&value).unwrap();
            prop_assert_eq!(&json, &serde_json::to_string(&wire).unwrap());
            prop_assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), value);
        }
    }
}
