//! The sandbox configuration: a JSON file, every field optional, with defaults that need no file at all.

use std::path::{Path, PathBuf};

use gaap_http::SharedClock;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Error;
use crate::fault::FaultConfig;

/// Everything the sandbox can be told. `Config::default()` starts a working sandbox.
///
/// The file form is JSON (see the crate README for a full example). Unknown keys are rejected so a typo
/// does not silently fall back to a default.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Ports to bind on 127.0.0.1; 0 picks a free one.
    pub ports: Ports,
    /// SQLite file to persist state in; in memory when absent.
    pub state_file: Option<PathBuf>,
    /// GOV.UK Notify settings.
    pub notify: NotifyConfig,
    /// GOV.UK Pay settings.
    pub pay: PayConfig,
    /// GOV.UK One Login settings.
    pub one_login: OneLoginConfig,
    /// Fault injection applied to every service (a request header can add more).
    pub faults: FaultConfig,
    /// Run the background ticker that fires callbacks, webhooks and expiry on the clock (default true).
    /// Tests that drive time by hand turn it off and call `SandboxHandle::run_due`.
    pub background: Option<bool>,
    /// The clock every time-dependent rule reads; the system clock when absent.
    #[serde(skip)]
    pub clock: Option<SharedClock>,
}

impl Config {
    /// Reads a JSON config file.
    ///
    /// # Errors
    /// [`Error::Config`] when the file cannot be read or is not a valid config.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        serde_json::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    }

    /// Sets the clock (a `gaap_http::ManualClock` in tests).
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Turns the background ticker off: callbacks, webhooks and expiry run only on `run_due`.
    #[must_use]
    pub fn without_background(mut self) -> Self {
        self.background = Some(false);
        self
    }
}

/// Ports on 127.0.0.1; 0 picks a free one.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ports {
    /// Notify API port.
    pub notify: u16,
    /// Pay API port.
    pub pay: u16,
    /// One Login OP port.
    pub one_login: u16,
}

/// A Notify template.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateConfig {
    /// Template id.
    pub id: Uuid,
    /// Template name.
    pub name: String,
    /// `sms`, `email` or `letter`.
    #[serde(rename = "type")]
    pub kind: TemplateKind,
    /// Subject (email and letter).
    #[serde(default)]
    pub subject: Option<String>,
    /// Body with `((placeholders))`.
    pub body: String,
    /// Version number; 1 when absent.
    #[serde(default = "one")]
    pub version: u32,
    /// Letter contact block.
    #[serde(default)]
    pub letter_contact_block: Option<String>,
    /// Letter postage (`first`, `second`, `economy`).
    #[serde(default)]
    pub postage: Option<String>,
    /// Earlier versions, served by `GET /v2/template/{id}/version/{n}`; each below `version`.
    #[serde(default)]
    pub history: Vec<TemplateVersionConfig>,
}

/// An earlier version of a template: every field as it was then (absent optional fields were empty).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateVersionConfig {
    /// Version number, below the template's current `version`.
    pub version: u32,
    /// Template name at that version.
    pub name: String,
    /// Subject (email and letter).
    #[serde(default)]
    pub subject: Option<String>,
    /// Body with `((placeholders))`.
    pub body: String,
    /// Letter contact block.
    #[serde(default)]
    pub letter_contact_block: Option<String>,
    /// Letter postage.
    #[serde(default)]
    pub postage: Option<String>,
}

impl TemplateConfig {
    /// The template as it was at `version`: the current one, a declared earlier one, or none.
    #[must_use]
    pub fn at_version(&self, version: u32) -> Option<Self> {
        if version == self.version {
            return Some(self.clone());
        }
        let old = self.history.iter().find(|h| h.version == version)?;
        Some(Self {
            id: self.id,
            name: old.name.clone(),
            kind: self.kind,
            subject: old.subject.clone(),
            body: old.body.clone(),
            version: old.version,
            letter_contact_block: old.letter_contact_block.clone(),
            postage: old.postage.clone(),
            history: Vec::new(),
        })
    }
}

