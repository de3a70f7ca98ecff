//! The gaap blocks behind the journey: content, addresses, councils, One Login, Pay and Notify.

use std::fmt;

/// A failure talking to a backend.
#[derive(Debug)]
pub struct ServiceError(String);

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServiceError {}

impl ServiceError {
    pub(crate) fn new(message: impl fmt::Display) -> Self {
        Self(message.to_string())
    }

    /// An error from a gaap client, with its `source()` chain in the message (for the log).
    pub(crate) fn wrap(err: impl std::error::Error) -> Self {
        let mut message = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self(message)
    }
}

/// A signed-in One Login user.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) subject: String,
    pub(crate) email: String,
    /// The raw ID token, kept for `id_token_hint` at sign-out.
    pub(crate) id_token: gaap_identity::IdToken,
}

/// An address to pick.
#[derive(Debug, Clone)]
pub(crate) struct AddressChoice {
    pub(crate) uprn: String,
    pub(crate) line: String,
}

/// Why a postcode has no addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PostcodeError {
    /// Not a postcode at all.
    Invalid,
    /// A postcode, but not one in the dataset.
    Unknown,
}

/// The council that collects Council Tax for a postcode (LGSL 57).
#[derive(Debug, Clone)]
pub(crate) struct Council {
    pub(crate) name: String,
    pub(crate) url: String,
}

/// How a payment ended, as the service cares about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PaymentOutcome {
    Success,
    Declined,
    Cancelled,
    Failed(String),
    InProgress(String),
}

impl PaymentOutcome {
    /// What a Pay state means to the resident. Failures are told apart by code: P0010 declined, P0030
    /// cancelled by the payer, P0040 cancelled by the service.
    pub(crate) fn of(state: gaap_pay::PaymentState) -> Self {
        use gaap_pay::PaymentState as S;
        use gaap_pay::rules::state::FailureReason as R;
        match state {
            S::Success => Self::Success,
            S::Failed(R::Rejected) => Self::Declined,
            S::Failed(R::CancelledByUser) | S::Cancelled => Self::Cancelled,
            S::Failed(R::Expired) | S::Error => Self::Failed(state.code().unwrap_or("").to_owned()),
            S::Created | S::Started | S::Submitted | S::Capturable => {
                Self::InProgress(state.status().to_owned())
            }
        }
    }

    pub(crate) fn status(&self) -> &str {
        match self {
            Self::Success => "success",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
            Self::Failed(_) => "failed",
            Self::InProgress(status) => status,
        }
    }
}

/// A verified Pay webhook.
#[derive(Debug, Clone)]
pub(crate) struct WebhookEvent {
    pub(crate) message_id: String,
    pub(crate) payment_id: String,
    pub(crate) event_type: String,
    /// The payment's state in the message; `None` when Pay's words do not make a known state.
    pub(crate) state: Option<gaap_pay::PaymentState>,
}

/// The clients and data the app uses.
pub struct Backends {
    pub(crate) start_page_html: String,
    pub(crate) identity: gaap_identity::Client,
    pub(crate) pay: gaap_pay::Client,
    pub(crate) webhook_secret: gaap_pay::SigningSecret,
    pub(crate) notify: gaap_notify::Client,
    pub(crate) councils: CouncilResolver,
}

/// Postcode → council → page, for LGSL 57.
type CouncilResolver = gaap_content::local::Resolver<
    'static,
    gaap_content::local::LinkTable,
    gaap_content::local::AddressPostcodes,
>;

impl fmt::Debug for Backends {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backends").finish_non_exhaustive()
    }
}

/// Keeps the in-process sandbox running.
#[derive(Debug)]
pub struct SandboxGuard {
    handle: gaap_sandbox::SandboxHandle,
}

impl SandboxGuard {
    /// Keeps a sandbox started elsewhere (a test that wires the app to it by hand).
    #[must_use]
    pub fn new(handle: gaap_sandbox::SandboxHandle) -> Self {
        Self { handle }
    }

