//! The pages of the journey.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::payments::{self, Advance};
use super::services::{Council, PaymentOutcome, PostcodeError, User};
use super::session::{Current, PendingSignIn, SessionData, new_token, read_cookie};
use super::{App, SERVICE_NAME, log};
use crate::govuk::{self, Page};
use crate::store::{Application, PaymentRecord};

type AppState = State<Arc<App>>;

/// The form field that carries the session's CSRF token.
pub(crate) const CSRF_FIELD: &str = "csrf_token";

/// A POST body's form fields (the first of a repeated name wins). Read whatever the `Content-Type`, so a
/// form without its token is refused as such (403), never as an unsupported body.
fn form_fields(body: &[u8]) -> HashMap<String, String> {
    let mut fields = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        fields.entry(name.into_owned()).or_insert_with(|| value.into_owned());
    }
    fields
}

fn render(
    session: Option<&SessionData>,
    status: StatusCode,
    title: &str,
    back: Option<&str>,
    error: bool,
    main: String,
) -> Response {
    let html = Page {
        service: SERVICE_NAME,
        title,
        back,
        error,
        main,
        stylesheet: true,
        sign_out_csrf: session.map(|s| s.csrf.as_str()),
    }
    .render();
    (status, [(CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

fn page(session: &SessionData, title: &str, back: Option<&str>, main: String) -> Response {
    render(Some(session), StatusCode::OK, title, back, false, main)
}

/// A GOV.UK-pattern problem page: error summary, a heading, what to do next and a way back.
struct Problem<'a> {
    status: StatusCode,
    heading: &'a str,
    summary: &'a str,
    advice: &'a str,
    back: &'a str,
    next: (&'a str, &'a str),
}

fn problem(session: Option<&SessionData>, p: &Problem<'_>) -> Response {
    let mut main = govuk::error_summary(&[("next-step", p.summary)]);
    main.push_str(&format!("<h1 class=\"govuk-heading-l\">{}</h1>\n", govuk::escape(p.heading)));
    main.push_str(&govuk::p(p.advice));
    main.push_str(&format!(
        "<p class=\"govuk-body\"><a id=\"next-step\" class=\"govuk-link\" href=\"{}\">{}</a></p>\n",
        govuk::escape(p.next.0),
        govuk::escape(p.next.1)
    ));
    render(session, p.status, p.heading, Some(p.back), true, main)
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// Something went wrong on our side: the detail goes to the log, the resident is told what to do.
fn internal_error(what: &str) -> Response {
    log("internal error", what);
    problem(
        None,
        &Problem {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            heading: "Sorry, there is a problem with the service",
            summary: "Sorry, there is a problem with the service",
            advice: "Try again later. If you were paying, check your email for a receipt before \
                     paying again: no money is taken twice for the same payment.",
            back: "/",
            next: ("/", "Go back to the start"),
        },
    )
}

/// The 403 page for a form that did not come from the service (wrong origin or token).
pub(crate) fn forbidden() -> Response {
    problem(
        None,
        &Problem {
            status: StatusCode::FORBIDDEN,
            heading: "Sorry, we could not accept that form",
            summary: "The form was not sent from this service, or it was open for too long",
            advice: "Nothing has been saved or paid. Go back to the start and try again.",
            back: "/",
            next: ("/", "Go back to the start"),
        },
    )
}

/// The signed-in session, or the response to send instead: a redirect to sign in, or an error page.
async fn signed_in(app: &App, headers: &HeaderMap) -> Result<Current, Response> {
    match app.sessions.current(headers).await {
        Ok(Some(current)) => Ok(current),
        Ok(None) => Err(redirect("/sign-in")),
        Err(err) => Err(internal_error(&format!("reading the session: {err}"))),
    }
}

/// [`signed_in`] for a form: the form must carry the session's CSRF token, or it gets the 403 page.
async fn signed_in_form(
    app: &App,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Current, Response> {
    let current = signed_in(app, headers).await?;
    if current.data.csrf_matches(form.get(CSRF_FIELD).map(String::as_str)) {
        Ok(current)
    } else {
        log("refused a form without this session's token", "");
        Err(forbidden())
    }
}

async fn save(app: &App, current: &Current, then: Response) -> Response {
    match app.sessions.save(current).await {
        Ok(()) => then,
        Err(err) => internal_error(&format!("saving the session: {err}")),
    }
}

/// `GET /`: the start page, written in govspeak and rendered by gaap-content.
pub(crate) async fn start_page(State(app): AppState, headers: HeaderMap) -> Response {
    let current = app.sessions.current(&headers).await.ok().flatten();
    let mut main = format!("<h1 class=\"govuk-heading-xl\">{}</h1>\n", govuk::escape(SERVICE_NAME));
    main.push_str(&app.backends.start_page_html);
    main.push_str(
        "<a href=\"/start\" role=\"button\" draggable=\"false\" class=\"govuk-button govuk-button--start\" \
         data-module=\"govuk-button\" id=\"start-now\">Start now</a>\n",
    );
    let session = current.as_ref().map(|c| &c.data);
    render(session, StatusCode::OK, SERVICE_NAME, None, false, main)
}

/// `GET /start`: sign in first, then the postcode.
pub(crate) async fn start(State(app): AppState, headers: HeaderMap) -> Response {
    match signed_in(&app, &headers).await {
        Ok(_) => redirect("/postcode"),
        Err(response) => response,
    }
}

/// `GET /sign-in`: send the browser to One Login. `state`, `nonce` and the redirect URI travel in the
/// signed sign-in cookie: nothing is stored for a visitor who has not signed in.
pub(crate) async fn sign_in(State(app): AppState) -> Response {
    let request = match app.backends.begin_sign_in().await {
        Ok(request) => request,
        Err(err) => return internal_error(&format!("starting sign-in: {err}")),
    };
    let pending = PendingSignIn::new(&request.pending, app.sessions.now());
    let Some(sealed) = app.sessions.signer.seal(&pending) else {
        return internal_error("sealing the sign-in cookie");
    };
    with_cookies(redirect(request.url.as_str()), &[app.sessions.cookies.set_sign_in(&sealed)])
}

fn sign_in_failed(app: &App) -> Response {
    let page = problem(
        None,
        &Problem {
            status: StatusCode::UNAUTHORIZED,
            heading: "You could not be signed in",
            summary: "Sign in with GOV.UK One Login did not finish",
            advice: "You need to sign in to pay your Council Tax. Nothing has been paid.",
            back: "/",
            next: ("/sign-in", "Try signing in again"),
        },
    );
    with_cookies(page, &[app.sessions.cookies.clear_sign_in()])
}

/// `GET /sign-in/callback`: One Login's redirect with a code (or an error). A successful sign-in always
/// gets a new session id; any session the browser had is ended.
pub(crate) async fn sign_in_callback(
    State(app): AppState,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let cookies = app.sessions.cookies;
    let pending = read_cookie(&headers, cookies.sign_in)
        .and_then(|value| app.sessions.signer.open(value, app.sessions.now()))
        .and_then(|pending| pending.to_authorization());
    let Some(pending) = pending else {
        log("sign-in callback without a valid sign-in cookie", "");
        return sign_in_failed(&app);
    };
    let User { subject, email, id_token } =
        match app.backends.complete_sign_in(&pending, query.as_deref().unwrap_or("")).await {
            Ok(user) => user,
            Err(err) => {
                log("sign-in failed", &err.to_string());
                return sign_in_failed(&app);
            }
        };
    if let Err(err) = app.sessions.end(&headers).await {
        return internal_error(&format!("ending the old session: {err}"));
    }
    let csrf = match new_token() {
        Ok(token) => token,
        Err(err) => return internal_error(&err.to_string()),
    };
    let data = SessionData {
        subject,
        email,
        id_token: id_token.expose_secret().to_owned(),
        csrf,
        postcode: None,
        uprn: None,
    };
    match app.sessions.start(&data).await {
        Ok(id) => with_cookies(
            redirect("/postcode"),
            &[cookies.set_session(&id), cookies.clear_sign_in()],
        ),
        Err(err) => internal_error(&format!("starting a session: {err}")),
    }
}

/// `POST /sign-out`: ends the session here and the resident's One Login session (RP-initiated logout),
/// which comes back to `/signed-out`.
pub(crate) async fn sign_out(State(app): AppState, headers: HeaderMap, body: Bytes) -> Response {
    let form = form_fields(&body);
    let cookies = app.sessions.cookies;
    let current = match app.sessions.current(&headers).await {
        Ok(Some(current)) => current,
        Ok(None) => return with_cookies(redirect("/signed-out"), &[cookies.clear_session()]),
        Err(err) => return internal_error(&format!("reading the session: {err}")),
    };
    if !current.data.csrf_matches(form.get(CSRF_FIELD).map(String::as_str)) {
        log("refused a sign-out without this session's token", "");
        return forbidden();
    }
    if let Err(err) = app.records.delete_session(&current.id_hash).await {
        return internal_error(&format!("ending the session: {err}"));
    }
    let back = format!("{}/signed-out", app.config.public_url);
    let state = new_token().unwrap_or_default();
    let to = match app.backends.sign_out_url(&current.data.id_token, &back, &state).await {
        Ok(url) => url,
        Err(err) => {
            // Signed out here; One Login's session stays. Say so in the log, carry on.
            log("cannot build One Login's sign-out URL", &err.to_string());
            "/signed-out".to_owned()
        }
    };
    with_cookies(redirect(&to), &[cookies.clear_session()])
}

/// `GET /signed-out`: where One Login sends the browser back after sign-out.
pub(crate) async fn signed_out(State(app): AppState) -> Response {
    let mut main = String::from("<h1 class=\"govuk-heading-l\">You have signed out</h1>\n");
    main.push_str(&govuk::p(
        "You have signed out of Pay your Council Tax and of GOV.UK One Login on this device.",
    ));
    main.push_str(&govuk::link_p("/", "Go to the start page"));
    let page = render(None, StatusCode::OK, "You have signed out", None, false, main);
    with_cookies(page, &[app.sessions.cookies.clear_session()])
}

fn postcode_page(session: &SessionData, value: &str, error: Option<&str>) -> Response {
    let mut main = String::new();
    if let Some(message) = error {
        main.push_str(&govuk::error_summary(&[("postcode", message)]));
    }
    let field = govuk::text_input_page(
        "postcode",
        "What is the postcode of the property?",
        "For example, SW1A 2AA",
        value,
        error,
    );
    main.push_str(&govuk::form("/postcode", &session.csrf, &field, "Continue"));
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(
        Some(session),
        status,
        "What is the postcode of the property?",
        Some("/"),
        error.is_some(),
        main,
    )
}

/// `GET /postcode`.
pub(crate) async fn postcode_form(State(app): AppState, headers: HeaderMap) -> Response {
    match signed_in(&app, &headers).await {
        Ok(current) => {
            let value = current.data.postcode.as_deref().unwrap_or("");
            postcode_page(&current.data, value, None)
        }
        Err(response) => response,
    }
}

/// `POST /postcode`.
pub(crate) async fn postcode_submit(
    State(app): AppState,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = form_fields(&body);
    let mut current = match signed_in_form(&app, &headers, &form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let typed = form.get("postcode").map(|s| s.trim()).unwrap_or("");
    if typed.is_empty() {
        return postcode_page(&current.data, typed, Some("Enter the postcode of the property"));
    }
    match app.backends.addresses(typed) {
        Ok((postcode, _)) => {
            current.data.postcode = Some(postcode);
            current.data.uprn = None;
            save(&app, &current, redirect("/address")).await
        }
        Err(PostcodeError::Invalid) => {
            postcode_page(&current.data, typed, Some("Enter a real postcode, like SW1A 2AA"))
        }
        Err(PostcodeError::Unknown) => postcode_page(
            &current.data,
            typed,
            Some("We could not find any addresses for that postcode. Check it and try again"),
        ),
    }
}

fn address_page(app: &App, session: &SessionData, postcode: &str, error: Option<&str>) -> Response {
    let Ok((_, addresses)) = app.backends.addresses(postcode) else { return redirect("/postcode") };
    let options: Vec<(String, String)> = addresses.into_iter().map(|a| (a.uprn, a.line)).collect();
    let mut main = String::new();
    if let Some(message) = error {
        main.push_str(&govuk::error_summary(&[("uprn", message)]));
    }
    let mut fields =
        govuk::radios_page("uprn", "Select the address of the property", &options, error);
    fields.insert_str(0, &format!("<p class=\"govuk-body\">Addresses in <strong>{}</strong>. <a class=\"govuk-link\" href=\"/postcode\">Change postcode</a></p>\n", govuk::escape(postcode)));
    main.push_str(&govuk::form("/address", &session.csrf, &fields, "Continue"));
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(
        Some(session),
        status,
        "Select the address of the property",
        Some("/postcode"),
        error.is_some(),
        main,
    )
}

/// `GET /address`.
pub(crate) async fn address_form(State(app): AppState, headers: HeaderMap) -> Response {
    match signed_in(&app, &headers).await {
        Ok(current) => match &current.data.postcode {
            Some(postcode) => address_page(&app, &current.data, postcode, None),
            None => redirect("/postcode"),
        },
        Err(response) => response,
    }
}

/// `POST /address`.
pub(crate) async fn address_submit(
    State(app): AppState,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = form_fields(&body);
    let mut current = match signed_in_form(&app, &headers, &form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(postcode) = current.data.postcode.clone() else { return redirect("/postcode") };
    let Ok((_, addresses)) = app.backends.addresses(&postcode) else {
        return redirect("/postcode");
    };
    match form.get("uprn").filter(|uprn| addresses.iter().any(|a| &a.uprn == *uprn)) {
        Some(uprn) => {
            current.data.uprn = Some(uprn.clone());
            save(&app, &current, redirect("/amount-due")).await
        }
        None => {
            address_page(&app, &current.data, &postcode, Some("Select the address of the property"))
        }
    }
}

/// What the signed-in visitor owes for the address they picked.
struct Bill {
    address: String,
    council: Council,
    band: char,
    amount_pence: u64,
}

fn bill(app: &App, session: &SessionData) -> Option<Bill> {
    let postcode = session.postcode.as_deref()?;
    let uprn = session.uprn.as_deref()?;
    let (_, addresses) = app.backends.addresses(postcode).ok()?;
    let address = addresses.into_iter().find(|a| a.uprn == uprn)?;
    let council = app.backends.council(postcode)?;
    let band = super::services::band_for(uprn);
    Some(Bill {
        address: address.line,
        amount_pence: super::services::annual_amount(band),
        council,
        band,
    })
}

/// `GET /amount-due`: the council, the band and the amount.
pub(crate) async fn amount_due(State(app): AppState, headers: HeaderMap) -> Response {
    let current = match signed_in(&app, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let session = &current.data;
    if session.uprn.is_none() {
        return redirect("/address");
    }
    let Some(bill) = bill(&app, session) else {
        return problem(
            Some(session),
            &Problem {
                status: StatusCode::NOT_FOUND,
                heading: "We could not find the council for this address",
                summary: "No council found for this postcode",
                advice: "Contact your local council to pay your Council Tax.",
                back: "/address",
                next: ("/postcode", "Enter a different postcode"),
            },
        );
    };
    let mut main = String::from("<h1 class=\"govuk-heading-l\">Your Council Tax</h1>\n");
    main.push_str(&govuk::summary_list(&[
        ("Address", bill.address.clone()),
        ("Council", bill.council.name.clone()),
        ("Band", bill.band.to_string()),
        ("Amount due", govuk::pounds(bill.amount_pence)),
    ]));
    main.push_str(&format!(
        "<p class=\"govuk-body\">{} collects Council Tax for this address. \
         <a class=\"govuk-link\" href=\"{}\">Council Tax on the council's website</a>.</p>\n",
        govuk::escape(&bill.council.name),
        govuk::escape(&bill.council.url),
    ));
    main.push_str(&govuk::p(
        "Bands and amounts in this example are illustrative, derived from the synthetic address.",
    ));
    main.push_str(&govuk::form("/pay", &session.csrf, "", "Continue to payment"));
    page(session, "Your Council Tax", Some("/address"), main)
}

/// `POST /pay`: record the application, create the payment and send the browser to Pay.
pub(crate) async fn pay(State(app): AppState, headers: HeaderMap, body: Bytes) -> Response {
    let form = form_fields(&body);
    let current = match signed_in_form(&app, &headers, &form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let session = current.data;
    let Some(bill) = bill(&app, &session) else { return redirect("/address") };
    let Some(uprn) = session.uprn.clone() else { return redirect("/address") };
    let application = Application {
        id: 0,
        subject: session.subject.clone(),
        email: session.email.clone(),
        uprn,
        address: bill.address.clone(),
        council: bill.council.name.clone(),
        band: bill.band.to_string(),
        amount_pence: bill.amount_pence,
    };
    let application = match app.records.add_application(application).await {
        Ok(application) => application,
        Err(err) => return internal_error(&format!("recording the application: {err}")),
    };
    let reference = format!("CT-{:06}", application.id);
    let return_url = format!("{}/payment-return/{}", app.config.public_url, application.id);
    let description = format!("Council Tax, band {}, {}", bill.band, bill.council.name);
    let created = app
        .backends
        .create_payment(
            application.amount_pence,
            &reference,
            &description,
            &return_url,
            &session.email,
        )
        .await;
    match created {
        Ok((payment_id, next_url)) => {
            let record = PaymentRecord {
                payment_id,
                application_id: application.id,
                reference,
                status: "created".to_owned(),
            };
            if let Err(err) = app.records.add_payment(&record).await {
                return internal_error(&format!("recording the payment: {err}"));
            }
            redirect(&next_url)
        }
        Err(err) => internal_error(&format!("creating the payment: {err}")),
    }
}

/// The application and its latest payment, only when the signed-in resident made it (no IDOR).
async fn own_payment(
    app: &App,
    subject: &str,
    application: i64,
) -> Option<(Application, PaymentRecord)> {
    let application = app.records.application(application).await.ok()??;
    if application.subject != subject {
        return None;
    }
    let payment = app.records.payment_for_application(application.id).await.ok()??;
    Some((application, payment))
}

fn try_again(session: &SessionData, heading: &str, summary: &str, advice: &str) -> Response {
    problem(
        Some(session),
        &Problem {
            status: StatusCode::OK,
            heading,
            summary,
            advice,
            back: "/amount-due",
            next: ("/amount-due", "Try paying again"),
        },
    )
}

/// `GET /payment-return/{application}`: Pay sends the browser back here; ask Pay how it went (the return
/// URL carries no outcome). What Pay says moves the payment only forward; the page shows where it is.
pub(crate) async fn payment_return(
    State(app): AppState,
    headers: HeaderMap,
    Path(application): Path<i64>,
) -> Response {
    let current = match signed_in(&app, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let session = &current.data;
    let Some((application, payment)) = own_payment(&app, &session.subject, application).await
    else {
        return not_found().await;
    };
    let reported = match app.backends.payment_outcome(&payment.payment_id).await {
        Ok(state) => state,
        Err(err) => return internal_error(&format!("asking Pay: {err}")),
    };
    match payments::advance(&app.records, &payment.payment_id, reported).await {
        Ok(Advance::Refused { current }) => log(
            "Pay reported an earlier state than recorded; kept the recorded one",
            &format!("payment={} reported={reported:?} kept={current:?}", payment.payment_id),
        ),
        Ok(_) => {}
        Err(err) => return internal_error(&format!("recording the payment state: {err}")),
    }
    let state = match payments::current(&app.records, &payment.payment_id).await {
        Ok(Some(state)) => state,
        Ok(None) => return internal_error("the payment has no readable state"),
        Err(err) => return internal_error(&format!("reading the payment state: {err}")),
    };
    match PaymentOutcome::of(state) {
        PaymentOutcome::Success => {
            if let Err(err) = payments::send_receipt_once(&app, &payment.payment_id).await {
                log("the payment went through but the receipt failed", &err);
            }
            redirect(&format!("/confirmation/{}", application.id))
        }
        PaymentOutcome::Declined => try_again(
            session,
            "Your payment was declined",
            "Your card was declined",
            "No money has been taken from your account. Check your card details or use a different card.",
        ),
        PaymentOutcome::Cancelled => try_again(
            session,
            "Your payment was cancelled",
            "You cancelled your payment",
            "No money has been taken from your account.",
        ),
        PaymentOutcome::Failed(_) => try_again(
            session,
            "Your payment did not go through",
            "Your payment did not go through",
            "No money has been taken from your account. You can try again.",
        ),
        PaymentOutcome::InProgress(_) => {
            let mut main =
                String::from("<h1 class=\"govuk-heading-l\">Your payment is not finished</h1>\n");
            main.push_str(&govuk::p(
                "Pay has not told us the outcome yet. No receipt has been sent.",
            ));
            main.push_str(&govuk::link_p(
                &format!("/payment-return/{}", application.id),
                "Check again",
            ));
            page(session, "Your payment is not finished", Some("/amount-due"), main)
        }
    }
}

/// `GET /confirmation/{application}`.
pub(crate) async fn confirmation(
    State(app): AppState,
    headers: HeaderMap,
    Path(application): Path<i64>,
) -> Response {
    let current = match signed_in(&app, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let session = &current.data;
    let Some((application, payment)) = own_payment(&app, &session.subject, application)
        .await
        .filter(|(_, p)| p.status == "success")
    else {
        return not_found().await;
    };
    let mut main =
        govuk::panel("Payment complete", "Your payment reference is", &payment.reference);
    main.push_str(&format!(
        "<p class=\"govuk-body\">We have sent a receipt to <strong>{}</strong>.</p>\n",
        govuk::escape(&application.email)
    ));
    main.push_str(&govuk::summary_list(&[
        ("Address", application.address.clone()),
        ("Council", application.council.clone()),
        ("Amount paid", govuk::pounds(application.amount_pence)),
    ]));
    main.push_str(&govuk::link_p("/", "Back to the start"));
    page(session, "Payment complete", None, main)
}

/// `POST /webhooks/pay`: verify `Pay-Signature` over the raw body, record the message once, then apply
/// its state only if it moves the payment forward. A late or out-of-order message is recorded and
/// ignored. A payment that reaches success gets its receipt, once, whichever replica hears first.
pub(crate) async fn pay_webhook(State(app): AppState, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get("Pay-Signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    let event = match app.backends.verify_webhook(&body, signature) {
        Ok(event) => event,
        Err(err) => {
            log("refused a Pay webhook", &err.to_string());
            return (StatusCode::UNAUTHORIZED, "invalid signature").into_response();
        }
    };
    let records = &app.records;
    match records.record_webhook(&event.message_id, &event.payment_id, &event.event_type).await {
        Ok(true) => {}
        // Pay retries; a repeat delivery is acknowledged and ignored.
        Ok(false) => return StatusCode::OK.into_response(),
        Err(err) => {
            log("cannot record a Pay webhook", &err.to_string());
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let outcome = match event.state {
        None => Ok(Advance::Unknown),
        Some(state) => payments::advance(records, &event.payment_id, state).await,
    };
    let (label, moved_to_success) = match outcome {
        Ok(Advance::Moved) => ("applied", event.state == Some(gaap_pay::PaymentState::Success)),
        Ok(Advance::Unchanged) => ("unchanged", false),
        Ok(Advance::Refused { current }) => {
            log(
                "ignored an out-of-order Pay webhook",
                &format!(
                    "message={} payment={} reported={:?} kept={current:?}",
                    event.message_id, event.payment_id, event.state
                ),
            );
            ("ignored", false)
        }
        Ok(Advance::Unknown) => ("unknown", false),
        Err(err) => {
            log("cannot apply a Pay webhook", &err.to_string());
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if let Err(err) = records.set_webhook_outcome(&event.message_id, label).await {
        log("cannot note a Pay webhook's outcome", &err.to_string());
    }
    if moved_to_success && let Err(err) = payments::send_receipt_once(&app, &event.payment_id).await
    {
        log("the payment went through but the receipt failed", &err);
    }
    StatusCode::OK.into_response()
}

/// `GET /assets/govuk-frontend.min.css`: GOV.UK Frontend's stylesheet, compiled in (see [`govuk::STYLESHEET`]);
/// any other asset path is not found.
pub(crate) async fn asset(Path(path): Path<String>) -> Response {
    if path != "govuk-frontend.min.css" {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "max-age=3600")],
        govuk::STYLESHEET,
    )
        .into_response()
}

/// Any other path.
pub(crate) async fn not_found() -> Response {
    let mut main = String::from("<h1 class=\"govuk-heading-l\">Page not found</h1>\n");
    main.push_str(&govuk::p("If you typed the web address, check it is correct."));
    main.push_str(&govuk::link_p("/", "Go to the start page"));
    render(None, StatusCode::NOT_FOUND, "Page not found", None, false, main)
}