/// A text message sender (Notify's service SMS senders); its `id` is what `sms_sender_id` names.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSenderConfig {
    /// The id clients send as `sms_sender_id`.
    pub id: Uuid,
    /// The sender shown to the recipient (`GOVUK`, or a number).
    pub sms_sender: String,
    /// The service's default sender, used when a send names none.
    #[serde(default)]
    pub is_default: bool,
}

/// An email reply-to address (Notify's service reply-to addresses); its `id` is what `email_reply_to_id` names.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyToConfig {
    /// The id clients send as `email_reply_to_id`.
    pub id: Uuid,
    /// The reply-to address.
    pub email_address: String,
    /// The service's default reply-to address.
    #[serde(default)]
    pub is_default: bool,
}

fn one() -> u32 {
    1
}

/// The three Notify channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TemplateKind {
    /// Text message.
    Sms,
    /// Email.
    Email,
    /// Letter.
    Letter,
}

impl TemplateKind {
    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
            Self::Letter => "letter",
        }
    }
}

/// A URL with the bearer token Notify sends to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackConfig {
    /// Where to POST.
    pub url: String,
    /// Sent as `Authorization: Bearer <token>`.
    pub bearer_token: String,
}

/// A received text message to seed the inbox with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceivedTextConfig {
    /// The sender (`447700900111`).
    pub user_number: String,
    /// The text.
    pub content: String,
}

/// Notify settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// Service id (`iss` of the API key JWT).
    pub service_id: Uuid,
    /// Service name.
    pub service_name: String,
    /// Secret of the live (`normal`) key.
    pub live_secret: Uuid,
    /// Secret of the team key.
    pub team_secret: Uuid,
    /// Secret of the test key.
    pub test_secret: Uuid,
    /// Trial mode: live keys behave like team keys.
    pub trial_mode: bool,
    /// Team members' and guest-list recipients (emails and phone numbers) for team keys.
    pub team_recipients: Vec<String>,
    /// Templates; the defaults hold one of each kind.
    pub templates: Vec<TemplateConfig>,
    /// Text message senders; one default `GOVUK` sender (id `default_sender_ids::SMS_SENDER`).
    pub sms_senders: Vec<SmsSenderConfig>,
    /// Email reply-to addresses; one default (id `default_sender_ids::EMAIL_REPLY_TO`).
    pub email_reply_to: Vec<ReplyToConfig>,
    /// Received texts to seed.
    pub received_texts: Vec<ReceivedTextConfig>,
    /// Delivery-status callback.
    pub delivery_status_callback: Option<CallbackConfig>,
    /// Received-text callback, fired for texts injected at `POST /_sandbox/received-text-messages`.
    pub received_text_callback: Option<CallbackConfig>,
    /// Sends per minute per service and key type (Notify: 3000).
    pub rate_limit_per_minute: u32,
    /// Daily limits per channel (Notify live defaults).
    pub daily_limits: DailyLimits,
    /// Seconds from `created` to `sending`.
    pub sending_after_seconds: u64,
    /// Seconds from `created` to the final status.
    pub delivered_after_seconds: u64,
}

/// Per-day send limits.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DailyLimits {
    /// Emails per day.
    pub email: u64,
    /// Texts per day.
    pub sms: u64,
    /// International texts per day.
    pub international_sms: u64,
    /// Letters per day.
    pub letter: u64,
}

