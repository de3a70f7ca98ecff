//! Typed `details` for the council-relevant schemas.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{SchemaName, nullable};

/// A rich-text field: HTML as served (frontend), or the publisher's list of representations
/// (`[{content_type: "text/govspeak", content}, {content_type: "text/html", content}]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Body {
    /// Rendered HTML.
    Html(String),
    /// One entry per content type.
    Multiple(Vec<BodyPart>),
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        // By hand rather than untagged, so an unknown key inside a part reports itself.
        match Value::deserialize(d)? {
            Value::String(html) => Ok(Self::Html(html)),
            parts @ Value::Array(_) => {
                serde_json::from_value(parts).map(Self::Multiple).map_err(D::Error::custom)
            }
            other => Err(D::Error::custom(format!(
                "expected HTML string or list of content types, found {other}"
            ))),
        }
    }
}

impl Body {
    /// The govspeak source, if the publisher sent one.
    pub fn govspeak(&self) -> Option<&str> {
        self.content_of("text/govspeak")
    }

    /// The HTML, if present.
    pub fn html(&self) -> Option<&str> {
        match self {
            Self::Html(html) => Some(html),
            Self::Multiple(_) => self.content_of("text/html"),
        }
    }

    fn content_of(&self, content_type: &str) -> Option<&str> {
        match self {
            Self::Html(_) => None,
            Self::Multiple(parts) => {
                parts.iter().find(|p| p.content_type == content_type).map(|p| p.content.as_str())
            }
        }
    }
}

/// One representation of a rich-text field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyPart {
    /// `text/govspeak` or `text/html`.
    pub content_type: String,
    /// The text.
    pub content: String,
    /// Govspeak gem version that rendered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub govspeak_version: Option<String>,
    /// App that rendered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendering_app: Option<String>,
}

/// `external_related_links[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalLink {
    /// Link text.
    pub title: String,
    /// Absolute URL.
    pub url: String,
}

/// `change_history[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeNote {
    /// When the change was made public.
    pub public_timestamp: String,
    /// What changed.
    pub note: String,
}

/// `answer` details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerDetails {
    /// Main text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// Changes made with major updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_history: Option<Vec<ChangeNote>>,
    /// Links to other sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_related_links: Option<Vec<ExternalLink>>,
}

/// One part (chapter) of a guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidePart {
    /// Chapter title.
    pub title: String,
    /// Chapter slug, appended to the guide's base_path.
    pub slug: String,
    /// Chapter text.
    pub body: Body,
}

/// `guide` details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuideDetails {
    /// Chapters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<GuidePart>>,
    /// Hide chapter navigation when part of a step by step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide_chapter_navigation: Option<bool>,
    /// Changes made with major updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_history: Option<Vec<ChangeNote>>,
    /// Links to other sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_related_links: Option<Vec<ExternalLink>>,
}

/// One variant of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransactionVariant {
    /// Variant title.
    pub title: String,
    /// Variant slug.
    pub slug: String,
    /// Lead paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introductory_paragraph: Option<Body>,
    /// Where the Start button goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_start_link: Option<String>,
    /// More information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_information: Option<Body>,
    /// Other ways to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_ways_to_apply: Option<Body>,
}

/// `transaction` details: a start page for an online service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransactionDetails {
    /// Lead paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introductory_paragraph: Option<Body>,
    /// Where the Start button goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_start_link: Option<String>,
    /// Start button label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_button_text: Option<String>,
    /// The site the user continues on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub will_continue_on: Option<String>,
    /// More information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_information: Option<Body>,
    /// Other ways to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_ways_to_apply: Option<Body>,
    /// What you need to know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what_you_need_to_know: Option<Body>,
    /// Search terms not on the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden_search_terms: Option<Vec<String>>,
    /// Downtime banner text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downtime_message: Option<String>,
    /// Analytics profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_analytics_profile: Option<String>,
    /// Variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variants: Option<Vec<TransactionVariant>>,
    /// Changes made with major updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_history: Option<Vec<ChangeNote>>,
    /// Links to other sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_related_links: Option<Vec<ExternalLink>>,
}

/// `<country>_availability` of a local transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DevolvedAvailability {
    /// Not offered there.
    Unavailable,
    /// Offered by the devolved administration at another URL.
    DevolvedAdministrationService {
        /// Where to send users.
        alternative_url: String,
    },
}

/// `local_transaction` details: a council service found by postcode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalTransactionDetails {
    /// Local Government Service List code.
    pub lgsl_code: i64,
    /// Tiers that provide the service: `county`, `district`, `unitary`.
    pub service_tiers: Vec<String>,
    /// Local Government Interaction List code.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub lgil_code: Option<Option<i64>>,
    /// Deprecated override of `lgil_code`.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub lgil_override: Option<Option<i64>>,
    /// Introduction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction: Option<Body>,
    /// Need to know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_to_know: Option<Body>,
    /// More information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_information: Option<Body>,
    /// Shown before the results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_results: Option<Body>,
    /// Shown after the results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_results: Option<Body>,
    /// Button label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cta_text: Option<String>,
    /// Scotland availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scotland_availability: Option<DevolvedAvailability>,
    /// Wales availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wales_availability: Option<DevolvedAvailability>,
    /// Northern Ireland availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub northern_ireland_availability: Option<DevolvedAvailability>,
    /// Changes made with major updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_history: Option<Vec<ChangeNote>>,
    /// Links to other sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_related_links: Option<Vec<ExternalLink>>,
}

