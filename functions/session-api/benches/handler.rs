//! Session-API handler overhead without I/O: the real handler over in-memory stores, fed API
//! Gateway HTTP API v2 events. Budget (issue 7): createSession ≤ 50 µs median.
//! Run: `cargo bench -p session-api --bench handler`.

use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use lambda_http::Request;
use session_api::{State, handle};
use shared::auth::Authenticator;
use shared::form::{Form, FormCatalog, FormDefinition, FormHash};
use shared::merchant::{Merchant, MerchantId};
use shared::store::memory::{MemoryApiKeys, MemoryForms, MemorySessions};
use shared::store::{ApiKeyStore, FormStore};

const EVENT: &str = include_str!("../../../tests/fixtures/http-api-v2-post-dataset.json");
const DEMO_FORM: &str = include_str!("../../../admin/demo-form.json");
const FORM_HASH: &str = "benchform2026";

/// A form-encoded Session-API call, as PHP's `http_build_query` sends it.
fn event(operation: &str, body: &str) -> String {
    let mut event: serde_json::Value = serde_json::from_str(EVENT).expect("fixture is JSON");
    let path = format!("/app/{operation}");
    event["rawPath"] = path.clone().into();
    event["requestContext"]["http"]["path"] = path.into();
    event["headers"]["content-type"] = "application/x-www-form-urlencoded".into();
    event["body"] = body.into();
    event.to_string()
}

fn request(event: &str) -> Request {
    lambda_http::request::from_str(event).expect("valid event")
}

type BenchState = State<MemorySessions, MemoryForms, Arc<MemoryApiKeys>>;

async fn state() -> BenchState {
    let merchant = MerchantId::parse("bench-nonprofit").expect("valid");
    let keys = Arc::new(MemoryApiKeys::default());
    keys.put_merchant(&Merchant {
        id: merchant.clone(),
        name: "Bench".into(),
        created_at: shared::time::now(),
        forms_enabled: true,
    })
    .await
    .expect("merchant");
    let hash = FormHash::parse(FORM_HASH).expect("valid");
    let forms = MemoryForms::default();
    forms
        .put(&Form {
            definition: FormDefinition::from_json(DEMO_FORM, &hash, &merchant).expect("form"),
            hash,
            merchant_id: merchant,
            updated_at: shared::time::now(),
        })
        .await
        .expect("form stored");
    State {
        sessions: MemorySessions::default(),
        forms: FormCatalog::new(forms, Arc::clone(&keys)),
        auth: Authenticator::new(keys),
        time_zone: jiff::tz::TimeZone::get("Europe/Berlin").expect("bundled tzdb"),
        session_ttl: jiff::SignedDuration::from_hours(48),
    }
}

const TEN_FIELDS: &str = "&payment[salutation]=Ms.&payment[first_name]=Erika\
    &payment[last_name]=Mustermann&payment[email]=erika@example.org&payment[amount]=25\
    &payment[interval]=1&payment[payment_method]=sepa_direct_debit\
    &payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt\
    &payment[is_privacy_accepted]=1";

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let state = runtime.block_on(state());
    let create = event(
        "createSession",
        &format!(
            "hash={FORM_HASH}&payment[first_name]=Max&payment[last_name]=Mustermann&payment[amount]=20"
        ),
    );
    // Warm the form cache, as on a warm Lambda instance.
    runtime.block_on(handle(request(&create), &state));

    c.bench_function("createSession (seed example, memory store)", |b| {
        b.to_async(&runtime).iter_batched(
            || request(&create),
            |req| handle(req, &state),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("updateSession (10 fields, memory store)", |b| {
        b.to_async(&runtime).iter_batched(
            || {
                // A fresh session each time, so every update really writes all ten values.
                // Setup runs inside the benchmark runtime: poll it without another runtime.
                let created = futures::executor::block_on(handle(request(&create), &state));
                let created: serde_json::Value =
                    serde_json::from_slice(created.body().as_ref()).expect("JSON");
                let session = created["session"]["hash"]
                    .as_str()
                    .expect("hash")
                    .to_owned();
                request(&event(
                    "updateSession",
                    &format!("hash={FORM_HASH}&fbSessionHash={session}{TEN_FIELDS}"),
                ))
            },
            |req| handle(req, &state),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