    /// The sandbox's Notify outbox page.
    #[must_use]
    pub fn outbox_url(&self) -> String {
        format!("{}/_sandbox/outbox", self.handle.credentials().notify.base_url)
    }

    /// The sandbox's Notify outbox as JSON.
    #[must_use]
    pub fn outbox_json_url(&self) -> String {
        format!("{}/_sandbox/outbox.json", self.handle.credentials().notify.base_url)
    }

    /// The running sandbox.
    #[must_use]
    pub fn handle(&self) -> &gaap_sandbox::SandboxHandle {
        &self.handle
    }

    /// Where the app's forms may lead by redirect: the sandbox's Pay (card pages) and One Login (sign-out).
    #[must_use]
    pub fn form_action_origins(&self) -> Vec<String> {
        let creds = self.handle.credentials();
        [creds.pay.base_url.as_str(), creds.one_login.issuer.as_str()]
            .iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization())
            .collect()
    }
}

/// The receipt's Notify template id in the sandbox config.
pub const RECEIPT_TEMPLATE_ID: uuid::Uuid = uuid::uuid!("5c0b5f5e-6f1a-4c51-9b6e-2f7a3d8c1e01");

/// The sandbox config for an app at `public_url`: One Login redirects to it, Pay sends webhooks to it, and
/// Notify has the receipt template.
#[must_use]
pub fn sandbox_config(public_url: &str) -> gaap_sandbox::Config {
    let mut config = gaap_sandbox::Config::default();
    config.one_login.clients = vec![gaap_sandbox::ClientConfig {
        client_name: super::SERVICE_NAME.to_owned(),
        redirect_uris: vec![format!("{public_url}/sign-in/callback")],
        post_logout_redirect_uris: vec![format!("{public_url}/signed-out")],
        ..gaap_sandbox::ClientConfig::default()
    }];
    // A second resident, so two people can use the service side by side.
    config.one_login.users.push(gaap_sandbox::UserConfig {
        sub: "urn:fdc:gov.uk:2022:second-resident-of-the-council-tax-example".to_owned(),
        email: "second.resident@example.com".to_owned(),
        given_names: vec!["Sam".to_owned()],
        family_name: "Second".to_owned(),
        ..gaap_sandbox::UserConfig::default()
    });
    config.pay.webhooks = vec![gaap_sandbox::WebhookConfig {
        url: format!("{public_url}/webhooks/pay"),
        subscriptions: Vec::new(),
    }];
    config.notify.service_name = "Pay your Council Tax".to_owned();
    config.notify.templates.push(gaap_sandbox::TemplateConfig {
        id: RECEIPT_TEMPLATE_ID,
        name: "Council Tax payment receipt".to_owned(),
        kind: gaap_sandbox::TemplateKind::Email,
        subject: Some("Council Tax payment received: ((reference))".to_owned()),
        body: "We have received your Council Tax payment.\n\n\
               * Payment reference: ((reference))\n\
               * Property: ((address))\n\
               * Amount: ((amount))\n\n\
               Keep this email as your receipt."
            .to_owned(),
        version: 1,
        letter_contact_block: None,
        postage: None,
        history: Vec::new(),
    });
    config
}

/// Starts the sandbox, configured for an app at `public_url`, and the clients that talk to it.
pub(crate) async fn start_sandbox(
    public_url: &str,
    clock: &gaap_http::SharedClock,
) -> Result<(Backends, SandboxGuard), ServiceError> {
    let handle = gaap_sandbox::Sandbox::start(sandbox_config(public_url).with_clock(clock.clone()))
        .await
        .map_err(ServiceError::wrap)?;
    let backends = Backends::for_sandbox_at(handle.credentials(), public_url, clock.clone())?;
    Ok((backends, SandboxGuard { handle }))
}

/// LGSL 57: "Find out more about council tax" (Local Government Service List).
pub(crate) const COUNCIL_TAX_LGSL: u32 = 57;