/// `place` details: find a place near a postcode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceDetails {
    /// Introduction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction: Option<Body>,
    /// More information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_information: Option<Body>,
    /// Need to know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_to_know: Option<Body>,
    /// Places dataset key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_type: Option<String>,
    /// Changes made with major updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_history: Option<Vec<ChangeNote>>,
    /// Links to other sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_related_links: Option<Vec<ExternalLink>>,
}

/// A phone number of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneNumber {
    /// Label.
    pub title: String,
    /// Number.
    pub number: String,
    /// Textphone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub textphone: Option<String>,
    /// International number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub international_phone: Option<String>,
    /// Fax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Opening hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_hours: Option<String>,
    /// Best time to call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_time_to_call: Option<String>,
}

/// An email address of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailAddress {
    /// Address.
    pub email: String,
    /// Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A postal address of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostAddress {
    /// Street lines.
    pub street_address: String,
    /// Country name.
    pub world_location: String,
    /// Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Postcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Town.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso2_country_code: Option<String>,
}

/// A contact form link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactFormLink {
    /// Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A titled link (`quick_links`, featured links, corporate pages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TitledUrl {
    /// Label.
    pub title: String,
    /// URL.
    pub url: String,
}

/// A titled href.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TitledHref {
    /// Label.
    pub title: String,
    /// Target.
    pub href: String,
}

/// A contact group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactGroup {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
}

/// `query_response_time`: text or a flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum QueryResponseTime {
    /// A flag.
    Flag(bool),
    /// A description.
    Text(String),
}

/// `contact` details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactDetails {
    /// Deprecated copy of the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Deprecated copy of the description.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    /// Slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Contact type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_type: Option<String>,
    /// Language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Feature on the homepage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_on_homepage: Option<bool>,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_numbers: Option<Vec<PhoneNumber>>,
    /// Email addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_addresses: Option<Vec<EmailAddress>>,
    /// Postal addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_addresses: Option<Vec<PostAddress>>,
    /// Contact forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_form_links: Option<Vec<ContactFormLink>>,
    /// At most 3 quick links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_links: Option<Vec<TitledUrl>>,
    /// Groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_groups: Option<Vec<ContactGroup>>,
    /// Response time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_response_time: Option<QueryResponseTime>,
    /// More information (contact form).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub more_info_contact_form: Option<Option<String>>,
    /// More information (email).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub more_info_email_address: Option<Option<String>>,
    /// More information (phone).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub more_info_phone_number: Option<Option<String>>,
    /// More information (post).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub more_info_post_address: Option<Option<String>>,
    /// More information (webchat).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub more_info_webchat: Option<Option<String>>,
    /// Changes made with major updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_history: Option<Vec<ChangeNote>>,
}

/// An image reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Image URL.
    pub url: String,
    /// Alt text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
    /// Caption.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub caption: Option<Option<String>>,
    /// Credit.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub credit: Option<Option<String>>,
    /// High resolution URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high_resolution_url: Option<String>,
    /// Medium resolution URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium_resolution_url: Option<String>,
}

/// An organisation's logo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logo {
    /// Name as laid out under the crest.
    pub formatted_title: String,
    /// Crest key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crest: Option<String>,
    /// Custom image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
}

/// `organisation_govuk_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationStatus {
    /// `live`, `joining`, `merged`, …
    pub status: String,
    /// Successor URL.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub url: Option<Option<String>>,
    /// When the status changed.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub updated_at: Option<Option<String>>,
}

/// A social media link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SocialMediaLink {
    /// `twitter`, `facebook`, …
    pub service_type: String,
    /// Label.
    pub title: String,
    /// URL.
    pub href: String,
}

/// A featured document on an organisation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeaturedDocument {
    /// Title.
    pub title: String,
    /// Target.
    pub href: String,
    /// Image.
    pub image: Image,
    /// Summary.
    pub summary: String,
    /// Date.
    pub public_updated_at: Option<String>,
    /// Document type.
    pub document_type: Option<String>,
}

/// A promotional feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionalFeature {
    /// Title.
    pub title: String,
    /// Items (image or video), kept as sent.
    pub items: Vec<Value>,
}

