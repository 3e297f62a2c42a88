//! Every input answered: each rule, decoder and parser is total over any string, any bytes and
//! any JSON value (properties), and hostile text (multi-byte, combining marks, bidi overrides,
//! full-width digits, NUL, numbers DynamoDB cannot hold) through the real handlers never gets
//! a 5xx.

use std::collections::HashMap;

use integration_tests::events::Event;
use integration_tests::memory::MemoryStack;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use shared::form::FormDefinition;
use shared::ground::country::CountryCode;
use shared::ground::ids::{
    DataSetGuid, FormHash, MerchantId, SessionHash, VisitSessionId, is_value_name,
};
use shared::ground::lang::Lang;
use shared::ground::money::{Amount, Currency};
use shared::idempotency::IdempotencyKey;
use shared::listing::{ListRequest, TokenSigner};
use shared::validation::Rules;
use shared::wire;
use shared::wire::session_api::{decode as decode_params, numbers_storable};

/// Every value name the rules know, and a few they do not.
const FIELDS: &[&str] = &[
    "salutation",
    "title",
    "first_name",
    "last_name",
    "company",
    "street",
    "post_code",
    "city",
    "country",
    "email",
    "phone",
    "birthday",
    "amount",
    "currency",
    "interval",
    "payment_method",
    "iban",
    "bic",
    "fb_item_id",
    "wants_receipt",
    "is_privacy_accepted",
    "crm_id",
    "basket",
];

/// Text the way hostile or unusual clients send it.
const HOSTILE: &[&str] = &[
    "ABCDXéY",
    "Zoë",
    "e\u{301}\u{301}\u{301}",
    "\u{202e}gnp.exe",
    "１２３４５",
    "\0",
    "a\0b",
    "DE89\u{200b}3704",
    "😀😀",
    "ｍａｘ＠ｅｘａｍｐｌｅ．ｏｒｇ",
    "1e200",
    "-1e200",
    "1e-200",
    "٣٤",
    "\u{feff}10",
    " ",
    "\t\n",
    "𝟏𝟐",
    "İstanbul",
    "ß",
    "DE89 3704 0044 0532 0130 00",
];

fn demo_form() -> FormDefinition {
    let hash = FormHash::parse("totalityform").expect("valid");
    let merchant = MerchantId::parse("totality").expect("valid");
    wire::forms::definition(admin::seed::DEMO_FORM_JSON, &hash, &merchant).expect("demo form")
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn field() -> impl Strategy<Value = &'static str> {
    prop::sample::select(FIELDS)
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,60}",
        prop::sample::select(HOSTILE).prop_map(str::to_owned),
        "[0-9.,eE+-]{0,30}",
        "[A-Z]{2}[0-9]{2}[A-Z0-9 ]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_rule_answers_any_text_and_any_json(name in field(), raw in text(), value in json_value()) {
        let form = demo_form();
        let rules = Rules::new(&form, Date::constant(2026, 12, 1), true);
        let country = CountryCode::default();
        let _ = rules.check(name, &Value::String(raw.clone()), &country);
        let _ = rules.check(name, &value, &country);
        let mut values = Map::new();
        values.insert(name.to_owned(), value);
        values.insert("country".to_owned(), Value::String(raw));
        let _ = rules.lacking(&values);
    }

    #[test]
    fn value_parsers_are_total(raw in text()) {
        let _ = Amount::parse(&raw);
        let _ = Currency::parse(&raw);
        let _ = CountryCode::parse(&raw);
        let _ = MerchantId::parse(&raw);
        let _ = FormHash::parse(&raw);
        let _ = SessionHash::parse(&raw);
        let _ = VisitSessionId::parse(&raw);
        let _ = DataSetGuid::parse(&raw);
        let _ = IdempotencyKey::parse(&raw);
        let _ = Lang::from_accept_language(&raw);
        let _ = is_value_name(&raw);
    }

    #[test]
    fn session_api_decoding_is_total(
        query in "[a-zA-Z0-9%&=\\[\\]_.-]{0,80}",
        content_type in prop_oneof![
            Just("application/json".to_owned()),
            Just("application/x-www-form-urlencoded".to_owned()),
            ".{0,30}",
        ],
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            json_value().prop_map(|v| json!({"hash": "abc123", "payment": v}).to_string().into_bytes()),
            "([a-z_\\[\\]0-9]{1,12}=[^&]{0,10}&){0,12}".prop_map(String::into_bytes),
        ],
    ) {
        let _ = decode_params(Some(&query), Some(&content_type), &body);
    }

    #[test]
    fn storable_numbers_survive_storage_exactly(token in prop_oneof![
        "-?[0-9]{1,45}(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,4})?",
        any::<f64>().prop_map(|f| f.to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
    ]) {
        // Only what is JSON at all reaches the check (the parser refuses `00`, `1.`, `NaN`).
        if let (true, Ok(parsed)) = (numbers_storable(&token), serde_json::from_str::<Value>(&token)) {
            let stored: Value =
                serde_json::from_str(&parsed.to_string()).expect("what is stored parses back");
            prop_assert_eq!(&stored, &parsed);
            if let Some(x) = parsed.as_f64().filter(|x| *x != 0.0) {
                prop_assert!((1e-130..1e126).contains(&x.abs()), "{token} -> {x}");
            }
        }
    }

    #[test]
    fn back_office_bodies_and_parameters_are_total(
        raw in prop_oneof![".{0,200}", json_value().prop_map(|v| v.to_string())],
        params in prop::collection::hash_map(
            prop::sample::select(&["pageNumber", "pageSize", "startDate", "endDate", "nextToken"][..]),
            ".{0,30}",
            0..5,
        ),
    ) {
        let _ = wire::datasets::new_dataset(&raw);
        let _ = wire::actions::action(&raw);
        let _ = wire::datasets::replacement(&raw);
        let _ = wire::visits::ids(Some(&raw));
        let hash = FormHash::parse("totalityform").expect("valid");
        let merchant = MerchantId::parse("totality").expect("valid");
        let _ = wire::forms::definition(&raw, &hash, &merchant);
        let params: HashMap<&str, &str> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let _ = ListRequest::parse(&params, &merchant, &TimeZone::UTC, &TokenSigner::new("k"));
    }
}

