//! Handler overhead without I/O: the real handler over in-memory stores, fed the same API
//! Gateway HTTP API v2 events as the integration tests.
//! Run: `cargo bench -p dataset-api --bench handler`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dataset_api::{State, handle};
use lambda_http::Request;
use shared::auth::{ApiKeyRecord, Authenticator};
use shared::merchant::{Merchant, MerchantId};
use shared::store::ApiKeyStore;
use shared::store::memory::{MemoryApiKeys, MemoryDataSets};

const POST_EVENT: &str = include_str!("../../../tests/fixtures/http-api-v2-post-dataset.json");
const GET_EVENT: &str = include_str!("../../../tests/fixtures/http-api-v2-get-dataset.json");

fn event_with_key(event: &str, key: &str, guid: Option<&str>) -> String {
    let mut event: serde_json::Value = serde_json::from_str(event).expect("fixture is JSON");
    event["headers"]["authorization"] = format!("Bearer {key}").into();
    if let Some(guid) = guid {
        event["pathParameters"]["guid"] = guid.into();
    }
    event.to_string()
}

fn request(event: &str) -> Request {
    lambda_http::request::from_str(event).expect("valid event")
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let key = shared::auth::ApiKey::generate().expect("rng");
    let merchant = MerchantId::parse("bench-nonprofit").expect("valid");
    let keys = MemoryApiKeys::default();
    runtime.block_on(async {
        let created_at = shared::time::now();
        keys.put_merchant(&Merchant {
            id: merchant.clone(),
            name: "Bench".into(),
            created_at,
            forms_enabled: true,
        })
        .await
        .expect("merchant");
        keys.put_key(&ApiKeyRecord {
            key_hash: key.hash(),
            merchant_id: merchant,
            created_at,
            revoked: false,
        })
        .await
        .expect("key");
    });
    let state = State {
        datasets: MemoryDataSets::default(),
        auth: Authenticator::new(keys),
        time_zone: jiff::tz::TimeZone::get("Europe/Berlin").expect("bundled tzdb"),
    };

    let post = event_with_key(POST_EVENT, key.expose(), None);
    let created = runtime.block_on(handle(request(&post), &state));
    let created: serde_json::Value = serde_json::from_slice(created.body().as_ref()).expect("JSON");
    let get = event_with_key(GET_EVENT, key.expose(), created["dataSetGuid"].as_str());

    c.bench_function("POST /dataSet (seed example, memory store)", |b| {
        b.to_async(&runtime).iter_batched(
            || request(&post),
            |req| handle(req, &state),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("GET /dataSet/{guid} (memory store)", |b| {
        b.to_async(&runtime).iter_batched(
            || request(&get),
            |req| handle(req, &state),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