impl Default for DailyLimits {
    fn default() -> Self {
        Self { email: 250_000, sms: 250_000, international_sms: 100, letter: 20_000 }
    }
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            service_id: Uuid::new_v4(),
            service_name: "Sandbox service".to_owned(),
            live_secret: Uuid::new_v4(),
            team_secret: Uuid::new_v4(),
            test_secret: Uuid::new_v4(),
            trial_mode: false,
            team_recipients: vec!["team@example.gov.uk".to_owned(), "07700900123".to_owned()],
            templates: default_templates(),
            sms_senders: vec![SmsSenderConfig {
                id: default_sender_ids::SMS_SENDER,
                sms_sender: "GOVUK".to_owned(),
                is_default: true,
            }],
            email_reply_to: vec![ReplyToConfig {
                id: default_sender_ids::EMAIL_REPLY_TO,
                email_address: "reply@example.gov.uk".to_owned(),
                is_default: true,
            }],
            received_texts: vec![
                ReceivedTextConfig {
                    user_number: "447700900111".to_owned(),
                    content: "Hello".to_owned(),
                },
                ReceivedTextConfig {
                    user_number: "447700900222".to_owned(),
                    content: "STOP".to_owned(),
                },
            ],
            delivery_status_callback: None,
            received_text_callback: None,
            rate_limit_per_minute: 3000,
            daily_limits: DailyLimits::default(),
            sending_after_seconds: 1,
            delivered_after_seconds: 5,
        }
    }
}

/// The default templates' ids, stable so scripts can hard-code them: a module of constants, used as
/// `default_template_ids::EMAIL`. Each constant's doc lists the placeholders its template needs; a send without
/// one of them is refused as Notify refuses it (`Missing personalisation: …`).
pub mod default_template_ids {
    use uuid::{Uuid, uuid};
    /// SMS: `Your code is ((code))`. Needs `code`.
    pub const SMS: Uuid = uuid!("f33517ff-2a88-4f6e-b855-c550268ce08a");
    /// Email: subject `Hello ((name))`, body `Dear ((name)), Your reference is ((reference number)).` Needs `name`
    /// and `reference number` (with its space): `[("name", "Ada"), ("reference number", "CT-000001")]`.
    pub const EMAIL: Uuid = uuid!("0d2f1d4a-9e7c-4c5e-a2f0-7c1b7a0f2b11");
    /// Letter: subject `Your application`, body `Dear ((name)), We have received your application.` Needs `name`
    /// and an address (`address_line_1` … and a postcode).
    pub const LETTER: Uuid = uuid!("4a6e1b55-3b0c-4f43-9a61-2b6f0d3e7c22");
}

/// The default sender and reply-to ids, stable so scripts can hard-code them.
pub mod default_sender_ids {
    use uuid::{Uuid, uuid};
    /// The `GOVUK` text message sender.
    pub const SMS_SENDER: Uuid = uuid!("8e3c5f2a-6b1d-4c7e-9a0f-3d2b1c4e5f60");
    /// The `reply@example.gov.uk` reply-to address.
    pub const EMAIL_REPLY_TO: Uuid = uuid!("b7d41e93-2c5a-4f8b-8e61-0a9c3d2f1e74");
}

impl NotifyConfig {
    /// Checks what serde cannot: template histories below their current version, unique ids.
    ///
    /// # Errors
    /// A message naming the first problem.
    pub fn check(&self) -> Result<(), String> {
        let mut ids = std::collections::HashSet::new();
        for t in &self.templates {
            if !ids.insert(t.id) {
                return Err(format!("notify.templates: template id {} appears twice", t.id));
            }
            let mut versions = std::collections::HashSet::new();
            for h in &t.history {
                if h.version == 0 || h.version >= t.version {
                    return Err(format!(
                        "notify.templates: template {} history version {} is not between 1 and {}",
                        t.id,
                        h.version,
                        t.version.saturating_sub(1)
                    ));
                }
                if !versions.insert(h.version) {
                    return Err(format!(
                        "notify.templates: template {} history version {} appears twice",
                        t.id, h.version
                    ));
                }
            }
        }
        let sender_ids: std::collections::HashSet<Uuid> =
            self.sms_senders.iter().map(|s| s.id).collect();
        if sender_ids.len() != self.sms_senders.len() {
            return Err("notify.sms_senders: an id appears twice".to_owned());
        }
        if self.sms_senders.iter().filter(|s| s.is_default).count() > 1 {
            return Err("notify.sms_senders: more than one is_default".to_owned());
        }
        let reply_ids: std::collections::HashSet<Uuid> =
            self.email_reply_to.iter().map(|r| r.id).collect();
        if reply_ids.len() != self.email_reply_to.len() {
            return Err("notify.email_reply_to: an id appears twice".to_owned());
        }
        if self.email_reply_to.iter().filter(|r| r.is_default).count() > 1 {
            return Err("notify.email_reply_to: more than one is_default".to_owned());
        }
        Ok(())
    }
}

