//! The Session-API (`/app/createSession`, `/app/updateSession`) through its real handler,
//! fed API Gateway HTTP API v2 events, against DynamoDB Local.

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::TestDynamo;
use integration_tests::events::Event;
use integration_tests::gateway::session_api as handle;
use integration_tests::{
    SESSIONS_TABLE, dynamodb_client, merchant_with_form, merchant_with_key, session_api_state,
};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
type DynamoState = shared::app::SessionApiState<TestDynamo>;
use shared::ground::ids::FormHash;

struct Reply {
    status: StatusCode,
    json: Value,
    cors: Option<String>,
}

impl Reply {
    fn session(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.json);
        assert_eq!(self.json["status"], "success", "{}", self.json);
        &self.json["session"]
    }

    fn hash(&self) -> String {
        self.session()["hash"].as_str().expect("hash").to_owned()
    }

    fn current(&self, name: &str) -> &Value {
        &self.session()["errors"]["current_fields"][name]
    }

    fn other(&self, name: &str) -> &Value {
        &self.session()["errors"]["other_fields"][name]
    }

    fn value(&self, name: &str) -> &Value {
        &self.session()["values"][name]
    }

    fn assert_error(&self, status: StatusCode, error: &str) {
        assert_eq!(self.status, status, "{}", self.json);
        assert_eq!(self.json, json!({"status": "error", "error": error}));
    }
}

async fn call(state: &DynamoState, event: Event) -> Reply {
    let response = handle(event.request(), state).await;
    let cors = response
        .headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let json = serde_json::from_slice(response.body().as_ref()).unwrap_or(Value::Null);
    Reply {
        status: response.status(),
        json,
        cors,
    }
}

/// A state and a fresh merchant with its own demo form.
async fn setup() -> (DynamoState, FormHash, String) {
    setup_with(|_| {}).await
}

async fn setup_with(edit: impl FnOnce(&mut Value)) -> (DynamoState, FormHash, String) {
    let state = session_api_state();
    let (_, key, hash) = merchant_with_form(state.forms.forms(), state.auth.keys(), edit).await;
    (state, hash, key)
}

fn form_body(hash: &FormHash, session: Option<&str>, payment: &[(&str, &str)]) -> String {
    let mut pairs = vec![format!("hash={hash}")];
    if let Some(session) = session {
        pairs.push(format!("fbSessionHash={session}"));
    }
    for (name, value) in payment {
        pairs.push(format!("payment%5B{name}%5D={}", form_urlencode(value)));
    }
    pairs.join("&")
}

fn form_urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn create(state: &DynamoState, hash: &FormHash, payment: &[(&str, &str)]) -> Reply {
    call(
        state,
        Event::session_form("createSession", &form_body(hash, None, payment)),
    )
    .await
}

async fn update(
    state: &DynamoState,
    hash: &FormHash,
    session: &str,
    payment: &[(&str, &str)],
) -> Reply {
    call(
        state,
        Event::session_form("updateSession", &form_body(hash, Some(session), payment)),
    )
    .await
}

/// Everything the demo form requires, valid.
const COMPLETE: &[(&str, &str)] = &[
    ("salutation", "Ms."),
    ("first_name", "Erika"),
    ("last_name", "Mustermann"),
    ("email", "erika@example.org"),
    ("amount", "25"),
    ("interval", "1"),
    ("payment_method", "sepa_direct_debit"),
    ("iban", "DE89 3704 0044 0532 0130 00"),
    ("wants_receipt", "no_receipt"),
    ("sepa_mandate", "sepa-core-2026-12"),
    ("is_privacy_accepted", "1"),
];

