//! processSession handler overhead without I/O: a complete session is paid (sandbox) and
//! recorded through the real handler over in-memory stores.
//! Run: `cargo bench -p process-session --bench handler`.

use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use lambda_http::Request;
use process_session::{State, handle};
use serde_json::{Map, Value, json};
use shared::form::{Form, FormCatalog, FormDefinition, FormHash};
use shared::merchant::{Merchant, MerchantId};
use shared::payment::SandboxProvider;
use shared::session::flow::{self, Context};
use shared::session::{Authority, PaymentInput, Submission};
use shared::store::memory::{
    MemoryApiKeys, MemoryForms, MemoryProcessing, MemorySessions, MemoryVisits,
};
use shared::store::{ApiKeyStore, FormStore};

const EVENT: &str = include_str!("../../../tests/fixtures/http-api-v2-post-dataset.json");
const DEMO_FORM: &str = include_str!("../../../admin/demo-form.json");

fn request(form: &FormHash, session: &str) -> Request {
    let mut event: Value = serde_json::from_str(EVENT).expect("fixture is JSON");
    event["rawPath"] = "/app/processSession".into();
    event["requestContext"]["http"]["path"] = "/app/processSession".into();
    event["headers"]["content-type"] = "application/x-www-form-urlencoded".into();
    event["body"] = format!("hash={form}&fbSessionHash={session}").into();
    lambda_http::request::from_str(&event.to_string()).expect("valid event")
}

type BenchState = State<
    Arc<MemorySessions>,
    MemoryProcessing,
    MemoryVisits,
    MemoryForms,
    Arc<MemoryApiKeys>,
    SandboxProvider,
>;

fn complete_values() -> Map<String, Value> {
    json!({
        "salutation": "Ms.", "first_name": "Erika", "last_name": "Mustermann",
        "email": "erika@example.org", "amount": "25", "interval": "1",
        "payment_method": "sepa_direct_debit", "iban": "DE89370400440532013000",
        "wants_receipt": "no_receipt", "is_privacy_accepted": "1"
    })
    .as_object()
    .cloned()
    .expect("map")
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let merchant = MerchantId::parse("bench-nonprofit").expect("valid");
    let hash = FormHash::parse("benchform2026").expect("valid");
    let form = Form {
        definition: FormDefinition::from_json(DEMO_FORM, &hash, &merchant).expect("form"),
        hash: hash.clone(),
        merchant_id: merchant.clone(),
        updated_at: shared::time::now(),
    };
    let keys = Arc::new(MemoryApiKeys::default());
    let forms = MemoryForms::default();
    runtime.block_on(async {
        keys.put_merchant(&Merchant {
            id: merchant,
            name: "Bench".into(),
            created_at: shared::time::now(),
            forms_enabled: true,
        })
        .await
        .expect("merchant");
        forms.put(&form).await.expect("form");
    });
    let processing = MemoryProcessing::default();
    let state: BenchState = State {
        sessions: Arc::clone(&processing.sessions),
        processing,
        visits: MemoryVisits::default(),
        forms: FormCatalog::new(forms, keys),
        provider: SandboxProvider,
        time_zone: jiff::tz::TimeZone::get("Europe/Berlin").expect("bundled tzdb"),
        session_ttl: jiff::SignedDuration::from_hours(48),
    };
    let submission = Submission {
        values: PaymentInput::from_map(complete_values()),
        authority: Authority::Public,
        visit_session: None,
    };
    let new_complete_session = || {
        let ctx = Context::new(
            &form,
            shared::time::now(),
            state.session_ttl,
            &state.time_zone,
        );
        // Setup runs inside the benchmark runtime: poll it without another runtime.
        let outcome = futures::executor::block_on(flow::create(&state.sessions, &ctx, &submission))
            .expect("session");
        outcome.session.hash.to_string()
    };
    // Warm the form cache, as on a warm Lambda instance.
    runtime.block_on(handle(request(&hash, &new_complete_session()), &state));

    c.bench_function(
        "processSession (monthly, sandbox provider, memory store)",
        |b| {
            b.to_async(&runtime).iter_batched(
                || request(&hash, &new_complete_session()),
                |req| handle(req, &state),
                BatchSize::SmallInput,
            )
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
