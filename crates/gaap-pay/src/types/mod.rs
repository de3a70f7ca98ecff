//! Request and response types, snake_case as on the wire, with null fields omitted.

mod agreement;
mod payment;
mod refund;

pub use agreement::{
    Agreement, AgreementStatus, AuthoriseRequest, CreateAgreementRequest, Dispute, DisputeReason,
    DisputeStatus, PaymentInstrument,
};
pub use payment::{
    Address, AgreementPaymentType, AuthorisationMode, CardDetails, CardType, CreatePaymentRequest,
    IdempotencyKey, Language, MetadataValue, Payment, PaymentEventRecord, PaymentEvents,
    PaymentLinks, PaymentStatus, PrefilledCardholderDetails, SettlementSummary, State,
};
pub use refund::{
    CreateRefundRequest, EmbeddedRefunds, Refund, RefundAvailability, RefundList, RefundStatus,
    RefundSummary,
};

use serde::{Deserialize, Serialize};

/// A HAL-style link: `{href, method}`, POST links also carry `type` and `params`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Link {
    /// The URL.
    pub href: String,
    /// `GET` or `POST`.
    pub method: String,
    /// The body content type, for POST links.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The body parameters, for POST links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Link {
    /// A GET link.
    #[must_use]
    pub fn get(href: impl Into<String>) -> Self {
        Self { href: href.into(), method: "GET".to_owned(), content_type: None, params: None }
    }

    /// A POST link without body parameters.
    #[must_use]
    pub fn post(href: impl Into<String>) -> Self {
        Self { href: href.into(), method: "POST".to_owned(), content_type: None, params: None }
    }
}

/// Pay's error body: `{field?, header?, code, description}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RequestError {
    /// The request field at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The request header at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Pay's error code, such as `P0102`.
    pub code: String,
    /// Pay's human description.
    pub description: String,
}

impl RequestError {
    /// An error about `field`.
    #[must_use]
    pub fn for_field(
        field: impl Into<String>,
        code: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            field: Some(field.into()),
            header: None,
            code: code.into(),
            description: description.into(),
        }
    }

    /// An error with no field.
    #[must_use]
    pub fn new(code: impl Into<String>, description: impl Into<String>) -> Self {
        Self { field: None, header: None, code: code.into(), description: description.into() }
    }
}

/// Pagination links of a search page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SearchLinks {
    /// This page.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<Link>,
    /// The first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_page: Option<Link>,
    /// The last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_page: Option<Link>,
    /// The previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_page: Option<Link>,
    /// The next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page: Option<Link>,
}

/// One page of search results. Disputes search sends `links` instead of `_links`; both are read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SearchPage<T> {
    /// Total matches across all pages.
    #[serde(default)]
    pub total: u64,
    /// Results on this page.
    #[serde(default)]
    pub count: u64,
    /// This page's number, from 1.
    #[serde(default)]
    pub page: u64,
    /// The results, newest first.
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    /// Pagination links.
    #[serde(rename = "_links", alias = "links", default)]
    pub links: SearchLinks,
}

impl<T> SearchPage<T> {
    /// Page `page` of `total` matches, holding `results` (so `count` is their number), with its links: the
    /// page a server answers with.
    #[must_use]
    pub fn new(total: u64, page: u64, results: Vec<T>, links: SearchLinks) -> Self {
        Self { total, count: results.len() as u64, page, results, links }
    }
}

/// Query parameters for a search. Pay ignores none silently: an invalid one gives 422 with every bad name.
///
/// ```
/// use gaap_pay::Search;
/// let q = Search::new().reference("INV-1").state("success").display_size(100);
/// assert_eq!(q.pairs()[0], ("reference".to_owned(), "INV-1".to_owned()));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pairs: Vec<(String, String)>,
}