#[tokio::test]
async fn the_seeds_php_example_creates_an_incomplete_session() {
    let (state, hash, _) = setup().await;
    // http_build_query(["hash" => …, "payment" => ["first_name" => "Max", …]])
    let body = format!(
        "hash={hash}&payment%5Bfirst_name%5D=Max&payment%5Blast_name%5D=Mustermann&payment%5Bamount%5D=20"
    );
    let reply = call(&state, Event::session_form("createSession", &body)).await;
    let session = reply.session();
    let session_hash = reply.hash();
    assert_eq!(session_hash.len(), 32);
    assert!(
        session_hash
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    assert_eq!(session["status"], "incomplete");
    assert_eq!(
        session["values"],
        json!({"first_name": "Max", "last_name": "Mustermann", "amount": "20"})
    );
    assert_eq!(session["errors"]["current_fields"], json!({}));
    assert_eq!(
        reply.other("payment_method"),
        "Bitte wählen Sie eine Zahlungsweise"
    );
    for lacking in [
        "salutation",
        "email",
        "interval",
        "wants_receipt",
        "is_privacy_accepted",
    ] {
        assert!(reply.other(lacking).is_string(), "{lacking}: {session}");
    }
    assert_eq!(session["fixed_values"], json!({}));
    let meta = &session["meta_info"];
    assert_eq!(meta["form_hash"], hash.as_str());
    for stamp in ["created_ts", "updated_ts", "expires_ts"] {
        assert!(
            meta[stamp].as_str().is_some_and(|s| s.len() == 25),
            "{meta}"
        );
    }
    assert_eq!(reply.cors.as_deref(), Some("*"));

    // …and the seed's updateSession example then reads it back.
    let read = update(&state, &hash, &session_hash, &[]).await;
    assert_eq!(read.session()["values"], session["values"]);
}

#[tokio::test]
async fn form_encoded_json_and_query_string_are_equal() {
    let (state, hash, _) = setup().await;
    let payment = json!({
        "first_name": "Max",
        "amount": "20,5",
        "basket": [{"sku": "X-1", "qty": "2"}, {"sku": "Y-2", "qty": "1"}],
        "crm_id": "4711"
    });
    let encoded = format!(
        "hash={hash}&payment[first_name]=Max&payment[amount]=20%2C5&payment[basket][0][sku]=X-1\
         &payment[basket][0][qty]=2&payment[basket][1][sku]=Y-2&payment[basket][1][qty]=1&payment[crm_id]=4711"
    );
    let by_form = call(&state, Event::session_form("createSession", &encoded)).await;
    let by_json = call(
        &state,
        Event::session_json("createSession", &json!({"hash": hash, "payment": payment})),
    )
    .await;
    let by_query = call(
        &state,
        Event::http("POST", "/app/createSession").raw_query(&encoded),
    )
    .await;
    let comparable = |reply: &Reply| {
        let mut session = reply.session().clone();
        session["hash"] = Value::Null;
        session["meta_info"] = Value::Null;
        session
    };
    assert_eq!(comparable(&by_form), comparable(&by_json));
    assert_eq!(comparable(&by_form), comparable(&by_query));
    assert_eq!(by_form.value("amount"), "20.50");
    assert_eq!(
        by_form.value("basket"),
        &json!([{"sku": "X-1", "qty": "2"}, {"sku": "Y-2", "qty": "1"}])
    );
    assert_ne!(by_form.hash(), by_json.hash());
}

#[tokio::test]
async fn a_session_is_complete_exactly_when_nothing_is_wrong_or_missing() {
    let (state, hash, _) = setup().await;
    let (last, first) = COMPLETE.split_last().expect("fields");
    let reply = create(&state, &hash, first).await;
    assert_eq!(reply.session()["status"], "incomplete");
    assert_eq!(
        reply.session()["errors"]["other_fields"],
        json!({"is_privacy_accepted": "Bitte stimmen Sie der Datenschutzerklärung zu"})
    );
    let session = reply.hash();
    // An invalid value makes this request incomplete, whatever is stored.
    let wrong = update(&state, &hash, &session, &[*last, ("email", "nope")]).await;
    assert_eq!(wrong.session()["status"], "incomplete");
    assert_eq!(wrong.session()["errors"]["other_fields"], json!({}));
    let done = update(&state, &hash, &session, &[]).await;
    assert_eq!(done.session()["status"], "complete");
    assert_eq!(
        done.session()["errors"],
        json!({"current_fields": {}, "other_fields": {}})
    );
    assert_eq!(done.value("iban"), "DE89370400440532013000");
    assert_eq!(
        done.session()["meta_info"]["iban"],
        json!({"country": "DE", "bank_code": "37040044"})
    );
}

#[tokio::test]
async fn a_rejected_value_is_not_stored_and_the_previous_one_stays() {
    let (state, hash, _) = setup().await;
    let session = create(&state, &hash, &[("email", "max@example.org")])
        .await
        .hash();
    let reply = update(&state, &hash, &session, &[("email", "max(at)example")]).await;
    assert_eq!(
        reply.current("email"),
        "Bitte geben Sie eine gültige E-Mail-Adresse ein"
    );
    assert_eq!(reply.value("email"), "max@example.org");
    assert!(reply.other("email").is_null(), "never reported twice");
    // An empty value removes a stored one.
    let cleared = update(&state, &hash, &session, &[("email", "")]).await;
    assert!(cleared.value("email").is_null());
    assert!(cleared.other("email").is_string());
}

/// `(field, value, stored as)` accepted; `(field, value)` rejected, on the demo form
/// (EUR 5 to 10,000; intervals 0, 1, 3, 6, 12; SEPA, card, PayPal; items 9305 to 9307).
const ACCEPTED: &[(&str, &str, &str)] = &[
    (
        "email",
        " erika.mustermann@beispiel-verein.de ",
        "erika.mustermann@beispiel-verein.de",
    ),
    (
        "iban",
        "de89 3704 0044 0532 0130 00",
        "DE89370400440532013000",
    ),
    ("iban", "AT61 1904 3002 3457 3201", "AT611904300234573201"),
    (
        "iban",
        "CH93 0076 2011 6238 5295 7",
        "CH9300762011623852957",
    ),
    ("iban", "GB82WEST12345698765432", "GB82WEST12345698765432"),
    (
        "iban",
        "FR14 2004 1010 0505 0001 3M02 606",
        "FR1420041010050500013M02606",
    ),
    ("iban", "NL91ABNA0417164300", "NL91ABNA0417164300"),
    ("bic", "cobadeffxxx", "COBADEFFXXX"),
    ("bic", "GENODEF1S04", "GENODEF1S04"),
    ("amount", "5", "5"),
    ("amount", "20,5", "20.50"),
    ("amount", "120.00", "120"),
    ("amount", "10000", "10000"),
    ("currency", "eur", "EUR"),
    ("interval", "12", "12"),
    ("interval", "0", "0"),
    ("payment_method", "paypal", "paypal"),
    ("salutation", "Mr.", "Mr."),
    ("first_name", "Zoë-Marie", "Zoë-Marie"),
    ("last_name", "O’Neill", "O’Neill"),
    ("post_code", "10115", "10115"),
    ("country", "at", "AT"),
    ("birthday", "17.05.1980", "1980-05-17"),
    ("birthday", "1980-05-17", "1980-05-17"),
    ("phone", "+49 30 1234567", "+49 30 1234567"),
    ("fb_item_id", "9306", "9306"),
    ("wants_receipt", "receipt", "receipt"),
    ("is_privacy_accepted", "1", "1"),
    ("is_privacy_accepted", "on", "1"),
];

const REJECTED: &[(&str, &str, &str)] = &[
    (
        "email",
        "max@localhost",
        "Bitte geben Sie eine gültige E-Mail-Adresse ein",
    ),
    (
        "email",
        "max@@example.org",
        "Bitte geben Sie eine gültige E-Mail-Adresse ein",
    ),
    (
        "iban",
        "DE89370400440532013001",
        "Bitte geben Sie eine gültige IBAN ein",
    ),
    (
        "iban",
        "DE8937040044053201300",
        "Bitte geben Sie eine gültige IBAN ein",
    ),
    (
        "iban",
        "AT61190430023457320",
        "Bitte geben Sie eine gültige IBAN ein",
    ),
    (
        "iban",
        "XX89370400440532013000",
        "Bitte geben Sie eine gültige IBAN ein",
    ),
    ("bic", "COBADE", "Bitte geben Sie eine gültige BIC ein"),
    ("amount", "4,99", "Der Mindestbetrag ist 5,00 EUR"),
    ("amount", "10000.01", "Der Höchstbetrag ist 10000,00 EUR"),
    (
        "amount",
        "20.123",
        "Bitte geben Sie einen Betrag mit höchstens zwei Nachkommastellen ein",
    ),
    ("amount", "zwanzig", "Ungültig"),
    ("amount", "-20", "Ungültig"),
    (
        "currency",
        "USD",
        "Diese Auswahl ist bei diesem Formular nicht möglich",
    ),
    ("interval", "2", "Ungültig"),
    ("payment_method", "bitcoin", "Ungültig"),
    ("salutation", "Herr", "Ungültig"),
    (
        "first_name",
        "R2D2",
        "Bitte geben Sie einen gültigen Namen ein",
    ),
    (
        "last_name",
        "<script>",
        "Bitte geben Sie einen gültigen Namen ein",
    ),
    (
        "post_code",
        "123",
        "Bitte geben Sie eine gültige Postleitzahl ein",
    ),
    ("country", "XX", "Bitte wählen Sie ein gültiges Land"),
    ("country", "Germany", "Bitte wählen Sie ein gültiges Land"),
    (
        "birthday",
        "2999-01-01",
        "Das Geburtsdatum muss in der Vergangenheit liegen",
    ),
    (
        "birthday",
        "31.02.1980",
        "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)",
    ),
    (
        "phone",
        "call me",
        "Bitte geben Sie eine gültige Telefonnummer ein",
    ),
    (
        "fb_item_id",
        "1",
        "Diese Auswahl ist bei diesem Formular nicht möglich",
    ),
    ("wants_receipt", "maybe", "Ungültig"),
    (
        "is_privacy_accepted",
        "0",
        "Bitte stimmen Sie der Datenschutzerklärung zu",
    ),
];

#[tokio::test]
async fn every_rule_accepts_and_normalizes_or_rejects_with_a_message() {
    let (state, hash, _) = setup().await;
    let session = create(&state, &hash, &[("crm_id", "1")]).await.hash();
    for (field, sent, stored) in ACCEPTED {
        let reply = update(&state, &hash, &session, &[(field, sent)]).await;
        assert!(
            reply.current(field).is_null(),
            "{field}={sent:?}: {}",
            reply.current(field)
        );
        assert_eq!(reply.value(field), stored, "{field}={sent:?}");
    }
    for (field, sent, message) in REJECTED {
        let before = update(&state, &hash, &session, &[]).await;
        let reply = update(&state, &hash, &session, &[(field, sent)]).await;
        assert_eq!(reply.current(field), message, "{field}={sent:?}");
        assert_eq!(
            reply.value(field),
            before.value(field),
            "{field}={sent:?} must not be stored"
        );
    }
}

#[tokio::test]
async fn interval_and_payment_method_must_be_offered_by_the_form() {
    let (state, hash, _) = setup_with(|form| {
        form["intervals"] = json!([0, 12]);
        form["paymentMethods"] = json!(["paypal"]);
    })
    .await;
    let reply = create(
        &state,
        &hash,
        &[("interval", "1"), ("payment_method", "sepa_direct_debit")],
    )
    .await;
    let not_offered = "Diese Auswahl ist bei diesem Formular nicht möglich";
    assert_eq!(reply.current("interval"), not_offered);
    assert_eq!(reply.current("payment_method"), not_offered);
}

#[tokio::test]
async fn conditional_requirements_sepa_needs_an_iban_and_a_receipt_an_address() {
    let (state, hash, _) = setup().await;
    let reply = create(
        &state,
        &hash,
        &[
            ("payment_method", "sepa_direct_debit"),
            ("wants_receipt", "receipt"),
        ],
    )
    .await;
    assert_eq!(
        reply.other("iban"),
        "Für das Lastschriftverfahren benötigen wir Ihre IBAN"
    );
    for field in ["street", "post_code", "city"] {
        assert_eq!(
            reply.other(field),
            "Für eine Zuwendungsbestätigung benötigen wir Ihre Anschrift"
        );
    }
    let session = reply.hash();
    let reply = update(
        &state,
        &hash,
        &session,
        &[
            ("payment_method", "paypal"),
            ("wants_receipt", "no_receipt"),
        ],
    )
    .await;
    for field in ["iban", "street", "post_code", "city"] {
        assert!(reply.other(field).is_null(), "{field}");
    }
}

#[tokio::test]
async fn postal_codes_follow_the_country_sent_or_stored() {
    let (state, hash, _) = setup().await;
    let reply = create(&state, &hash, &[("country", "AT"), ("post_code", "1010")]).await;
    assert!(reply.current("post_code").is_null());
    let session = reply.hash();
    let reply = update(&state, &hash, &session, &[("post_code", "10115")]).await;
    assert_eq!(
        reply.current("post_code"),
        "Bitte geben Sie eine gültige Postleitzahl ein"
    );
    // Changing the country makes the stored code wrong: reported as missing/invalid.
    let reply = update(&state, &hash, &session, &[("country", "DE")]).await;
    assert_eq!(
        reply.other("post_code"),
        "Bitte geben Sie eine gültige Postleitzahl ein"
    );
}

#[tokio::test]
async fn messages_in_english_on_request() {
    let (state, hash, _) = setup().await;
    let body = form_body(&hash, None, &[("email", "nope")]);
    let by_param = call(
        &state,
        Event::session_form("createSession", &format!("{body}&lang=en")),
    )
    .await;
    assert_eq!(
        by_param.current("email"),
        "Please enter a valid email address"
    );
    assert_eq!(
        by_param.other("payment_method"),
        "Please choose a payment method"
    );
    let by_header = call(
        &state,
        Event::session_form("createSession", &body).header("accept-language", "en-US,en;q=0.9"),
    )
    .await;
    assert_eq!(
        by_header.current("email"),
        "Please enter a valid email address"
    );
    let german = create(&state, &hash, &[("email", "nope")]).await;
    assert_eq!(
        german.current("email"),
        "Bitte geben Sie eine gültige E-Mail-Adresse ein"
    );
}

#[tokio::test]
async fn fixed_values_cannot_be_changed_without_the_merchants_key() {
    let (state, hash, key) = setup().await;
    let reply = create(
        &state,
        &hash,
        &[("amount_fix", "50"), ("first_name", "Max")],
    )
    .await;
    assert_eq!(reply.value("amount"), "50");
    assert_eq!(reply.session()["fixed_values"], json!({"amount": "fix"}));
    let session = reply.hash();
    let fixed = "Dieser Wert ist vorgegeben und kann nicht geändert werden";
    for attempt in [
        vec![("amount", "20")],
        vec![("amount", "")],
        vec![("amount_fix", "20")],
        vec![("amount", "abc")],
    ] {
        let reply = update(&state, &hash, &session, &attempt).await;
        assert_eq!(reply.current("amount"), fixed, "{attempt:?}");
        assert_eq!(reply.value("amount"), "50");
    }
    // Sending the fixed value itself is no change and no error.
    let same = update(&state, &hash, &session, &[("amount", "50.00")]).await;
    assert!(same.current("amount").is_null());

    // Another merchant's key or an unknown key is refused outright.
    let (_, other_key) = merchant_with_key(state.auth.keys(), "other").await;
    for bad in [other_key.as_str(), "dk_not-a-key"] {
        let event = Event::session_form(
            "updateSession",
            &form_body(&hash, Some(&session), &[("amount", "20")]),
        )
        .bearer(bad);
        call(&state, event)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "error 208: invalid api key");
    }
    // The merchant's own key may change it; it stays fixed.
    let event = Event::session_form(
        "updateSession",
        &form_body(&hash, Some(&session), &[("amount", "20")]),
    )
    .header("x-api-key", &key);
    let reply = call(&state, event).await;
    assert!(reply.current("amount").is_null(), "{}", reply.json);
    assert_eq!(reply.value("amount"), "20");
    assert_eq!(reply.session()["fixed_values"], json!({"amount": "fix"}));
}

