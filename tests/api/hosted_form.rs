//! The hosted donation form through its real handler, against DynamoDB Local: prefill, fixed
//! values, escaping, CSRF, security headers, and the way to the thank-you page. The browser
//! tests (`tests/browser/`) drive the same form in Chromium.

use integration_tests::events::Event;
use integration_tests::{hosted_form_state, merchant_with_form, session_api_state};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::ground::ids::FormHash;

struct Page {
    status: StatusCode,
    html: String,
    header: std::collections::HashMap<String, String>,
}

async fn open(state: &integration_tests::gateway::HostedForm, event: Event) -> Page {
    let response = integration_tests::gateway::hosted_form(event.request(), state).await;
    let header = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    Page {
        status: response.status(),
        html: String::from_utf8(response.body().to_vec()).expect("UTF-8 HTML"),
        header,
    }
}

fn form_get(hash: &FormHash, session: Option<&str>) -> Event {
    let mut event = Event::http("GET", &format!("/form/{hash}"));
    if let Some(session) = session {
        event = event.raw_query(&format!("fbSessionHash={session}"));
    }
    event.path_param("formHash", hash.as_str())
}

fn form_post(hash: &FormHash, body: &str) -> Event {
    Event::http("POST", &format!("/form/{hash}"))
        .path_param("formHash", hash.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
}

/// The value of `name="…"` attribute `attr` inside the tag that carries `marker`.
fn tag_with<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in page"));
    let start = html[..at].rfind('<').expect("tag start");
    let end = at + html[at..].find('>').expect("tag end");
    &html[start..=end]
}

fn hidden(html: &str, name: &str) -> String {
    let tag = tag_with(html, &format!("name=\"{name}\""));
    let value = tag.split("value=\"").nth(1).expect("value");
    value[..value.find('"').expect("quote")].to_owned()
}

async fn api_session(payment: &str) -> (FormHash, String, String) {
    let sessions = session_api_state();
    let (_, key, form) =
        merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
    let event = Event::session_form("createSession", &format!("hash={form}&{payment}"));
    let created = integration_tests::gateway::session_api(event.request(), &sessions).await;
    let created: Value = serde_json::from_slice(created.body().as_ref()).expect("JSON");
    let session = created["session"]["hash"]
        .as_str()
        .expect("hash")
        .to_owned();
    (form, session, key)
}

async fn read_session(form: &FormHash, session: &str) -> Value {
    let event = Event::session_form(
        "updateSession",
        &format!("hash={form}&fbSessionHash={session}"),
    );
    let read = integration_tests::gateway::session_api(event.request(), &session_api_state()).await;
    serde_json::from_slice(read.body().as_ref()).expect("JSON")
}