fn default_templates() -> Vec<TemplateConfig> {
    vec![
        TemplateConfig {
            id: default_template_ids::SMS,
            name: "Sandbox SMS".to_owned(),
            kind: TemplateKind::Sms,
            subject: None,
            body: "Your code is ((code))".to_owned(),
            version: 1,
            letter_contact_block: None,
            postage: None,
            history: Vec::new(),
        },
        TemplateConfig {
            id: default_template_ids::EMAIL,
            name: "Sandbox email".to_owned(),
            kind: TemplateKind::Email,
            subject: Some("Hello ((name))".to_owned()),
            body: "Dear ((name)),\n\nYour reference is ((reference number)).".to_owned(),
            version: 1,
            letter_contact_block: None,
            postage: None,
            history: Vec::new(),
        },
        TemplateConfig {
            id: default_template_ids::LETTER,
            name: "Sandbox letter".to_owned(),
            kind: TemplateKind::Letter,
            subject: Some("Your application".to_owned()),
            body: "Dear ((name)),\n\nWe have received your application.".to_owned(),
            version: 1,
            letter_contact_block: Some("Sandbox Council\nTown Hall".to_owned()),
            postage: Some("second".to_owned()),
            history: Vec::new(),
        },
    ]
}

/// How `Idempotency-Key` is honoured on create payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdempotencyScope {
    /// As Pay's connector does: only `authorisation_mode=agreement` payments are de-duplicated.
    AgreementOnly,
    /// Every create payment with the header is de-duplicated.
    #[default]
    All,
}

/// A webhook subscription.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Callback URL.
    pub url: String,
    /// Event types; all when empty.
    #[serde(default)]
    pub subscriptions: Vec<String>,
}

/// Pay settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PayConfig {
    /// API key; a fresh `api_test_…` key when absent.
    pub api_key: Option<String>,
    /// Webhook signing secret; a fresh `webhook_test_…` secret when absent.
    pub webhook_secret: Option<String>,
    /// Webhooks.
    pub webhooks: Vec<WebhookConfig>,
    /// POSTs per second per key and bucket (Pay: 15); 0 turns the limit off.
    pub post_rate_limit_per_second: u32,
    /// Non-POST requests per second (Pay: 75); 0 turns the limit off.
    pub get_rate_limit_per_second: u32,
    /// Which creates `Idempotency-Key` de-duplicates.
    pub idempotency: IdempotencyScope,
    /// MOTO enabled on the account: `moto: true` and `authorisation_mode: moto_api` payments are accepted
    /// (with `POST /v1/auth`); off by default, as on a new Pay account (P0195/P0196).
    pub moto: bool,
}

impl Default for PayConfig {
    fn default() -> Self {
        Self {
            api_key: None,
            webhook_secret: None,
            webhooks: Vec::new(),
            post_rate_limit_per_second: 15,
            get_rate_limit_per_second: 75,
            idempotency: IdempotencyScope::default(),
            moto: false,
        }
    }
}

