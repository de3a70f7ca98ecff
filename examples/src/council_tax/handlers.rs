//! The pages of the journey.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Form, Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::services::{Council, PaymentOutcome, PostcodeError, User};
use super::session::{self, Session};
use super::{App, SERVICE_NAME};
use crate::govuk::{self, Page};
use crate::store::{Application, PaymentRecord};

type AppState = State<Arc<App>>;

fn page(app: &App, title: &str, back: Option<&str>, main: String) -> Response {
    page_with_status(app, StatusCode::OK, title, back, false, main)
}

fn page_with_status(
    app: &App,
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
        stylesheet: app.config.govuk_frontend.is_some(),
    }
    .render();
    (status, [(CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// A GOV.UK-pattern problem page: error summary, a heading, what to do next and a way back.
fn problem(
    app: &App,
    status: StatusCode,
    heading: &str,
    summary: &str,
    advice: &str,
    back: &str,
    next: (&str, &str),
) -> Response {
    let mut main = govuk::error_summary(&[("next-step", summary)]);
    main.push_str(&format!("<h1 class=\"govuk-heading-l\">{}</h1>\n", govuk::escape(heading)));
    main.push_str(&govuk::p(advice));
    main.push_str(&format!(
        "<p class=\"govuk-body\"><a id=\"next-step\" class=\"govuk-link\" href=\"{}\">{}</a></p>\n",
        govuk::escape(next.0),
        govuk::escape(next.1)
    ));
    page_with_status(app, status, heading, Some(back), true, main)
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

fn redirect_with_cookie(to: &str, id: &str, created: bool) -> Response {
    let mut response = redirect(to);
    if created && let Ok(value) = HeaderValue::from_str(&session::set_cookie(id)) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

fn internal_error(app: &App, what: &str) -> Response {
    problem(
        app,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sorry, there is a problem with the service",
        "Sorry, there is a problem with the service",
        &format!("Try again later. ({what})"),
        "/",
        ("/", "Go back to the start"),
    )
}

/// The signed-in session, or a redirect to sign in.
fn signed_in(
    app: &App,
    headers: &HeaderMap,
) -> Result<(String, Session, (String, String)), Redirect> {
    match app.sessions.get(headers) {
        Some((id, session)) => match session.user.clone() {
            Some(user) => Ok((id, session, user)),
            None => Err(Redirect::to("/sign-in")),
        },
        None => Err(Redirect::to("/sign-in")),
    }
}

/// `GET /`: the start page, written in govspeak and rendered by gaap-content.
pub(crate) async fn start_page(State(app): AppState) -> Response {
    let mut main = format!("<h1 class=\"govuk-heading-xl\">{}</h1>\n", govuk::escape(SERVICE_NAME));
    main.push_str(&app.backends.start_page_html);
    main.push_str(
        "<a href=\"/start\" role=\"button\" draggable=\"false\" class=\"govuk-button govuk-button--start\" \
         data-module=\"govuk-button\" id=\"start-now\">Start now</a>\n",
    );
    page(&app, SERVICE_NAME, None, main)
}

/// `GET /start`: sign in first, then the postcode.
pub(crate) async fn start(State(app): AppState, headers: HeaderMap) -> Response {
    match signed_in(&app, &headers) {
        Ok(_) => redirect("/postcode"),
        Err(to_sign_in) => to_sign_in.into_response(),
    }
}

/// `GET /sign-in`: send the browser to One Login, keeping `state`, `nonce` and the redirect URI in the
/// session.
pub(crate) async fn sign_in(State(app): AppState, headers: HeaderMap) -> Response {
    let (id, _, created) = app.sessions.get_or_create(&headers);
    match app.backends.begin_sign_in().await {
        Ok(request) => {
            app.sessions.update(&id, |s| s.sign_in = Some(request.pending));
            redirect_with_cookie(request.url.as_str(), &id, created)
        }
        Err(err) => internal_error(&app, &err.to_string()),
    }
}

fn sign_in_failed(app: &App) -> Response {
    problem(
        app,
        StatusCode::UNAUTHORIZED,
        "You could not be signed in",
        "Sign in with GOV.UK One Login did not finish",
        "You need to sign in to pay your Council Tax. Nothing has been paid.",
        "/",
        ("/sign-in", "Try signing in again"),
    )
}

/// `GET /sign-in/callback`: One Login's redirect with a code (or an error).
pub(crate) async fn sign_in_callback(
    State(app): AppState,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((id, session)) = app.sessions.get(&headers) else { return sign_in_failed(&app) };
    let Some(pending) = session.sign_in else { return sign_in_failed(&app) };
    app.sessions.update(&id, |s| s.sign_in = None);
    match app.backends.complete_sign_in(&pending, query.as_deref().unwrap_or("")).await {
        Ok(User { subject, email }) => {
            app.sessions.update(&id, |s| s.user = Some((subject, email)));
            redirect("/postcode")
        }
        Err(_) => sign_in_failed(&app),
    }
}

fn postcode_page(app: &App, value: &str, error: Option<&str>) -> Response {
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
    main.push_str(&govuk::form("/postcode", &field, "Continue"));
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    page_with_status(
        app,
        status,
        "What is the postcode of the property?",
        Some("/"),
        error.is_some(),
        main,
    )
}

/// `GET /postcode`.
pub(crate) async fn postcode_form(State(app): AppState, headers: HeaderMap) -> Response {
    match signed_in(&app, &headers) {
        Ok((_, session, _)) => postcode_page(&app, session.postcode.as_deref().unwrap_or(""), None),
        Err(to_sign_in) => to_sign_in.into_response(),
    }
}

/// `POST /postcode`.
pub(crate) async fn postcode_submit(
    State(app): AppState,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (id, _, _) = match signed_in(&app, &headers) {
        Ok(found) => found,
        Err(to_sign_in) => return to_sign_in.into_response(),
    };
    let typed = form.get("postcode").map(|s| s.trim()).unwrap_or("");
    if typed.is_empty() {
        return postcode_page(&app, typed, Some("Enter the postcode of the property"));
    }
    match app.backends.addresses(typed) {
        Ok((postcode, _)) => {
            app.sessions.update(&id, |s| {
                s.postcode = Some(postcode);
                s.uprn = None;
            });
            redirect("/address")
        }
        Err(PostcodeError::Invalid) => {
            postcode_page(&app, typed, Some("Enter a real postcode, like SW1A 2AA"))
        }
        Err(PostcodeError::Unknown) => postcode_page(
            &app,
            typed,
            Some("We could not find any addresses for that postcode. Check it and try again"),
        ),
    }
}

fn address_page(app: &App, postcode: &str, error: Option<&str>) -> Response {
    let Ok((_, addresses)) = app.backends.addresses(postcode) else { return redirect("/postcode") };
    let options: Vec<(String, String)> = addresses.into_iter().map(|a| (a.uprn, a.line)).collect();
    let mut main = String::new();
    if let Some(message) = error {
        main.push_str(&govuk::error_summary(&[("uprn", message)]));
    }
    let mut fields =
        govuk::radios_page("uprn", "Select the address of the property", &options, error);
    fields.insert_str(0, &format!("<p class=\"govuk-body\">Addresses in <strong>{}</strong>. <a class=\"govuk-link\" href=\"/postcode\">Change postcode</a></p>\n", govuk::escape(postcode)));
    main.push_str(&govuk::form("/address", &fields, "Continue"));
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    page_with_status(
        app,
        status,
        "Select the address of the property",
        Some("/postcode"),
        error.is_some(),
        main,
    )
}

/// `GET /address`.
pub(crate) async fn address_form(State(app): AppState, headers: HeaderMap) -> Response {
    match signed_in(&app, &headers) {
        Ok((_, Session { postcode: Some(postcode), .. }, _)) => address_page(&app, &postcode, None),
        Ok(_) => redirect("/postcode"),
        Err(to_sign_in) => to_sign_in.into_response(),
    }
}

/// `POST /address`.
pub(crate) async fn address_submit(
    State(app): AppState,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (id, session, _) = match signed_in(&app, &headers) {
        Ok(found) => found,
        Err(to_sign_in) => return to_sign_in.into_response(),
    };
    let Some(postcode) = session.postcode else { return redirect("/postcode") };
    let Ok((_, addresses)) = app.backends.addresses(&postcode) else {
        return redirect("/postcode");
    };
    match form.get("uprn").filter(|uprn| addresses.iter().any(|a| &a.uprn == *uprn)) {
        Some(uprn) => {
            let uprn = uprn.clone();
            app.sessions.update(&id, |s| s.uprn = Some(uprn));
            redirect("/amount-due")
        }
        None => address_page(&app, &postcode, Some("Select the address of the property")),
    }
}

/// What the signed-in visitor owes for the address they picked.
struct Bill {
    address: String,
    council: Council,
    band: char,
    amount_pence: u64,
}

fn bill(app: &App, session: &Session) -> Option<Bill> {
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
    let (_, session, _) = match signed_in(&app, &headers) {
        Ok(found) => found,
        Err(to_sign_in) => return to_sign_in.into_response(),
    };
    if session.uprn.is_none() {
        return redirect("/address");
    }
    let Some(bill) = bill(&app, &session) else {
        return problem(
            &app,
            StatusCode::NOT_FOUND,
            "We could not find the council for this address",
            "No council found for this postcode",
            "Contact your local council to pay your Council Tax.",
            "/address",
            ("/postcode", "Enter a different postcode"),
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
    main.push_str(&govuk::form("/pay", "", "Continue to payment"));
    page(&app, "Your Council Tax", Some("/address"), main)
}

/// `POST /pay`: record the application, create the payment and send the browser to Pay.
pub(crate) async fn pay(State(app): AppState, headers: HeaderMap) -> Response {
    let (_, session, (subject, email)) = match signed_in(&app, &headers) {
        Ok(found) => found,
        Err(to_sign_in) => return to_sign_in.into_response(),
    };
    let Some(bill) = bill(&app, &session) else { return redirect("/address") };
    let Some(uprn) = session.uprn.clone() else { return redirect("/address") };
    let application = Application {
        id: 0,
        subject,
        uprn,
        address: bill.address.clone(),
        council: bill.council.name.clone(),
        band: bill.band.to_string(),
        amount_pence: bill.amount_pence,
    };
    let application = match app.store.add_application(application) {
        Ok(application) => application,
        Err(err) => return internal_error(&app, &err.to_string()),
    };
    let reference = format!("CT-{:06}", application.id);
    let return_url = format!("{}/payment-return/{}", app.config.public_url, application.id);
    let description = format!("Council Tax, band {}, {}", bill.band, bill.council.name);
    let created = app
        .backends
        .create_payment(application.amount_pence, &reference, &description, &return_url, &email)
        .await;
    match created {
        Ok((payment_id, next_url)) => {
            let record = PaymentRecord {
                payment_id,
                application_id: application.id,
                reference,
                status: "created".to_owned(),
            };
            if let Err(err) = app.store.add_payment(&record) {
                return internal_error(&app, &err.to_string());
            }
            redirect(&next_url)
        }
        Err(err) => internal_error(&app, &err.to_string()),
    }
}

fn payment_for(app: &App, application: i64) -> Option<(Application, PaymentRecord)> {
    let application = app.store.application(application).ok()??;
    let payment = app.store.payment_for_application(application.id).ok()??;
    Some((application, payment))
}

/// `GET /payment-return/{application}`: Pay sends the browser back here; ask Pay how it went.
pub(crate) async fn payment_return(
    State(app): AppState,
    headers: HeaderMap,
    Path(application): Path<i64>,
) -> Response {
    let (_, _, (subject, email)) = match signed_in(&app, &headers) {
        Ok(found) => found,
        Err(to_sign_in) => return to_sign_in.into_response(),
    };
    let Some((application, payment)) =
        payment_for(&app, application).filter(|(a, _)| a.subject == subject)
    else {
        return not_found(State(app)).await;
    };
    let outcome = match app.backends.payment_outcome(&payment.payment_id).await {
        Ok(outcome) => outcome,
        Err(err) => return internal_error(&app, &err.to_string()),
    };
    let _ = app.store.set_payment_status(&payment.payment_id, outcome.status());
    match outcome {
        PaymentOutcome::Success => {
            if app.store.mark_receipt_sent(&payment.payment_id).unwrap_or(false) {
                let sent = app
                    .backends
                    .send_receipt(
                        &email,
                        &payment.reference,
                        &application.address,
                        &govuk::pounds(application.amount_pence),
                    )
                    .await;
                if let Err(err) = sent {
                    return internal_error(
                        &app,
                        &format!("the payment went through but the receipt failed: {err}"),
                    );
                }
            }
            redirect(&format!("/confirmation/{}", application.id))
        }
        PaymentOutcome::Declined => problem(
            &app,
            StatusCode::OK,
            "Your payment was declined",
            "Your card was declined",
            "No money has been taken from your account. Check your card details or use a different card.",
            "/amount-due",
            ("/amount-due", "Try paying again"),
        ),
        PaymentOutcome::Cancelled => problem(
            &app,
            StatusCode::OK,
            "Your payment was cancelled",
            "You cancelled your payment",
            "No money has been taken from your account.",
            "/amount-due",
            ("/amount-due", "Try paying again"),
        ),
        PaymentOutcome::Failed(_) => problem(
            &app,
            StatusCode::OK,
            "Your payment did not go through",
            "Your payment did not go through",
            "No money has been taken from your account. You can try again.",
            "/amount-due",
            ("/amount-due", "Try paying again"),
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
            page(&app, "Your payment is not finished", Some("/amount-due"), main)
        }
    }
}

/// `GET /confirmation/{application}`.
pub(crate) async fn confirmation(
    State(app): AppState,
    headers: HeaderMap,
    Path(application): Path<i64>,
) -> Response {
    let (_, _, (subject, email)) = match signed_in(&app, &headers) {
        Ok(found) => found,
        Err(to_sign_in) => return to_sign_in.into_response(),
    };
    let Some((application, payment)) = payment_for(&app, application)
        .filter(|(a, p)| a.subject == subject && p.status == "success")
    else {
        return not_found(State(app)).await;
    };
    let mut main =
        govuk::panel("Payment complete", "Your payment reference is", &payment.reference);
    main.push_str(&format!(
        "<p class=\"govuk-body\">We have sent a receipt to <strong>{}</strong>.</p>\n",
        govuk::escape(&email)
    ));
    main.push_str(&govuk::summary_list(&[
        ("Address", application.address.clone()),
        ("Council", application.council.clone()),
        ("Amount paid", govuk::pounds(application.amount_pence)),
    ]));
    main.push_str(&govuk::link_p("/", "Back to the start"));
    page(&app, "Payment complete", None, main)
}

/// `POST /webhooks/pay`: verify `Pay-Signature` over the raw body, then record the event once.
pub(crate) async fn pay_webhook(State(app): AppState, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get("Pay-Signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    let event = match app.backends.verify_webhook(&body, signature) {
        Ok(event) => event,
        Err(_) => return (StatusCode::UNAUTHORIZED, "invalid signature").into_response(),
    };
    match app.store.record_webhook(&event.message_id, &event.payment_id, &event.event_type) {
        Ok(true) => {
            if let Some(status) = &event.status {
                let _ = app.store.set_payment_status(&event.payment_id, status);
            }
            StatusCode::OK.into_response()
        }
        // Pay retries; a repeat delivery is acknowledged and ignored.
        Ok(false) => StatusCode::OK.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `GET /assets/...`: the govuk-frontend stylesheet, fonts and images, when installed.
pub(crate) async fn asset(State(app): AppState, Path(path): Path<String>) -> Response {
    let Some(root) = &app.config.govuk_frontend else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let safe = !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        });
    if !safe {
        return StatusCode::NOT_FOUND.into_response();
    }
    let file = if path == "govuk-frontend.min.css" {
        root.join(&path)
    } else {
        root.join("assets").join(&path)
    };
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("css") => "text/css; charset=utf-8",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            ([(CONTENT_TYPE, content_type), (CACHE_CONTROL, "max-age=3600")], bytes).into_response()
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Any other path.
pub(crate) async fn not_found(State(app): AppState) -> Response {
    let mut main = String::from("<h1 class=\"govuk-heading-l\">Page not found</h1>\n");
    main.push_str(&govuk::p("If you typed the web address, check it is correct."));
    main.push_str(&govuk::link_p("/", "Go to the start page"));
    page_with_status(&app, StatusCode::NOT_FOUND, "Page not found", None, false, main)
}