/// The councils' pages for LGSL 57, in Local Links Manager's `authority_slug,lgsl,lgil,url` shape. Only the
/// embedded area (Westminster) is listed; any other council falls back to its homepage. LGIL 4 is "Paying
/// for goods and services", which the resolver prefers over LGIL 8, "Providing information".
const COUNCIL_LINKS_CSV: &str = "authority_slug,lgsl,lgil,url
westminster,57,8,https://www.westminster.gov.uk/council-tax
westminster,57,4,https://www.westminster.gov.uk/council-tax/pay-your-council-tax
";

/// The start page, in govspeak.
pub const START_PAGE_GOVSPEAK: &str = include_str!("start-page.govspeak");

fn start_page_html() -> Result<String, ServiceError> {
    Ok(gaap_content::govspeak::render(START_PAGE_GOVSPEAK, gaap_content::govspeak::Mode::Frontend))
}

/// The band for a property. Real bands come from the Valuation Office Agency; this example derives an
/// illustrative one from the (synthetic) UPRN so the same address always gets the same band.
pub(crate) fn band_for(uprn: &str) -> char {
    let sum: u32 = uprn.bytes().map(u32::from).sum();
    let bands = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
    bands.get((sum % 8) as usize).copied().unwrap_or('D')
}

/// The illustrative yearly amount for a band, in pence: Band D × the statutory ninths for England
/// (A 6/9, B 7/9, C 8/9, D 9/9, E 11/9, F 13/9, G 15/9, H 18/9).
pub(crate) fn annual_amount(band: char) -> u64 {
    const BAND_D_PENCE: u64 = 216_000;
    let ninths = match band {
        'A' => 6,
        'B' => 7,
        'C' => 8,
        'E' => 11,
        'F' => 13,
        'G' => 15,
        'H' => 18,
        _ => 9,
    };
    BAND_D_PENCE * ninths / 9
}

impl Backends {
    /// Clients for the sandbox's services, for an app at `public_url`, plus the embedded content and data.
    ///
    /// # Errors
    /// When a client cannot be built or the embedded content does not render.
    pub fn for_sandbox(
        creds: &gaap_sandbox::Credentials,
        public_url: &str,
    ) -> Result<Self, ServiceError> {
        Self::for_sandbox_at(creds, public_url, std::sync::Arc::new(gaap_http::SystemClock))
    }

    /// [`Backends::for_sandbox`] with One Login's tokens checked on `clock` (the sandbox's, in tests that
    /// move time).
    ///
    /// # Errors
    /// When a client cannot be built or the embedded content does not render.
    pub fn for_sandbox_at(
        creds: &gaap_sandbox::Credentials,
        public_url: &str,
        clock: gaap_http::SharedClock,
    ) -> Result<Self, ServiceError> {
        let key = gaap_identity::ClientKey::from_pem(creds.one_login.private_key_pem.expose())
            .map_err(ServiceError::wrap)?;
        let identity =
            gaap_identity::Client::builder(&creds.one_login.issuer, &creds.one_login.client_id)
                .redirect_uri(format!("{public_url}/sign-in/callback"))
                .signing_key(key)
                .insecure_allow_http_loopback(true)
                .clock(clock)
                .user_agent("gaap-council-tax-example")
                .build()
                .map_err(ServiceError::wrap)?;
        let pay = gaap_pay::Client::builder(gaap_pay::ApiKey::new(creds.pay.api_key.expose()))
            .base_url(&creds.pay.base_url)
            .build()
            .map_err(ServiceError::wrap)?;
        let notify_key = gaap_notify::ApiKey::parse(creds.notify.api_key.expose())
            .map_err(ServiceError::wrap)?;
        let notify = gaap_notify::Client::builder(notify_key)
            .base_url(&creds.notify.base_url)
            .build()
            .map_err(ServiceError::wrap)?;
        let links = gaap_content::local::LinkTable::from_csv(COUNCIL_LINKS_CSV)
            .map_err(ServiceError::wrap)?;
        Ok(Self {
            councils: gaap_content::local::Resolver::embedded(
                links,
                gaap_content::local::AddressPostcodes,
            ),
            notify,
            start_page_html: start_page_html()?,
            identity,
            pay,
            webhook_secret: gaap_pay::SigningSecret::new(creds.pay.webhook_secret.expose()),
        })
    }