#[test]
fn numbers_dynamodb_cannot_hold_are_told_apart() {
    for storable in [
        "0",
        "-0",
        "1.5",
        "25",
        "1e125",
        "9.99e125",
        "1e-130",
        "123456789012345",
        "18446744073709551615",
        "-9223372036854775808",
        "0.000",
    ] {
        assert!(numbers_storable(storable), "{storable}");
    }
    for unstorable in [
        "1e126",
        "1e200",
        "-1e200",
        "1e-200",
        "1e-131",
        "18446744073709551616",
        "0.1234567890123456",
        "1234567890123456789012345678901234567890",
    ] {
        assert!(!numbers_storable(unstorable), "{unstorable}");
    }
    assert!(
        numbers_storable(r#"{"a":[1,2,{"b":"1e999"}]}"#),
        "numbers in strings are text"
    );
    assert!(!numbers_storable(r#"{"a":[1,2,{"b":1e999}]}"#));
}

/// Hostile values through the real Session-API handlers, as JSON and form posts: every answer
/// is a 200 (with field errors) or a clear 4xx, never a 5xx.
#[tokio::test]
async fn hostile_values_never_get_a_server_error() {
    let stack = MemoryStack::new().await;
    let api = stack.session_api();
    let form = stack.form_hash.as_str();
    let mut cases = Vec::new();
    for name in FIELDS {
        for value in HOSTILE {
            cases.push(Event::session_json(
                "createSession",
                &json!({"hash": form, "payment": {*name: value}}),
            ));
            let encoded: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
            cases.push(Event::session_form(
                "createSession",
                &format!("hash={form}&payment[{name}]={encoded}"),
            ));
        }
    }
    for raw in [
        "1e200",
        "-1e200",
        "1e-200",
        "123456789012345678901234567890123456789012",
        "{}",
        "[]",
        "[[[]]]",
    ] {
        cases.push(
            Event::http("POST", "/app/createSession")
                .header("content-type", "application/json")
                .body(&format!(
                    r#"{{"hash":"{form}","payment":{{"extra":{raw},"amount":"5"}}}}"#
                )),
        );
    }
    for case in cases {
        let response = create_session::handle(case.request(), &api).await;
        let status = response.status();
        let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
        assert!(status.as_u16() < 500, "{status}: {body}");
    }
}

#[tokio::test]
async fn an_unstorable_number_is_that_values_error_and_nothing_else_changes() {
    let stack = MemoryStack::new().await;
    let event = Event::http("POST", "/app/createSession")
        .header("content-type", "application/json")
        .body(&format!(
            r#"{{"hash":"{}","payment":{{"extra":1e200,"note":{{"n":1e-200}},"amount":"5"}}}}"#,
            stack.form_hash
        ));
    let response = create_session::handle(event.request(), &stack.session_api()).await;
    assert_eq!(response.status(), 200);
    let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
    let errors = &body["session"]["errors"]["current_fields"];
    assert!(
        errors["extra"]
            .as_str()
            .is_some_and(|e| e.contains("1e126")),
        "{body}"
    );
    assert!(errors["note"].is_string(), "{body}");
    assert_eq!(body["session"]["values"], json!({"amount": "5"}));
}

#[tokio::test]
async fn empty_containers_count_toward_the_value_limit() {
    let stack = MemoryStack::new().await;
    let many: Map<String, Value> = (0..=200).map(|i| (format!("v{i}"), json!([]))).collect();
    let event = Event::session_json(
        "createSession",
        &json!({"hash": stack.form_hash.as_str(), "payment": many}),
    );
    let response = create_session::handle(event.request(), &stack.session_api()).await;
    assert_eq!(response.status(), 400);
    let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
    assert_eq!(
        body["error"],
        "error 207: invalid request: at most 200 values per request"
    );
}