/// A One Login user the sign-in page offers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserConfig {
    /// Pairwise subject.
    pub sub: String,
    /// Email.
    pub email: String,
    /// `email_verified` in userinfo.
    pub email_verified: bool,
    /// Phone number; `null` for a user with none (userinfo then has no `phone_number`).
    pub phone_number: Option<String>,
    /// `phone_number_verified` in userinfo.
    pub phone_number_verified: bool,
    /// Given names.
    pub given_names: Vec<String>,
    /// Family name.
    pub family_name: String,
    /// Date of birth `YYYY-MM-DD`.
    pub birth_date: String,
    /// Highest identity level this user can reach (`P0`, `P1`, `P2`).
    pub max_loc: String,
    /// Return codes to put in userinfo when requested.
    pub return_codes: Vec<String>,
    /// The `https://vocab.account.gov.uk/v1/address` claim (an array of addresses); `null` leaves it out.
    pub address: Option<serde_json::Value>,
    /// The `https://vocab.account.gov.uk/v1/passport` claim; none by default, as the simulator.
    pub passport: Option<serde_json::Value>,
    /// The `https://vocab.account.gov.uk/v1/drivingPermit` claim; none by default, as the simulator.
    pub driving_permit: Option<serde_json::Value>,
    /// The core identity's `vc` claim as it is (the simulator's `coreIdentityVerifiableCredentials`); built from
    /// `given_names`, `family_name` and `birth_date` when absent.
    pub core_identity_vc: Option<serde_json::Value>,
}

impl Default for UserConfig {
    fn default() -> Self {
        // The One Login simulator's default identity (govuk-one-login/simulator:src/config.ts).
        Self {
            sub: "urn:fdc:gov.uk:2022:56P4CMsGh_02YOlWpd8PAOI-2sVlB2nsNU7mcLZYhYw=".to_owned(),
            email: "test@example.com".to_owned(),
            email_verified: true,
            phone_number: Some("07123456789".to_owned()),
            phone_number_verified: true,
            given_names: vec!["GEOFFREY".to_owned()],
            family_name: "HEARNSHAW".to_owned(),
            birth_date: "1955-04-19".to_owned(),
            max_loc: "P2".to_owned(),
            return_codes: Vec::new(),
            address: Some(serde_json::json!([{
                "uprn": "100120012077", "buildingNumber": "26", "streetName": "FRAMPTON ROAD",
                "addressLocality": "GLOUCESTER", "postalCode": "GL1 5QB", "addressCountry": "GB",
                "validFrom": "2000-01-01"
            }])),
            passport: None,
            driving_permit: None,
            core_identity_vc: None,
        }
    }
}

/// A relying party.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientConfig {
    /// Client id.
    pub client_id: String,
    /// The service's name, shown in the sign-in page's heading ("Sign in to Pay your Council Tax"), as One Login
    /// shows the name a service registered with. Default: `Example service`.
    pub client_name: String,
    /// SPKI PEM of the client's RSA public key; the built-in sandbox key when absent.
    pub public_key_pem: Option<String>,
    /// Registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Registered post-logout redirect URIs.
    pub post_logout_redirect_uris: Vec<String>,
    /// Back-channel logout URI.
    pub back_channel_logout_uri: Option<String>,
    /// Allowed scopes.
    pub scopes: Vec<String>,
    /// Identity levels the client may ask for.
    pub client_locs: Vec<String>,
    /// Require PKCE (S256).
    pub pkce_enforced: bool,
    /// Userinfo claims the client is registered for; a `claims` request naming any other is refused
    /// (`invalid_request`, "Request contains invalid claims"). The simulator's default: core identity, address
    /// and return code.
    pub claims: Vec<String>,
    /// How ID tokens for this client are signed: `ES256` (the default) or `RS256`.
    pub id_token_signing_algorithm: String,
    /// Where the client publishes its public keys (the simulator's `JWKS_URL`); when set, a client assertion is
    /// checked with the key its header's `kid` names there, fetched on each token request, not `public_key_pem`.
    pub jwks_uri: Option<String>,
    /// How the client authenticates at `/token` (the simulator's `TOKEN_AUTH_METHOD`): `private_key_jwt` (the
    /// default) or `client_secret_post`, which needs `client_secret_hash` and
    /// `identity_verification_supported: false`.
    pub token_auth_method: TokenAuthMethod,
    /// The Argon2id hash of the client's secret, in PHC form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), as
    /// One Login stores it and the simulator takes it; only with `client_secret_post`.
    pub client_secret_hash: Option<ClientSecretHash>,
    /// Whether the client may ask for identity (`vtr` with a level of confidence), the simulator's
    /// `IDENTITY_VERIFICATION_SUPPORTED`; true by default.
    pub identity_verification_supported: bool,
}