    /// Starts a One Login sign-in asking for the `email` scope.
    pub(crate) async fn begin_sign_in(
        &self,
    ) -> Result<gaap_identity::AuthorizationRequest, ServiceError> {
        let request = gaap_identity::AuthorizeRequest::new().scope(gaap_identity::Scope::Email);
        self.identity.authorize(&request).await.map_err(ServiceError::wrap)
    }

    /// Finishes a sign-in from the callback's query string: checks `state`, exchanges the code
    /// (`private_key_jwt`), validates the ID token and reads the email from userinfo.
    pub(crate) async fn complete_sign_in(
        &self,
        pending: &gaap_identity::PendingAuthorization,
        query: &str,
    ) -> Result<User, ServiceError> {
        let code = match pending.callback(query).map_err(ServiceError::wrap)? {
            gaap_identity::CallbackOutcome::Code(code) => code,
            gaap_identity::CallbackOutcome::AccessDenied { description } => {
                return Err(ServiceError::new(format!(
                    "access denied: {}",
                    description.unwrap_or_default()
                )));
            }
            other => return Err(ServiceError::new(format!("sign-in failed: {other:?}"))),
        };
        let tokens =
            self.identity.exchange_code(pending, code).await.map_err(ServiceError::wrap)?;
        let info = self.identity.userinfo(&tokens).await.map_err(ServiceError::wrap)?;
        let email = info.email.ok_or_else(|| ServiceError::new("userinfo has no email"))?;
        Ok(User { subject: info.sub, email, id_token: tokens.id_token })
    }

    /// One Login's end-session URL (RP-initiated logout), coming back to `post_logout_redirect_uri`.
    pub(crate) async fn sign_out_url(
        &self,
        id_token: &str,
        post_logout_redirect_uri: &str,
        state: &str,
    ) -> Result<String, ServiceError> {
        let token = gaap_identity::IdToken::new(id_token);
        self.identity
            .end_session_url(&token, Some(post_logout_redirect_uri), Some(state))
            .await
            .map(String::from)
            .map_err(ServiceError::wrap)
    }

    /// The normalised postcode and its addresses, from gaap-address's embedded index. Common slips
    /// (O for 0, I for 1) are fixed before the strict check.
    pub(crate) fn addresses(
        &self,
        typed: &str,
    ) -> Result<(String, Vec<AddressChoice>), PostcodeError> {
        let postcode =
            gaap_address::Postcode::parse_fixed(typed).map_err(|_| PostcodeError::Invalid)?;
        let found = gaap_address::embedded().by_postcode(&postcode);
        if found.is_empty() {
            return Err(PostcodeError::Unknown);
        }
        let choices = found
            .iter()
            .map(|address| AddressChoice {
                uprn: address.uprn.to_string(),
                line: address.single_line(),
            })
            .collect();
        Ok((postcode.to_string(), choices))
    }

    /// The council that serves a postcode for Council Tax: gaap-content's LGSL 57 resolution, with the
    /// postcode's district from gaap-address.
    pub(crate) fn council(&self, postcode: &str) -> Option<Council> {
        let resolved = self.councils.resolve_postcode(postcode, COUNCIL_TAX_LGSL, None).ok()?;
        Some(Council { name: resolved.authority.name, url: resolved.url })
    }

    /// Creates the payment (with an `Idempotency-Key`, so a retried create never charges twice) and returns
    /// Pay's `payment_id` and the card page URL.
    pub(crate) async fn create_payment(
        &self,
        amount_pence: u64,
        reference: &str,
        description: &str,
        return_url: &str,
        email: &str,
    ) -> Result<(String, String), ServiceError> {
        let amount = i64::try_from(amount_pence).map_err(ServiceError::wrap)?;
        let mut request = gaap_pay::CreatePaymentRequest::new(
            gaap_pay::Money::from_pence(amount),
            reference,
            description,
            return_url,
        )
        .with_idempotency_key();
        request.email = Some(email.to_owned());
        let payment = self.pay.create_payment(&request).await.map_err(ServiceError::wrap)?;
        let next_url =
            payment.next_url().ok_or_else(|| ServiceError::new("Pay sent no next_url"))?.to_owned();
        Ok((payment.payment_id, next_url))
    }