#[tokio::test]
async fn extra_values_are_kept_as_sent() {
    let (state, hash, _) = setup().await;
    let reply = call(
        &state,
        Event::session_json(
            "createSession",
            &json!({"hash": hash, "payment": {
                "crm_contact_id": 4711,
                "newsletter_opt_in": true,
                "shop_basket": {"items": [{"sku": "CAL-2027", "price": 12.5}], "coupon": null},
                "note": "  spaces kept  "
            }}),
        ),
    )
    .await;
    assert_eq!(reply.value("crm_contact_id"), 4711);
    assert_eq!(reply.value("newsletter_opt_in"), true);
    assert_eq!(
        reply.value("shop_basket"),
        &json!({"items": [{"sku": "CAL-2027", "price": 12.5}], "coupon": null})
    );
    assert_eq!(reply.value("note"), "  spaces kept  ");
    assert_eq!(reply.session()["errors"]["current_fields"], json!({}));
}

#[tokio::test]
async fn each_error_code_of_the_seed() {
    let (state, hash, _) = setup().await;
    let event = |operation: &str, body: &str| Event::session_form(operation, body);
    call(&state, event("createSession", "payment[amount]=5"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "error 105: no hash");
    call(&state, event("updateSession", "hash="))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "error 105: no hash");
    for unknown in ["nosuchform123", "NOT-A-HASH"] {
        call(
            &state,
            event("createSession", &format!("hash={unknown}&payment[a]=1")),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "error 106: no config");
    }
    call(&state, event("createSession", &format!("hash={hash}")))
        .await
        .assert_error(
            StatusCode::BAD_REQUEST,
            "error 205: new session requires values",
        );
    call(
        &state,
        event("createSession", &format!("hash={hash}&payment=")),
    )
    .await
    .assert_error(
        StatusCode::BAD_REQUEST,
        "error 205: new session requires values",
    );
    let session = create(&state, &hash, &[("first_name", "Max")]).await.hash();
    call(
        &state,
        event(
            "createSession",
            &format!("hash={hash}&fbSessionHash={session}&payment[a]=1"),
        ),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "error 204: session exists already");
    for wrong in ["", "doesnotexist0000000000000000", "UPPER", &"a".repeat(65)] {
        call(
            &state,
            event(
                "updateSession",
                &format!("hash={hash}&fbSessionHash={wrong}"),
            ),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "error 203: session not found");
    }
    // A session of another form is not found through this form.
    let (_, other_form, _) = setup().await;
    call(
        &state,
        event(
            "updateSession",
            &format!("hash={other_form}&fbSessionHash={session}"),
        ),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "error 203: session not found");
}