/// `organisation` details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationDetails {
    /// Acronym.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub acronym: Option<Option<String>>,
    /// Email for alternative formats.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub alternative_format_contact_email: Option<Option<String>>,
    /// Analytics identifier.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub analytics_identifier: Option<Option<String>>,
    /// About text (HTML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Brand colour class.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub brand: Option<Option<String>>,
    /// Latest change note.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub change_note: Option<Option<String>>,
    /// Default news image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_news_image: Option<Image>,
    /// Exempt from FOI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foi_exempt: Option<bool>,
    /// Logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<Logo>,
    /// Corporate information pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_corporate_information_pages: Option<Vec<TitledHref>>,
    /// Featured documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_featured_documents: Option<Vec<FeaturedDocument>>,
    /// Featured links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_featured_links: Option<Vec<TitledHref>>,
    /// Promotional features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_promotional_features: Option<Vec<PromotionalFeature>>,
    /// `news` or `service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_featuring_priority: Option<String>,
    /// Status on GOV.UK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_govuk_status: Option<OrganisationStatus>,
    /// Political organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_political: Option<bool>,
    /// One of the 16 organisation types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_type: Option<String>,
    /// Further corporate pages (HTML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_corporate_information_pages: Option<String>,
    /// Social media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub social_media_links: Option<Vec<SocialMediaLink>>,
    /// Changes made with major updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_history: Option<Vec<ChangeNote>>,
    /// Links to other sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_related_links: Option<Vec<ExternalLink>>,
}

/// An item of a step's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepListItem {
    /// Link text.
    pub text: String,
    /// Target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Extra context such as a cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

/// The contents of a step: a paragraph or a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StepContent {
    /// A list (has `contents`).
    List(StepList),
    /// A paragraph (has `text`).
    Paragraph(StepParagraph),
}

/// A paragraph in a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepParagraph {
    /// `paragraph`.
    #[serde(rename = "type")]
    pub content_type: String,
    /// Text.
    pub text: String,
}

/// A list in a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepList {
    /// `list`.
    #[serde(rename = "type")]
    pub content_type: String,
    /// `choice`, `required` or `optional`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// Items.
    pub contents: Vec<StepListItem>,
}

/// One step of a step by step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Title.
    pub title: String,
    /// `and` or `or` with the next step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logic: Option<String>,
    /// Contents.
    pub contents: Vec<StepContent>,
}

/// The `step_by_step_nav` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepByStep {
    /// Title.
    pub title: String,
    /// Introduction.
    pub introduction: Body,
    /// Steps.
    pub steps: Vec<Step>,
}

/// `step_by_step_nav` details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepByStepNavDetails {
    /// The navigation.
    pub step_by_step_nav: StepByStep,
    /// Body HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Changes made with major updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_history: Option<Vec<ChangeNote>>,
}

/// Schema-specific `details`, chosen by `schema_name`. Decode items with `PublisherItem::from_json` or
/// `FrontendItem::from_json` (or [`Details::from_value`]): deserialising `Details` on its own cannot see the
/// schema name and yields [`Details::Other`].
// Details are built once and read many times; boxing the larger variants would only add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Details {
    /// `answer`.
    Answer(AnswerDetails),
    /// `guide`.
    Guide(GuideDetails),
    /// `transaction`.
    Transaction(TransactionDetails),
    /// `local_transaction`.
    LocalTransaction(LocalTransactionDetails),
    /// `place`.
    Place(PlaceDetails),
    /// `contact`.
    Contact(ContactDetails),
    /// `organisation`.
    Organisation(OrganisationDetails),
    /// `step_by_step_nav`.
    StepByStepNav(StepByStepNavDetails),
    /// Any other schema: kept as sent, not checked.
    Other(BTreeMap<String, Value>),
}

impl Details {
    /// Decodes `details` for `schema`, rejecting unknown keys for the typed schemas.
    pub fn from_value(schema: &SchemaName, value: Value) -> Result<Self, serde_json::Error> {
        Ok(match schema {
            SchemaName::Answer => Self::Answer(serde_json::from_value(value)?),
            SchemaName::Guide => Self::Guide(serde_json::from_value(value)?),
            SchemaName::Transaction => Self::Transaction(serde_json::from_value(value)?),
            SchemaName::LocalTransaction => Self::LocalTransaction(serde_json::from_value(value)?),
            SchemaName::Place => Self::Place(serde_json::from_value(value)?),
            SchemaName::Contact => Self::Contact(serde_json::from_value(value)?),
            SchemaName::Organisation => Self::Organisation(serde_json::from_value(value)?),
            SchemaName::StepByStepNav => Self::StepByStepNav(serde_json::from_value(value)?),
            _ => Self::Other(serde_json::from_value(value)?),
        })
    }

    /// The main rich-text bodies, in page order (for rendering and structured data).
    pub fn bodies(&self) -> Vec<&Body> {
        match self {
            Self::Answer(d) => d.body.iter().collect(),
            Self::Guide(d) => d.parts.iter().flatten().map(|p| &p.body).collect(),
            Self::Transaction(d) => {
                [&d.introductory_paragraph, &d.what_you_need_to_know, &d.more_information]
                    .into_iter()
                    .flatten()
                    .collect()
            }
            Self::LocalTransaction(d) => [&d.introduction, &d.need_to_know, &d.more_information]
                .into_iter()
                .flatten()
                .collect(),
            Self::Place(d) => [&d.introduction, &d.need_to_know, &d.more_information]
                .into_iter()
                .flatten()
                .collect(),
            _ => Vec::new(),
        }
    }
}
