//! Ways to give a template's placeholder values without building a `serde_json::Map` by hand.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::Error;

/// Personalisation: placeholder name to value (string, number, bool, list, or a file from
/// [`crate::prepare_upload`]).
pub type Personalisation = Map<String, Value>;

/// Anything the `personalisation` builders take: a [`Personalisation`] map as before, name and value pairs
/// (`[("name", "Ada"), ("reference number", "CT-000001")]`, or a `Vec` of them), or a `HashMap` or `BTreeMap`
/// of names to values. A value is anything `serde_json::Value` converts from: text, numbers, booleans, lists
/// of text, or a [`crate::prepare_upload`] file. For a struct of your own, see [`personalisation_of`].
///
/// ```
/// use gaap_notify::EmailRequest;
/// let request = EmailRequest::new("ada@example.com", uuid::Uuid::nil())
///     .personalisation([("name", "Ada"), ("reference number", "CT-000001")]);
/// let values = request.personalisation.unwrap_or_default();
/// assert_eq!(values["reference number"], "CT-000001");
/// ```
pub trait IntoPersonalisation {
    /// The placeholder values as Notify's JSON object.
    fn into_personalisation(self) -> Personalisation;
}

impl IntoPersonalisation for Personalisation {
    fn into_personalisation(self) -> Personalisation {
        self
    }
}

impl<K: Into<String>, V: Into<Value>, const N: usize> IntoPersonalisation for [(K, V); N] {
    fn into_personalisation(self) -> Personalisation {
        self.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
    }
}

impl<K: Into<String>, V: Into<Value>> IntoPersonalisation for Vec<(K, V)> {
    fn into_personalisation(self) -> Personalisation {
        self.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
    }
}

impl<K: Into<String>, V: Into<Value>, S: BuildHasher> IntoPersonalisation for HashMap<K, V, S> {
    fn into_personalisation(self) -> Personalisation {
        self.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
    }
}

impl<K: Into<String>, V: Into<Value>> IntoPersonalisation for BTreeMap<K, V> {
    fn into_personalisation(self) -> Personalisation {
        self.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
    }
}

/// The personalisation of any value that serialises to a JSON object, such as a struct of your own with
/// `#[derive(Serialize)]` (use `#[serde(rename = "reference number")]` for a placeholder with a space).
///
/// # Errors
/// [`Error::Personalisation`] when the value does not serialise, or serialises to something other than an
/// object (a string, a list, `null`): Notify's placeholders are named.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Receipt<'a> {
///     name: &'a str,
///     #[serde(rename = "reference number")]
///     reference: &'a str,
///     amount: u32,
/// }
/// let values = gaap_notify::personalisation_of(&Receipt { name: "Ada", reference: "CT-1", amount: 1680 })?;
/// assert_eq!(values["reference number"], "CT-1");
/// assert_eq!(values["amount"], 1680);
/// assert!(gaap_notify::personalisation_of(&["not", "named"]).is_err());
/// # Ok::<(), gaap_notify::Error>(())
/// ```
pub fn personalisation_of<T: Serialize + ?Sized>(value: &T) -> Result<Personalisation, Error> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Error::Personalisation {
            reason: format!(
                "it serialises to {}, not an object of placeholder names",
                kind(&other)
            ),
            source: None,
        }),
        Err(source) => Err(Error::Personalisation {
            reason: "it does not serialise to JSON".to_owned(),
            source: Some(source),
        }),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_maps_and_the_old_map_give_the_same_values() {
        let want: Personalisation = serde_json::from_str(r#"{"name":"Ada","count":3}"#).unwrap();
        let pairs: Personalisation =
            [("name", Value::from("Ada")), ("count", Value::from(3))].into_personalisation();
        assert_eq!(pairs, want);
        let vec: Personalisation =
            vec![("name".to_owned(), Value::from("Ada")), ("count".to_owned(), Value::from(3))]
                .into_personalisation();
        assert_eq!(vec, want);
        let hash: HashMap<&str, Value> =
            [("name", Value::from("Ada")), ("count", Value::from(3))].into_iter().collect();
        assert_eq!(hash.into_personalisation(), want);
        let btree: BTreeMap<String, Value> =
            [("name".to_owned(), "Ada".into()), ("count".to_owned(), 3.into())].into();
        assert_eq!(btree.into_personalisation(), want);
        assert_eq!(want.clone().into_personalisation(), want);
    }

    #[test]
    fn a_value_that_is_not_an_object_is_refused_saying_what_it_is() {
        for (value, what) in [
            (serde_json::json!("Ada"), "a string"),
            (serde_json::json!(["Ada"]), "a list"),
            (Value::Null, "null"),
            (serde_json::json!(1), "a number"),
        ] {
            let err = personalisation_of(&value).unwrap_err();
            assert!(matches!(err, Error::Personalisation { source: None, .. }));
            assert!(err.to_string().contains(what), "{err}");
        }
        // A map with non-text keys cannot be JSON: the serde error is kept as the source.
        let bad: HashMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        let err = personalisation_of(&bad).unwrap_err();
        assert!(std::error::Error::source(&err).is_some(), "{err}");
    }
}