#[tokio::test]
async fn forms_that_may_not_take_sessions() {
    type Edit = fn(&mut Value);
    let inactive: Edit = |f| f["active"] = json!(false);
    let api_disabled: Edit = |f| f["apiEnabled"] = json!(false);
    for (edit, error) in [
        (inactive, "error 103: inactive"),
        (api_disabled, "error 104: not api owner"),
    ] {
        let (state, hash, _) = setup_with(edit).await;
        let reply = create(&state, &hash, &[("amount", "5")]).await;
        reply.assert_error(StatusCode::BAD_REQUEST, error);
    }
    // A merchant not allowed to use forms at all.
    let state = session_api_state();
    let merchant = integration_tests::unique_merchant("noforms");
    admin::accounts::create_merchant(
        state.auth.keys(),
        merchant.clone(),
        "No forms".into(),
        false,
    )
    .await
    .expect("merchant");
    let hash = integration_tests::unique_form_hash();
    admin::forms::put_form(
        state.forms.forms(),
        state.auth.keys(),
        admin::seed::DEMO_FORM_JSON,
        hash.clone(),
        merchant,
        &[],
    )
    .await
    .expect("form");
    create(&state, &hash, &[("amount", "5")])
        .await
        .assert_error(StatusCode::BAD_REQUEST, "error 102: not owner");
}

