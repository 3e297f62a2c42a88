//! What a listing page costs over 10,000 DataSets of one merchant on DynamoDB Local: latency
//! and consumed read capacity (`ReturnConsumedCapacity`) for page 1, page 20 by number, and
//! the same page 20 reached with a nextToken position.
//! Run with `make bench`, or `cargo bench -p integration-tests --bench listing` while
//! DynamoDB Local listens on 127.0.0.1:8000.

use std::time::{Duration, Instant};

use futures::StreamExt;
use integration_tests::{dynamodb_client, ensure_tables, unique_merchant};
use jiff::Timestamp;
use shared::dataset::DataSetStore;
use shared::dataset::ShardCount;
use shared::listing::{PageLimit, Position, Start, TimeBounds};
use shared::store::dynamo::DynamoDataSets;
use shared::wire;

const DATASETS: i64 = 10_000;
const PAGE_SIZE: usize = 50;
const RUNS: usize = 25;

fn main() {
    ensure_tables();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let store = DynamoDataSets::new(dynamodb_client(), "DataSets", ShardCount::DEFAULT);
    let merchant = unique_merchant("bench");
    let body = r#"{"vendor":"bench","sensitive_data":["email"],"jsonElement":{"formResult":{"name":"Bench","email":"bench@example.org","amount":"25.00","interval":"1"},"formFields":[{"inputType":"text","label":"Name","name":"name","value":"Bench"}]}}"#;
    let first = Timestamp::from_second(1_717_200_000).expect("in range");
    let started = Instant::now();
    futures::stream::iter(0..DATASETS)
        .for_each_concurrent(32, |i| {
            let (store, merchant) = (&store, &merchant);
            async move {
                // One DataSet every ~4 minutes over a month.
                let at = Timestamp::from_second(first.as_second() + i * 259).expect("in range");
                let ds = wire::datasets::new_dataset(body)
                    .expect("valid")
                    .into_dataset(merchant.clone(), at);
                store.insert(&ds).await.expect("insert");
            }
        })
        .await;
    println!(
        "wrote {DATASETS} DataSets in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let page_19 = store
        .list(
            &merchant,
            TimeBounds::default(),
            Start::Skip(18 * PAGE_SIZE as u64),
            PageLimit::items(PAGE_SIZE),
        )
        .await
        .expect("page 19");
    let last = page_19.items.last().expect("a full page");
    let after = Start::After(Position {
        created_at: last.created_at,
        guid: last.guid.uuid(),
    });

    println!(
        "pageSize {PAGE_SIZE}, {RUNS} runs each, DynamoDB Local on 127.0.0.1, {} shards",
        ShardCount::DEFAULT.get()
    );
    println!("| page | median | p90 | read units | items |");
    println!("|---|---|---|---|---|");
    for (label, start) in [
        ("pageNumber=1", Start::Skip(0)),
        ("pageNumber=20", Start::Skip(19 * PAGE_SIZE as u64)),
        ("nextToken (page 20)", after),
    ] {
        let mut latencies = Vec::with_capacity(RUNS);
        let mut page = None;
        for _ in 0..RUNS {
            let started = Instant::now();
            page = Some(
                store
                    .list(
                        &merchant,
                        TimeBounds::default(),
                        start,
                        PageLimit::items(PAGE_SIZE),
                    )
                    .await
                    .expect("list"),
            );
            latencies.push(started.elapsed());
        }
        latencies.sort();
        let page = page.expect("ran");
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        println!(
            "| {label} | {} | {} | {:.1} | {} |",
            ms(latencies[RUNS / 2]),
            ms(latencies[RUNS * 9 / 10]),
            page.read_units,
            page.items.len()
        );
    }
}
