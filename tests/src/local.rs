//! Every function's state on DynamoDB Local, built by the functions' own builder
//! (`State::build`, as `shared::app::production` builds it in Lambda): the template's tables,
//! the deployment's default settings, a test signing secret, and the payment provider's test
//! double where Lambda wires none. A test changes the wiring only where it needs to (its own
//! client, its own Entities table, a shorter collection lease).

use std::time::Duration;

use aws_sdk_dynamodb::Client;

use shared::app::{
    Backend, CollectionsState, CreditorState, Dynamo, FormsState, ListingState, ProcessState,
    RecurringPaymentsState, ReturnsState, SessionApiState, Settings, State, Tables, VisitsState,
    Wiring,
};
use shared::cards::NoProvider;
use shared::dataset::ShardCount;
use shared::outbound::sandbox::SandboxProvider;

use crate::{dynamodb_client, ensure_tables, gateway};

/// The backend of the integration tests: DynamoDB Local, with the payment provider's test
/// double (production wires no provider, so it offers no card or PayPal payment).
pub type TestDynamo = Dynamo<SandboxProvider>;

/// One key for everything the functions sign, as the deployed functions share one.
const SECRET: &[u8] = b"integration tests secret, 32 bytes or more";

/// The wiring on `client`, with the template's tables (created once per test binary).
pub fn local_wiring(client: Client) -> Wiring<TestDynamo> {
    ensure_tables();
    Wiring {
        backend: Dynamo {
            client,
            tables: Tables::as_in_template(),
            shards: ShardCount::DEFAULT,
            payments: SandboxProvider,
        },
        settings: Settings::default(),
        secret: Some(SECRET.to_vec()),
    }
}

/// The same, with donors' entities in Entities table `table` (see `own_entities_table`).
pub fn wiring_in(client: Client, table: &str) -> Wiring<TestDynamo> {
    let mut wiring = local_wiring(client);
    wiring.backend.tables.entities = Some(table.to_owned());
    wiring
}

/// The same wiring as Lambda has it today: no payment provider (see `shared::app::Production`).
pub fn without_provider(wiring: &Wiring<TestDynamo>) -> Wiring<Dynamo<NoProvider>> {
    wiring.with_backend(wiring.backend.with_payments(NoProvider))
}

/// A function's state as Lambda builds it.
pub fn built<B: Backend, S: State<B>>(wiring: &Wiring<B>) -> S {
    S::build(wiring).expect("the wiring has every table and the secret")
}

/// The DataSet record functions' states (`GET`/`POST`/`PUT`), on DynamoDB Local.
pub fn dataset_api_state() -> gateway::Records {
    dataset_api_state_with(dynamodb_client())
}

pub fn dataset_api_state_with(client: Client) -> gateway::Records {
    let wiring = local_wiring(client);
    gateway::Records {
        read: built(&wiring),
        post: built(&wiring),
    }
}

/// The listing function's state, on DynamoDB Local.
pub fn list_datasets_state() -> ListingState<TestDynamo> {
    list_datasets_state_with(dynamodb_client())
}

pub fn list_datasets_state_with(client: Client) -> ListingState<TestDynamo> {
    built(&local_wiring(client))
}

/// The Session-API functions' state (create and update), on DynamoDB Local.
pub fn session_api_state() -> SessionApiState<TestDynamo> {
    session_api_state_with(dynamodb_client())
}

pub fn session_api_state_with(client: Client) -> SessionApiState<TestDynamo> {
    built(&local_wiring(client))
}

/// The processing function's state, on DynamoDB Local.
pub fn process_session_state() -> ProcessState<TestDynamo> {
    process_session_state_with(dynamodb_client())
}

pub fn process_session_state_with(client: Client) -> ProcessState<TestDynamo> {
    built(&local_wiring(client))
}

/// Processing that stores donors' entities in `entities_table`.
pub fn process_session_state_in(client: Client, entities_table: &str) -> ProcessState<TestDynamo> {
    built(&wiring_in(client, entities_table))
}

/// The payment-entity functions' states, on DynamoDB Local.
pub fn entity_api_state() -> gateway::EntityApi {
    entity_api_state_with(dynamodb_client())
}

pub fn entity_api_state_with(client: Client) -> gateway::EntityApi {
    entity_api(&local_wiring(client))
}

/// The payment-entity functions over Entities table `entities_table`.
pub fn entity_api_state_in(client: Client, entities_table: &str) -> gateway::EntityApi {
    entity_api(&wiring_in(client, entities_table))
}

fn entity_api(wiring: &Wiring<TestDynamo>) -> gateway::EntityApi {
    gateway::EntityApi {
        actions: built(wiring),
        contacts: built(wiring),
        changelog: built(wiring),
        changelogs: built(wiring),
    }
}

/// The SEPA creditor settings functions' state, on DynamoDB Local.
pub fn creditor_state() -> CreditorState<TestDynamo> {
    built(&local_wiring(dynamodb_client()))
}

/// The collection functions' state, on DynamoDB Local, holding a building collection for
/// `lease` between batches.
pub fn collections_state(lease: Duration) -> CollectionsState<TestDynamo> {
    collections_state_in(lease, crate::ENTITIES_TABLE)
}

/// Collections claiming payments of Entities table `entities_table`.
pub fn collections_state_in(lease: Duration, entities_table: &str) -> CollectionsState<TestDynamo> {
    let mut wiring = wiring_in(dynamodb_client(), entities_table);
    wiring.settings.collection_lease = lease;
    built(&wiring)
}

/// The daily run's state on DynamoDB Local.
pub fn scheduler_state() -> RecurringPaymentsState<TestDynamo> {
    scheduler_state_in(crate::ENTITIES_TABLE)
}

/// The daily run over Entities table `entities_table`.
pub fn scheduler_state_in(entities_table: &str) -> RecurringPaymentsState<TestDynamo> {
    built(&wiring_in(dynamodb_client(), entities_table))
}

/// The daily run of `day`, at 05:00 in Berlin, through its handler.
pub async fn daily_run<B: shared::app::Backend>(
    state: &RecurringPaymentsState<B>,
    day: jiff::civil::Date,
) -> shared::recurring::Report {
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").expect("tz");
    let time = day
        .at(5, 0, 0, 0)
        .to_zoned(berlin)
        .expect("time")
        .timestamp();
    recurring_payments::handle(serde_json::json!({"time": time.to_string()}), state)
        .await
        .expect("run")
}

/// `POST /sepa/returns`'s state over Entities table `entities_table`.
pub fn returns_state_in(entities_table: &str) -> ReturnsState<TestDynamo> {
    built(&wiring_in(dynamodb_client(), entities_table))
}

/// The hosted form's two functions' states, on DynamoDB Local.
pub fn hosted_form_state() -> gateway::HostedForm {
    let wiring = local_wiring(dynamodb_client());
    gateway::HostedForm {
        page: built(&wiring),
        post: built(&wiring),
    }
}

/// The Session Management API's state, on DynamoDB Local.
pub fn visit_sessions_state() -> VisitsState<TestDynamo> {
    visit_sessions_state_with(dynamodb_client())
}

pub fn visit_sessions_state_with(client: Client) -> VisitsState<TestDynamo> {
    built(&local_wiring(client))
}

/// The form configuration functions' state, on DynamoDB Local.
pub fn forms_api_state() -> FormsState<TestDynamo> {
    forms_api_state_with(dynamodb_client())
}

pub fn forms_api_state_with(client: Client) -> FormsState<TestDynamo> {
    built(&local_wiring(client))
}