/// Sets attributes of a stored session directly, as time or another component would.
async fn set_session_attribute(session: &str, name: &str, value: AttributeValue) {
    dynamodb_client()
        .update_item()
        .table_name(SESSIONS_TABLE)
        .key("id", AttributeValue::S(session.to_owned()))
        .update_expression("SET #a = :v")
        .expression_attribute_names("#a", name)
        .expression_attribute_values(":v", value)
        .send()
        .await
        .expect("direct update");
}

#[tokio::test]
async fn processed_and_expired_sessions() {
    let (state, hash, _) = setup().await;
    let processed = create(&state, &hash, COMPLETE).await.hash();
    set_session_attribute(&processed, "status", AttributeValue::S("processed".into())).await;
    for payment in [&[][..], &[("first_name", "Max")][..]] {
        update(&state, &hash, &processed, payment)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "error 202: session processed");
    }
    // Expired but not yet deleted by DynamoDB's TTL sweep: gone all the same.
    let expired = create(&state, &hash, &[("first_name", "Max")]).await.hash();
    let past = jiff::Timestamp::now().as_second() - 1;
    set_session_attribute(&expired, "expiresAt", AttributeValue::N(past.to_string())).await;
    for payment in [&[][..], &[("first_name", "Moritz")][..]] {
        update(&state, &hash, &expired, payment)
            .await
            .assert_error(StatusCode::NOT_FOUND, "error 203: session not found");
    }
}