impl Search {
    /// No filters: everything, newest first.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Any parameter by name.
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.pairs.retain(|(n, _)| *n != name);
        self.pairs.push((name, value.into()));
        self
    }

    /// `reference` (exact match for payments; case-insensitive for agreements).
    #[must_use]
    pub fn reference(self, reference: impl Into<String>) -> Self {
        self.param("reference", reference)
    }

    /// `state` (payments: created, started, submitted, success, failed, cancelled, error).
    #[must_use]
    pub fn state(self, state: impl Into<String>) -> Self {
        self.param("state", state)
    }

    /// `status` (disputes and agreements).
    #[must_use]
    pub fn status(self, status: impl Into<String>) -> Self {
        self.param("status", status)
    }

    /// `email` (partial match).
    #[must_use]
    pub fn email(self, email: impl Into<String>) -> Self {
        self.param("email", email)
    }

    /// `from_date`, inclusive, `YYYY-MM-DDThh:mm:ssZ`.
    #[must_use]
    pub fn from_date(self, date: impl Into<String>) -> Self {
        self.param("from_date", date)
    }

    /// `to_date`, exclusive, `YYYY-MM-DDThh:mm:ssZ`.
    #[must_use]
    pub fn to_date(self, date: impl Into<String>) -> Self {
        self.param("to_date", date)
    }

    /// `agreement_id`.
    #[must_use]
    pub fn agreement_id(self, id: impl Into<String>) -> Self {
        self.param("agreement_id", id)
    }

    /// `page`, from 1.
    #[must_use]
    pub fn page(self, page: u32) -> Self {
        self.param("page", page.to_string())
    }

    /// `display_size`, 1..=500 (Pay's default is 500).
    #[must_use]
    pub fn display_size(self, size: u32) -> Self {
        self.param("display_size", size.to_string())
    }

    /// The parameters in order.
    #[must_use]
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

/// Timestamps as Pay writes them: UTC, with milliseconds (`2016-01-21T17:15:00.000Z`).
pub mod pay_time {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    use time::{OffsetDateTime, UtcOffset};

    /// Formats `t` in UTC with milliseconds, as Pay writes it; a time with finer digits (one read from a
    /// message that had them) keeps them, so that what was read is printed back unchanged.
    #[must_use]
    pub fn format(t: OffsetDateTime) -> String {
        let t = t.to_offset(UtcOffset::UTC);
        if t.nanosecond().is_multiple_of(1_000_000) {
            let fmt = format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            );
            return t.format(&fmt).unwrap_or_default();
        }
        let fmt = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]"
        );
        let mut text = t.format(&fmt).unwrap_or_default();
        // Nine digits, less the trailing zeros; never fewer than three, since the milliseconds are not all zero.
        while text.ends_with('0') {
            text.pop();
        }
        text.push('Z');
        text
    }

    /// Serde `serialize_with` for a timestamp.
    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*t))
    }

    /// Serde `deserialize_with` for a timestamp (any RFC 3339 form).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        OffsetDateTime::parse(&s, &Rfc3339).map_err(serde::de::Error::custom)
    }

    /// The same for an optional timestamp.
    pub mod option {
        use super::{Deserialize, Deserializer, OffsetDateTime, Rfc3339, Serializer};

        /// Serde `serialize_with` for an optional timestamp.
        pub fn serialize<S: Serializer>(
            t: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }

        /// Serde `deserialize_with` for an optional timestamp.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            let s = <Option<std::borrow::Cow<'de, str>>>::deserialize(d)?;
            s.map(|s| OffsetDateTime::parse(&s, &Rfc3339).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pay_time;
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    #[test]
    fn timestamps_print_back_as_they_were_read() {
        // Found by the pay_webhook fuzz target: sub-millisecond digits were cut to milliseconds, so a printed
        // webhook parsed to a different time.
        for text in [
            "2019-07-11T10:36:26.988Z",
            "2019-07-11T10:36:26.000Z",
            "2019-07-11T10:36:26.9882Z",
            "2019-07-11T10:36:26.000000001Z",
        ] {
            let t = OffsetDateTime::parse(text, &Rfc3339).unwrap();
            let printed = pay_time::format(t);
            assert_eq!(printed, text);
            assert_eq!(OffsetDateTime::parse(&printed, &Rfc3339).unwrap(), t);
        }
        let offset = OffsetDateTime::parse("2019-07-11T11:36:26.5+01:00", &Rfc3339).unwrap();
        assert_eq!(pay_time::format(offset), "2019-07-11T10:36:26.500Z");
    }
}