    /// Asks Pay how the payment ended (the return URL carries no outcome, by design).
    pub(crate) async fn payment_outcome(
        &self,
        payment_id: &str,
    ) -> Result<gaap_pay::PaymentState, ServiceError> {
        let payment = self.pay.get_payment(payment_id).await.map_err(ServiceError::wrap)?;
        let (status, code) = (payment.state.status.as_str(), payment.state.code.as_deref());
        gaap_pay::PaymentState::from_wire(status, code).ok_or_else(|| {
            ServiceError::new(format!("Pay sent an unknown state: {status} {code:?}"))
        })
    }

    /// Verifies `Pay-Signature` over the raw body, in constant time, then parses the message.
    pub(crate) fn verify_webhook(
        &self,
        body: &[u8],
        signature: &str,
    ) -> Result<WebhookEvent, ServiceError> {
        let message = gaap_pay::webhook::verify_and_parse(&self.webhook_secret, body, signature)
            .map_err(ServiceError::wrap)?;
        let state = &message.resource.state;
        Ok(WebhookEvent {
            state: gaap_pay::PaymentState::from_wire(state.status.as_str(), state.code.as_deref()),
            message_id: message.webhook_message_id,
            payment_id: message.resource_id,
            event_type: message.event_type.as_str().to_owned(),
        })
    }

    /// Emails the receipt through Notify; returns the notification id. The payment reference doubles as
    /// Notify's `reference`, so the email can be found from the payment.
    pub(crate) async fn send_receipt(
        &self,
        email: &str,
        reference: &str,
        address: &str,
        amount: &str,
    ) -> Result<String, ServiceError> {
        let mut values = gaap_notify::Personalisation::new();
        values.insert("reference".to_owned(), reference.into());
        values.insert("address".to_owned(), address.into());
        values.insert("amount".to_owned(), amount.into());
        let request = gaap_notify::EmailRequest::new(email, RECEIPT_TEMPLATE_ID)
            .personalisation(values)
            .reference(reference);
        let sent = self.notify.send_email(&request).await.map_err(ServiceError::wrap)?;
        Ok(sent.id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_statutory_ninths() {
        assert_eq!(annual_amount('D'), 216_000);
        assert_eq!(annual_amount('A'), 144_000);
        assert_eq!(annual_amount('H'), 432_000);
        assert_eq!(annual_amount('E'), 264_000);
    }

    fn outcome(status: &str, code: Option<&str>) -> PaymentOutcome {
        PaymentOutcome::of(gaap_pay::PaymentState::from_wire(status, code).unwrap())
    }

    #[test]
    fn pay_codes_decide_the_outcome() {
        assert_eq!(outcome("success", None), PaymentOutcome::Success);
        assert_eq!(outcome("failed", Some("P0010")), PaymentOutcome::Declined);
        assert_eq!(outcome("declined", Some("P0010")), PaymentOutcome::Declined);
        assert_eq!(outcome("failed", Some("P0030")), PaymentOutcome::Cancelled);
        assert_eq!(outcome("cancelled", Some("P0040")), PaymentOutcome::Cancelled);
        assert_eq!(outcome("failed", Some("P0020")), PaymentOutcome::Failed("P0020".to_owned()));
        assert_eq!(outcome("error", Some("P0050")), PaymentOutcome::Failed("P0050".to_owned()));
        assert_eq!(outcome("submitted", None), PaymentOutcome::InProgress("submitted".to_owned()));
    }

    #[test]
    fn band_is_stable_for_a_uprn() {
        assert_eq!(band_for("900000000001"), band_for("900000000001"));
        assert!(('A'..='H').contains(&band_for("900000000123")));
    }
}