/// How a client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuthMethod {
    /// A client assertion JWT signed with the client's private key.
    #[default]
    PrivateKeyJwt,
    /// `client_id` and `client_secret` in the form body, checked against `client_secret_hash`.
    ClientSecretPost,
}

gaap_http::secret_string! {
    /// An Argon2id client secret hash in PHC form. `Debug` never shows it: the hash of a guessable secret gives the
    /// secret away.
    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    pub struct ClientSecretHash;
}

impl ClientSecretHash {
    /// The PHC string, checked when the sandbox starts (the same as `expose_secret`).
    #[must_use]
    pub fn expose(&self) -> &str {
        self.expose_secret()
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            client_id: "HGIOgho9HIRhgoepdIOPFdIUWgewi0jw".to_owned(),
            client_name: "Example service".to_owned(),
            public_key_pem: None,
            redirect_uris: vec![
                "http://localhost:8080/oidc/authorization-code/callback".to_owned(),
            ],
            post_logout_redirect_uris: vec!["http://localhost:8080/signed-out".to_owned()],
            back_channel_logout_uri: None,
            scopes: vec!["openid".to_owned(), "email".to_owned(), "phone".to_owned()],
            client_locs: vec!["P0".to_owned(), "P2".to_owned()],
            pkce_enforced: false,
            claims: vec![
                "https://vocab.account.gov.uk/v1/coreIdentityJWT".to_owned(),
                "https://vocab.account.gov.uk/v1/address".to_owned(),
                "https://vocab.account.gov.uk/v1/returnCode".to_owned(),
            ],
            id_token_signing_algorithm: "ES256".to_owned(),
            jwks_uri: None,
            token_auth_method: TokenAuthMethod::PrivateKeyJwt,
            client_secret_hash: None,
            identity_verification_supported: true,
        }
    }
}

/// One Login settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OneLoginConfig {
    /// Relying parties; one default client when empty.
    pub clients: Vec<ClientConfig>,
    /// Users the sign-in page offers; the simulator's default user when empty.
    pub users: Vec<UserConfig>,
    /// ID-token error knobs (simulator names, e.g. `INVALID_ISS`).
    pub id_token_errors: Vec<String>,
    /// Core-identity error knobs (simulator names, e.g. `TOKEN_EXPIRED`).
    pub core_identity_errors: Vec<String>,
    /// Authorise error knob: `ACCESS_DENIED` or `TEMPORARILY_UNAVAILABLE`.
    pub authorise_error: Option<String>,
    /// Skip the sign-in page and sign in as the first user.
    pub auto_sign_in: bool,
    /// The issuer and base of every advertised URL (the simulator's `SIMULATOR_URL`), for a sandbox reached
    /// through another host name or port; `http://127.0.0.1:PORT/` when absent.
    pub issuer_url: Option<String>,
    /// Key rotation, first step: the next ID-token keys appear in the JWKS beside the current ones (the
    /// simulator's `PUBLISH_NEW_ID_TOKEN_SIGNING_KEYS`).
    pub publish_new_id_token_signing_keys: bool,
    /// Key rotation, second step: ID tokens are signed with the next keys, which the JWKS then always lists
    /// (`USE_NEW_ID_TOKEN_SIGNING_KEYS`).
    pub use_new_id_token_signing_keys: bool,
}

impl Default for OneLoginConfig {
    fn default() -> Self {
        Self {
            clients: vec![ClientConfig::default()],
            users: vec![UserConfig::default()],
            id_token_errors: Vec::new(),
            core_identity_errors: Vec::new(),
            authorise_error: None,
            auto_sign_in: false,
            issuer_url: None,
            publish_new_id_token_signing_keys: false,
            use_new_id_token_signing_keys: false,
        }
    }
}
