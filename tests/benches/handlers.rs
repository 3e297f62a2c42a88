//! Handler overhead without I/O: the real handlers over the in-memory adapters, fed API
//! Gateway HTTP API v2 events. Run: `cargo bench -p integration-tests --bench handlers`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use integration_tests::events::Event;
use integration_tests::memory::MemoryStack;
use lambda_http::{Body, Response};

const TEN_FIELDS: &str = "&payment[salutation]=Ms.&payment[first_name]=Erika\
    &payment[last_name]=Mustermann&payment[email]=erika@example.org&payment[amount]=25\
    &payment[interval]=1&payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12\
    &payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt\
    &payment[is_privacy_accepted]=1";

fn json(response: &Response<Body>) -> serde_json::Value {
    serde_json::from_slice(response.body().as_ref()).expect("JSON")
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let stack = runtime.block_on(MemoryStack::new());
    let form = stack.form_hash.to_string();
    let (session_api, process, records) = (stack.session_api(), stack.process(), stack.records());
    let post_record = stack.post_record();
    let create = Event::session_form(
        "createSession",
        &format!(
            "hash={form}&payment[first_name]=Max&payment[last_name]=Mustermann&payment[amount]=20"
        ),
    );
    let complete = Event::session_form("createSession", &format!("hash={form}{TEN_FIELDS}"));
    // Setup runs inside the benchmark runtime: poll it without another runtime.
    let new_session = |event: &Event| {
        let created =
            futures::executor::block_on(create_session::handle(event.request(), &session_api));
        json(&created)["session"]["hash"]
            .as_str()
            .expect("hash")
            .to_owned()
    };
    // Warm the form and key caches, as on a warm Lambda instance.
    new_session(&create);

    c.bench_function("createSession (seed example, memory)", |b| {
        b.to_async(&runtime).iter_batched(
            || create.request(),
            |req| create_session::handle(req, &session_api),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("updateSession (10 fields, memory)", |b| {
        b.to_async(&runtime).iter_batched(
            || {
                // A fresh session each time, so every update really writes all ten values.
                let session = new_session(&create);
                Event::session_form(
                    "updateSession",
                    &format!("hash={form}&fbSessionHash={session}{TEN_FIELDS}"),
                )
                .request()
            },
            |req| update_session::handle(req, &session_api),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("processSession (monthly, sandbox provider, memory)", |b| {
        b.to_async(&runtime).iter_batched(
            || {
                let session = new_session(&complete);
                Event::session_form(
                    "processSession",
                    &format!("hash={form}&fbSessionHash={session}"),
                )
                .request()
            },
            |req| process_session::handle(req, &process),
            BatchSize::SmallInput,
        )
    });
    let post = Event::post_dataset().bearer(&stack.key);
    let created = runtime.block_on(post_dataset::handle(post.request(), &post_record));
    let guid = json(&created)["dataSetGuid"]
        .as_str()
        .expect("guid")
        .to_owned();
    let get = Event::get_dataset(&guid).bearer(&stack.key);
    c.bench_function("POST /dataSet (seed example, memory)", |b| {
        b.to_async(&runtime).iter_batched(
            || post.request(),
            |req| post_dataset::handle(req, &post_record),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("GET /dataSet/{guid} (memory)", |b| {
        b.to_async(&runtime).iter_batched(
            || get.request(),
            |req| get_dataset::handle(req, &records),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