#[tokio::test]
async fn the_form_is_prefilled_escaped_and_framed_only_by_the_merchants_sites() {
    let state = hosted_form_state();
    let (form, session, _) = api_session(
        "payment[first_name]=Max&payment[amount_fix]=50&payment[title]=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    )
    .await;
    let page = open(&state, form_get(&form, Some(&session))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(tag_with(&page.html, "id=\"f-first_name\"").contains("value=\"Max\""));
    let amount = tag_with(&page.html, "id=\"f-amount\"");
    assert!(
        amount.contains("value=\"50\"") && amount.contains("readonly"),
        "{amount}"
    );
    assert!(!page.html.contains("<script>"), "values are escaped");
    assert!(page.html.contains("&lt;script&gt;"));
    assert!(
        page.html.contains("<label for=\"f-email\">"),
        "labels are bound"
    );
    assert!(tag_with(&page.html, "id=\"f-email\"").contains("autocomplete=\"email\""));
    assert!(tag_with(&page.html, "id=\"f-amount\"").contains("inputmode=\"decimal\""));

    let csp = &page.header["content-security-policy"];
    assert!(
        csp.contains("frame-ancestors https://www.example.org http://localhost:3000"),
        "{csp}"
    );
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.header["cache-control"], "no-store");
    assert_eq!(page.header["referrer-policy"], "no-referrer");
    assert!(page.header["content-type"].starts_with("text/html"));

    let empty = open(&state, form_get(&form, None)).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(tag_with(&empty.html, "id=\"f-first_name\"").contains("value=\"\""));
}

#[tokio::test]
async fn invalid_input_is_kept_and_shown_next_to_its_field_in_the_forms_language() {
    let state = hosted_form_state();
    let (form, session, _) = api_session("payment[first_name]=Max").await;
    let page = open(&state, form_get(&form, Some(&session))).await;
    let csrf = hidden(&page.html, "csrf");
    let body = format!(
        "csrf={csrf}&fbSessionHash={session}&lang=de&first_name=Max&email=max%40nowhere&amount=20"
    );
    let page = open(&state, form_post(&form, &body)).await;
    assert_eq!(page.status, StatusCode::OK);
    let email = tag_with(&page.html, "id=\"f-email\"");
    assert!(
        email.contains("value=\"max@nowhere\""),
        "the donor's input is kept: {email}"
    );
    assert!(
        email.contains("aria-invalid=\"true\"") && email.contains("aria-describedby=\"e-email\"")
    );
    assert!(page.html.contains(
        "<p class=\"error\" id=\"e-email\">Bitte geben Sie eine gültige E-Mail-Adresse ein</p>"
    ));
    assert!(page.html.contains("Bitte wählen Sie eine Zahlungsweise"));
    let stored = read_session(&form, &session).await;
    assert_eq!(stored["session"]["values"]["amount"], "20");
    assert!(stored["session"]["values"]["email"].is_null());
}

#[tokio::test]
async fn a_tampered_post_cannot_change_a_fixed_value() {
    let state = hosted_form_state();
    let (form, session, _) = api_session("payment[amount_fix]=50").await;
    let page = open(&state, form_get(&form, Some(&session))).await;
    let csrf = hidden(&page.html, "csrf");
    let body = format!("csrf={csrf}&fbSessionHash={session}&amount=1");
    let page = open(&state, form_post(&form, &body)).await;
    assert!(
        page.html.contains("Dieser Wert ist vorgegeben"),
        "{}",
        page.html
    );
    assert!(tag_with(&page.html, "id=\"f-amount\"").contains("value=\"50\""));
    let stored = read_session(&form, &session).await;
    assert_eq!(stored["session"]["values"]["amount"], "50");
}

#[tokio::test]
async fn posts_without_the_pages_token_change_nothing() {
    let state = hosted_form_state();
    let (form, session, _) = api_session("payment[first_name]=Max").await;
    for csrf in ["", "00", &"ab".repeat(32)] {
        let body = format!("csrf={csrf}&fbSessionHash={session}&first_name=Eve");
        let page = open(&state, form_post(&form, &body)).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{csrf:?}");
    }
    // A token of another session does not fit this one either.
    let (_, other, _) = api_session("payment[first_name]=Other").await;
    let other_page = open(&state, form_get(&form, Some(&other))).await;
    let body = format!(
        "csrf={}&fbSessionHash={session}&first_name=Eve",
        hidden(&other_page.html, "csrf")
    );
    assert_eq!(
        open(&state, form_post(&form, &body)).await.status,
        StatusCode::FORBIDDEN
    );
    let stored = read_session(&form, &session).await;
    assert_eq!(stored["session"]["values"]["first_name"], "Max");
}

#[tokio::test]
async fn a_complete_form_is_processed_and_thanks_the_donor() {
    let state = hosted_form_state();
    let sessions = session_api_state();
    let (_, key, form) =
        merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
    let empty = open(&state, form_get(&form, None)).await;
    let csrf = hidden(&empty.html, "csrf");
    let body = format!(
        "csrf={csrf}&lang=en&salutation=Ms.&first_name=Erika&last_name=Mustermann\
         &email=erika%40example.org&amount=25&interval=0&payment_method=paypal\
         &wants_receipt=no_receipt&is_privacy_accepted=0&is_privacy_accepted=1&colour=red"
    );
    let page = open(&state, form_post(&form, &body)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("Thank you for your donation!"),
        "{}",
        page.html
    );
    let reference = page
        .html
        .split("<strong id=\"reference\">")
        .nth(1)
        .expect("reference");
    let guid = &reference[..36];
    let read = integration_tests::gateway::records(
        Event::get_dataset(guid).bearer(&key).request(),
        &integration_tests::dataset_api_state(),
    )
    .await;
    assert_eq!(read.status(), StatusCode::OK);
    let dataset: Value = serde_json::from_slice(read.body().as_ref()).expect("JSON");
    assert_eq!(
        dataset["jsonElement"]["formResult"]["email"],
        "erika@example.org"
    );
    assert!(
        dataset["jsonElement"]["formResult"]["colour"].is_null(),
        "only the form's fields are taken from a post"
    );
    assert_eq!(dataset["sourceGuid"], json!(form.as_str()));
}

#[tokio::test]
async fn unknown_and_inactive_forms_get_a_page_not_a_form() {
    let state = hosted_form_state();
    let unknown = FormHash::parse("nosuchform1").expect("hash");
    assert_eq!(
        open(&state, form_get(&unknown, None)).await.status,
        StatusCode::NOT_FOUND
    );
    let (_, _, inactive) = merchant_with_form(
        state.page.forms.forms(),
        session_api_state().auth.keys(),
        |f| f["active"] = json!(false),
    )
    .await;
    let page = open(&state, form_get(&inactive, None)).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.header["content-security-policy"].contains("frame-ancestors 'none'"));
}