#[tokio::test]
async fn updates_extend_the_expiry() {
    let (state, hash, _) = setup().await;
    let created = create(&state, &hash, &[("first_name", "Max")]).await;
    let expires = |reply: &Reply| {
        reply.session()["meta_info"]["expires_ts"]
            .as_str()
            .expect("expires_ts")
            .to_owned()
    };
    let first = expires(&created);
    let session = created.hash();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let updated = update(&state, &hash, &session, &[("last_name", "Muster")]).await;
    assert!(
        expires(&updated) > first,
        "{} vs {first}",
        expires(&updated)
    );
}

#[tokio::test]
async fn limits_are_refused_clearly_and_change_nothing() {
    let (state, hash, _) = setup().await;
    let session = create(&state, &hash, &[("first_name", "Max")]).await.hash();
    let base = format!("hash={hash}&fbSessionHash={session}");
    let too_many: String = (0..=200).map(|i| format!("&payment[v{i}]=x")).collect();
    let deep = format!("&payment{}=x", "[a]".repeat(9));
    let cases = [
        (
            format!("{base}{too_many}"),
            StatusCode::BAD_REQUEST,
            "at most 200 values",
        ),
        (
            format!("{base}{deep}"),
            StatusCode::BAD_REQUEST,
            "nested at most 8",
        ),
        (
            format!("{base}&payment[first-name]=Moritz"),
            StatusCode::BAD_REQUEST,
            "value name",
        ),
        (
            format!("{base}&payment[first_name=Moritz"),
            StatusCode::BAD_REQUEST,
            "malformed",
        ),
        (
            format!("{base}&payment[note]={}", "x".repeat(256 * 1024)),
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger than",
        ),
    ];
    for (body, status, words) in cases {
        let reply = call(&state, Event::session_form("updateSession", &body)).await;
        assert_eq!(reply.status, status, "{words}: {}", reply.json);
        let error = reply.json["error"].as_str().expect("error text");
        assert!(error.starts_with("error 207: invalid request: "), "{error}");
        assert!(error.contains(words), "{error}");
    }
    let plain = Event::http("POST", "/app/updateSession")
        .header("content-type", "text/plain")
        .body(&format!("{base}&payment[first_name]=Moritz"));
    assert_eq!(
        call(&state, plain).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let malformed_json = Event::http("POST", "/app/updateSession")
        .header("content-type", "application/json")
        .body(r#"{"hash": "#);
    assert_eq!(
        call(&state, malformed_json).await.status,
        StatusCode::BAD_REQUEST
    );
    let read = update(&state, &hash, &session, &[]).await;
    assert_eq!(read.session()["values"], json!({"first_name": "Max"}));
}

#[tokio::test]
async fn twenty_concurrent_updates_of_different_fields_all_survive() {
    let (state, hash, _) = setup().await;
    let session = create(&state, &hash, &[("first_name", "Max")]).await.hash();
    let fields: Vec<(String, String)> = (0..20)
        .map(|i| (format!("custom_{i}"), format!("value {i}")))
        .collect();
    let updates = fields.iter().map(|(name, value)| {
        let state = &state;
        let (hash, session) = (&hash, &session);
        async move { update(state, hash, session, &[(name.as_str(), value.as_str())]).await }
    });
    for reply in futures::future::join_all(updates).await {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    }
    let read = update(&state, &hash, &session, &[]).await;
    for (name, value) in &fields {
        assert_eq!(read.value(name), value.as_str(), "{name} survived");
    }
    assert_eq!(read.value("first_name"), "Max");
}

#[tokio::test]
async fn browsers_get_cors_on_both_routes() {
    let (state, _, _) = setup().await;
    for operation in ["createSession", "updateSession"] {
        let response = handle(
            Event::http("OPTIONS", &format!("/app/{operation}"))
                .header("origin", "https://www.example.org")
                .header("access-control-request-method", "POST")
                .request(),
            &state,
        )
        .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("access-control-allow-origin"), "*");
        assert!(header("access-control-allow-methods").contains("POST"));
        assert!(header("access-control-allow-headers").contains("content-type"));
    }
    let error = create(
        &state,
        &FormHash::parse("nosuchform").expect("hash"),
        &[("a", "1")],
    )
    .await;
    assert_eq!(error.cors.as_deref(), Some("*"), "errors carry CORS too");
}

#[tokio::test]
async fn a_failing_store_answers_error_101_and_tells_nothing() {
    let mut state = session_api_state();
    let (_, _, hash) = merchant_with_form(state.forms.forms(), state.auth.keys(), |_| {}).await;
    state.sessions = shared::store::dynamo::DynamoSessions::new(dynamodb_client(), "NoSuchTable");
    create(&state, &hash, &[("first_name", "Max")])
        .await
        .assert_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error 101: general error",
        );
}
