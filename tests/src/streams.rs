//! The continuation of erasures and merges as Lambda runs it, played on DynamoDB Local: the
//! poller of `tools/stream-poller` reads the Entities table's stream with the mapping of
//! `infra/template.yaml`, narrowed to one test's merchant (the tables are shared), and hands
//! each batch to `continue-batches`' handler in-process. And the donors those tests erase.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

use shared::app::{ActionsState, ContinueBatchesState};
use shared::ground::ids::MerchantId;
use stream_poller::{Function, FunctionError, Mapping, Poller, Position, Running, StreamsApi};

use crate::donors::{
    EMAIL, FIRST_NAME, IBAN, LAST_NAME, Nonprofit, Pays, action, json_of, text, with,
};
use crate::events::Event;
use crate::{TestDynamo, built, workspace_root};

/// The Streams API of DynamoDB Local, where the tests' tables are.
pub fn streams_api() -> StreamsApi {
    StreamsApi::new(
        std::env::var("DYNAMODB_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:8000".to_owned()),
    )
}

/// `continue-batches`' mapping as the template declares it, for `merchant`'s contacts only.
pub fn continuation_mapping(merchant: &MerchantId) -> Mapping {
    let yaml = std::fs::read_to_string(workspace_root().join("infra/template.yaml"))
        .expect("infra/template.yaml");
    let mut mapping = Mapping::from_template(&yaml, "continue-batches").expect("its mapping");
    mapping.filter = mapping
        .filter
        .and(
            &json!({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": format!("C#{merchant}#")}]}}}})
                .to_string(),
        )
        .expect("a known pattern");
    mapping
}

/// The poller of `merchant`'s contacts, handing batches to `function`, from now on (every
/// write after this returns is handed on), with short pauses.
pub async fn follow_contacts<F: Function>(merchant: &MerchantId, function: F) -> Running {
    crate::ensure_tables();
    let mut mapping = continuation_mapping(merchant);
    mapping.starting_position = Position::Latest;
    let mut poller = Poller::new(streams_api(), mapping, function);
    poller.idle = Duration::from_millis(20);
    poller.backoff = Duration::from_millis(20);
    poller
        .start()
        .await
        .expect("the Entities table has a stream")
}

/// `continue-batches` as Lambda builds it for `np`'s tables, going on for `budget` per
/// invocation (it writes at least one batch whatever the budget).
pub fn continuation_state(
    np: &Nonprofit,
    budget: Duration,
) -> Arc<ContinueBatchesState<TestDynamo>> {
    let mut state: ContinueBatchesState<TestDynamo> = built(&np.wiring);
    state.budget = budget;
    Arc::new(state)
}

/// The handler of `state`, as the poller's function.
pub fn handler(
    state: Arc<ContinueBatchesState<TestDynamo>>,
) -> impl Fn(Value) -> futures::future::BoxFuture<'static, Result<(), FunctionError>>
+ Send
+ Sync
+ 'static {
    move |event| {
        let state = state.clone();
        Box::pin(async move {
            continue_batches::handle(event, &*state).await?;
            Ok(())
        })
    }
}

/// `POST /actions` through a function whose time budget is spent at once: it starts a batch
/// operation and answers `202` without a batch done, as one cut off by its timeout would.
pub async fn act_out_of_time(np: &Nonprofit, body: &Value) -> (StatusCode, Value) {
    let mut hurried: ActionsState<TestDynamo> = built(&np.wiring);
    hurried.budget = Duration::ZERO;
    let event = Event::http("POST", "/actions")
        .header("content-type", "application/json")
        .bearer(&np.key)
        .body(&body.to_string());
    json_of(post_actions::handle(event.request(), &hurried).await).await
}

/// A donor's contact (made by a processed donation during a visit session) with `records`
/// DataSets in all: the donation's, and sign-ups carrying the donor's data as a CRM sends it.
pub async fn donor_with_records(np: &Nonprofit, records: usize) -> (String, String) {
    let visit = np.new_visit().await;
    let result = np.donate_during("25", 1, Pays::Sepa, Some(&visit)).await;
    let contact = text(&result["contactGuidResult"]);
    let sign_ups = stream::iter(1..records)
        .map(|i| {
            let body = with(
                action("SignUp", "DataSet", &contact),
                json!({"jsonElement": {
                    "gift": i, "first_name": FIRST_NAME, "last_name": LAST_NAME,
                    "email": EMAIL, "iban": IBAN, "fullName": format!("{FIRST_NAME} {LAST_NAME}"),
                }}),
            );
            async move { np.act(&body).await }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    for (status, answer) in sign_ups {
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    (contact, visit)
}

/// `GET /changelog/{guid}` until it says `completed` (panics after `within`).
pub async fn until_completed(np: &Nonprofit, entry: &str, within: Duration) -> Value {
    let started = Instant::now();
    loop {
        let (status, answer) = np.changelog(entry).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        if answer["status"] == "completed" {
            return answer;
        }
        assert!(
            started.elapsed() < within,
            "still {} after {within:?}: {answer}",
            answer["status"]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
