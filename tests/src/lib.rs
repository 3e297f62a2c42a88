//! Helpers for the integration tests: a DynamoDB Local client, tables from the template,
//! fresh merchants with keys, and API Gateway HTTP API v2 events built from fixtures.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_dynamodb::error::BoxError;

use shared::app::{
    ACTION_BUDGET, ActionsState, ChangelogListingState, ChangelogState, CollectionsState,
    ContactsState, CreditorState, DynamoCollectionsState, DynamoCreditorState, DynamoFormsState,
    DynamoListingState, DynamoProcessState, DynamoSessionApiState, DynamoVisitsState,
    FormPageState, FormPostState, FormsState, ListingState, PostRecordState, ProcessState,
    RecordsState, SchedulerState, SessionApiState, VisitsState,
};
use shared::cards::SandboxProvider;
use shared::dataset::ShardCount;
use shared::form::{FormCatalog, FormStore};
use shared::ground::ids::{FormHash, MerchantId};
use shared::listing::TokenSigner;
use shared::merchant::{Authenticator, MerchantStore};
use shared::store::dynamo::{
    DynamoChangelogs, DynamoCollections, DynamoDataSets, DynamoEntities, DynamoForms,
    DynamoIdempotency, DynamoMerchants, DynamoProcessing, DynamoSchedule, DynamoSessions,
    DynamoVisits,
};
use shared::visit::LinkSigner;

pub mod capacity;
pub mod contract;
pub mod donors;
pub mod entity_contract;
pub mod events;
pub mod gateway;
pub mod memory;
pub mod sepa;

/// Table names as `make dev` and `make test` create them (the template's logical ids).
pub const DATASETS_TABLE: &str = "DataSets";
pub const API_KEYS_TABLE: &str = "ApiKeys";
pub const FORMS_TABLE: &str = "Forms";
pub const SESSIONS_TABLE: &str = "Sessions";
pub const IDEMPOTENCY_TABLE: &str = "Idempotency";
pub const ENTITIES_TABLE: &str = "Entities";
pub const CHANGELOGS_TABLE: &str = "Changelogs";
pub const COLLECTIONS_TABLE: &str = "Collections";

/// The entities on DynamoDB Local, recording into the Changelogs and DataSets tables.
pub fn dynamo_entities(client: Client) -> DynamoEntities {
    dynamo_entities_in(client, ENTITIES_TABLE)
}

/// The same, in Entities table `table` (see `own_entities_table`).
pub fn dynamo_entities_in(client: Client, table: &str) -> DynamoEntities {
    ensure_tables();
    DynamoEntities::new(
        client.clone(),
        table,
        DynamoChangelogs::new(client.clone(), CHANGELOGS_TABLE, ShardCount::DEFAULT),
        DynamoDataSets::new(client, DATASETS_TABLE, ShardCount::DEFAULT),
    )
}

fn berlin() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Berlin").expect("bundled tzdb")
}

const SESSION_TTL: jiff::SignedDuration = jiff::SignedDuration::from_hours(48);
const CSRF_KEY: &[u8] = b"hosted form tests secret, 32 bytes or more";
/// One key for issuing and checking visit-link tokens, as the deployed functions share one.
const LINK_KEY: &[u8] = b"visit link tests secret, 32 bytes or more";

/// The DataSet record functions' states (`GET`/`POST`/`PUT`), on DynamoDB Local.
pub fn dataset_api_state() -> gateway::Records {
    dataset_api_state_with(dynamodb_client())
}

pub fn dataset_api_state_with(client: Client) -> gateway::Records {
    ensure_tables();
    let datasets = DynamoDataSets::new(client.clone(), DATASETS_TABLE, ShardCount::DEFAULT);
    let keys = DynamoMerchants::new(client.clone(), API_KEYS_TABLE);
    gateway::Records {
        read: RecordsState {
            datasets: datasets.clone(),
            auth: Authenticator::new(keys.clone()),
            time_zone: berlin(),
        },
        post: PostRecordState {
            datasets,
            idempotency: DynamoIdempotency::new(client, IDEMPOTENCY_TABLE),
            auth: Authenticator::new(keys),
            time_zone: berlin(),
        },
    }
}

/// The listing function's state, on DynamoDB Local.
pub fn list_datasets_state() -> DynamoListingState {
    list_datasets_state_with(dynamodb_client())
}

pub fn list_datasets_state_with(client: Client) -> DynamoListingState {
    ensure_tables();
    ListingState {
        datasets: DynamoDataSets::new(client.clone(), DATASETS_TABLE, ShardCount::DEFAULT),
        auth: Authenticator::new(DynamoMerchants::new(client, API_KEYS_TABLE)),
        time_zone: berlin(),
        signer: TokenSigner::new("listing tests secret, 32 bytes or more"),
    }
}

/// The Session-API functions' state (create and update), on DynamoDB Local.
pub fn session_api_state() -> DynamoSessionApiState {
    session_api_state_with(dynamodb_client())
}

pub fn session_api_state_with(client: Client) -> DynamoSessionApiState {
    ensure_tables();
    let keys = DynamoMerchants::new(client.clone(), API_KEYS_TABLE);
    SessionApiState {
        sessions: DynamoSessions::new(client.clone(), SESSIONS_TABLE),
        forms: FormCatalog::new(DynamoForms::new(client, FORMS_TABLE), keys.clone()),
        auth: Authenticator::new(keys),
        time_zone: berlin(),
        session_ttl: SESSION_TTL,
        links: LinkSigner::new(LINK_KEY),
    }
}

/// The processing function's state, on DynamoDB Local.
pub fn process_session_state() -> DynamoProcessState {
    process_session_state_with(dynamodb_client())
}

pub fn process_session_state_with(client: Client) -> DynamoProcessState {
    process_session_state_in(client, ENTITIES_TABLE)
}

/// Processing that stores donors' entities in `entities_table`.
pub fn process_session_state_in(client: Client, entities_table: &str) -> DynamoProcessState {
    ensure_tables();
    let sessions = DynamoSessions::new(client.clone(), SESSIONS_TABLE);
    ProcessState {
        processing: DynamoProcessing::new(
            sessions.clone(),
            DynamoDataSets::new(client.clone(), DATASETS_TABLE, ShardCount::DEFAULT),
            dynamo_entities_in(client.clone(), entities_table),
        ),
        sessions,
        visits: DynamoVisits::new(client.clone(), SESSIONS_TABLE),
        forms: FormCatalog::new(
            DynamoForms::new(client.clone(), FORMS_TABLE),
            DynamoMerchants::new(client, API_KEYS_TABLE),
        ),
        provider: SandboxProvider,
        time_zone: berlin(),
        session_ttl: SESSION_TTL,
    }
}

/// The payment-entity functions' states, on DynamoDB Local.
pub fn entity_api_state() -> gateway::EntityApi {
    entity_api_state_with(dynamodb_client())
}

pub fn entity_api_state_with(client: Client) -> gateway::EntityApi {
    entity_api_state_in(client, ENTITIES_TABLE)
}

/// The payment-entity functions over Entities table `entities_table`.
pub fn entity_api_state_in(client: Client, entities_table: &str) -> gateway::EntityApi {
    ensure_tables();
    let datasets = DynamoDataSets::new(client.clone(), DATASETS_TABLE, ShardCount::DEFAULT);
    let changelogs = DynamoChangelogs::new(client.clone(), CHANGELOGS_TABLE, ShardCount::DEFAULT);
    let keys = DynamoMerchants::new(client.clone(), API_KEYS_TABLE);
    gateway::EntityApi {
        actions: ActionsState {
            entities: dynamo_entities_in(client.clone(), entities_table),
            datasets: datasets.clone(),
            changelogs: changelogs.clone(),
            visits: DynamoVisits::new(client.clone(), SESSIONS_TABLE),
            idempotency: DynamoIdempotency::new(client.clone(), IDEMPOTENCY_TABLE),
            auth: Authenticator::new(keys.clone()),
            time_zone: berlin(),
            budget: ACTION_BUDGET,
        },
        contacts: ContactsState {
            entities: dynamo_entities_in(client, entities_table),
            datasets,
            auth: Authenticator::new(keys.clone()),
            time_zone: berlin(),
        },
        changelog: ChangelogState {
            changelogs: changelogs.clone(),
            auth: Authenticator::new(keys.clone()),
            time_zone: berlin(),
        },
        changelogs: ChangelogListingState {
            changelogs,
            auth: Authenticator::new(keys),
            time_zone: berlin(),
            signer: TokenSigner::changelogs("changelog tests secret, 32 bytes or more"),
        },
    }
}

/// The SEPA creditor settings functions' state, on DynamoDB Local.
pub fn creditor_state() -> DynamoCreditorState {
    ensure_tables();
    CreditorState {
        auth: Authenticator::new(DynamoMerchants::new(dynamodb_client(), API_KEYS_TABLE)),
        time_zone: berlin(),
    }
}

/// The collection functions' state, on DynamoDB Local, holding a building collection for
/// `lease` between batches.
pub fn collections_state(lease: std::time::Duration) -> DynamoCollectionsState {
    collections_state_in(lease, ENTITIES_TABLE)
}

/// Collections claiming payments of Entities table `entities_table`.
pub fn collections_state_in(
    lease: std::time::Duration,
    entities_table: &str,
) -> DynamoCollectionsState {
    ensure_tables();
    let client = dynamodb_client();
    CollectionsState {
        collections: DynamoCollections::new(
            client.clone(),
            COLLECTIONS_TABLE,
            dynamo_entities_in(client.clone(), entities_table),
        ),
        auth: Authenticator::new(DynamoMerchants::new(client, API_KEYS_TABLE)),
        time_zone: berlin(),
        lease,
    }
}

/// The scheduler's state on DynamoDB Local.
pub fn scheduler_state() -> shared::app::DynamoSchedulerState {
    scheduler_state_in(ENTITIES_TABLE)
}

/// The scheduler over Entities table `entities_table`.
pub fn scheduler_state_in(entities_table: &str) -> shared::app::DynamoSchedulerState {
    ensure_tables();
    let client = dynamodb_client();
    let entities = dynamo_entities_in(client.clone(), entities_table);
    SchedulerState {
        schedule: DynamoSchedule::new(entities.clone()),
        entities,
        keys: DynamoMerchants::new(client, API_KEYS_TABLE),
        time_zone: berlin(),
    }
}

/// A fresh Entities table of the template's shape, for a test whose scheduler must see only
/// its own subscriptions (the scheduler reads every merchant's, as in production).
pub async fn own_entities_table() -> String {
    ensure_tables();
    let specs = admin::template::table_specs_from_file(
        &workspace_root().join(admin::template::TEMPLATE_PATH),
    )
    .expect("infra/template.yaml is readable");
    let mut spec = specs
        .into_iter()
        .find(|s| s.name == ENTITIES_TABLE)
        .expect("an Entities table");
    spec.name = format!(
        "Entities-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    admin::tables::ensure(&dynamodb_client(), std::slice::from_ref(&spec))
        .await
        .expect("table created");
    spec.name
}

/// `POST /sepa/returns`'s state over Entities table `entities_table`.
pub fn returns_state_in(entities_table: &str) -> shared::app::DynamoReturnsState {
    ensure_tables();
    let client = dynamodb_client();
    shared::app::ReturnsState {
        entities: dynamo_entities_in(client.clone(), entities_table),
        auth: Authenticator::new(DynamoMerchants::new(client, API_KEYS_TABLE)),
    }
}

/// Where the tests leave every pain.008 file they make: `make test` validates them all
/// against the official XSD afterwards (`PAIN008_DIR`, else `target/pain008`).
pub fn keep_pain008(name: &str, xml: &[u8]) {
    let dir = std::env::var_os("PAIN008_DIR")
        .map_or_else(|| workspace_root().join("target/pain008"), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("pain.008 directory");
    std::fs::write(dir.join(format!("{name}.xml")), xml).expect("pain.008 file written");
}

/// The hosted form's two functions' states, on DynamoDB Local.
pub fn hosted_form_state() -> gateway::HostedForm {
    let client = dynamodb_client();
    gateway::HostedForm {
        page: FormPageState {
            sessions: DynamoSessions::new(client.clone(), SESSIONS_TABLE),
            forms: FormCatalog::new(
                DynamoForms::new(client.clone(), FORMS_TABLE),
                DynamoMerchants::new(client, API_KEYS_TABLE),
            ),
            time_zone: berlin(),
            session_ttl: SESSION_TTL,
            csrf_key: CSRF_KEY.to_vec(),
        },
        post: FormPostState {
            process: process_session_state(),
            csrf_key: CSRF_KEY.to_vec(),
        },
    }
}

/// The Session Management API's state, on DynamoDB Local.
pub fn visit_sessions_state() -> DynamoVisitsState {
    visit_sessions_state_with(dynamodb_client())
}

pub fn visit_sessions_state_with(client: Client) -> DynamoVisitsState {
    ensure_tables();
    VisitsState {
        visits: DynamoVisits::new(client.clone(), SESSIONS_TABLE),
        auth: Authenticator::new(DynamoMerchants::new(client, API_KEYS_TABLE)),
        time_zone: berlin(),
        ttl: jiff::SignedDuration::from_hours(24 * 30),
        links: LinkSigner::new(LINK_KEY),
    }
}

/// The form configuration functions' state, on DynamoDB Local.
pub fn forms_api_state() -> DynamoFormsState {
    forms_api_state_with(dynamodb_client())
}

pub fn forms_api_state_with(client: Client) -> DynamoFormsState {
    ensure_tables();
    FormsState {
        forms: DynamoForms::new(client.clone(), FORMS_TABLE),
        auth: Authenticator::new(DynamoMerchants::new(client, API_KEYS_TABLE)),
        time_zone: berlin(),
    }
}

/// A form hash no other test uses.
pub fn unique_form_hash() -> FormHash {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    FormHash::parse(&format!("test{}", &suffix[..16])).expect("valid form hash")
}

/// A fresh merchant with a key and the demo donation form (`admin/demo-form.json`),
/// changed by `edit` first.
pub async fn merchant_with_form<F: FormStore, K: MerchantStore>(
    forms: &F,
    keys: &K,
    edit: impl FnOnce(&mut serde_json::Value),
) -> (MerchantId, String, FormHash) {
    let (merchant, key) = merchant_with_key(keys, "sessions").await;
    keys.set_creditor(&merchant, &admin::seed::demo_creditor())
        .await
        .expect("creditor settings stored");
    let mut form: serde_json::Value =
        serde_json::from_str(admin::seed::DEMO_FORM_JSON).expect("demo form is JSON");
    edit(&mut form);
    let hash = unique_form_hash();
    admin::forms::put_form(
        forms,
        keys,
        &form.to_string(),
        hash.clone(),
        merchant.clone(),
    )
    .await
    .expect("demo form stored");
    (merchant, key, hash)
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// DynamoDB Local at `DYNAMODB_ENDPOINT` (default 127.0.0.1:8000). Tests never reach AWS:
/// the credentials are fixed dummies and the endpoint is always set.
pub fn dynamodb_client() -> Client {
    Client::from_conf(dynamodb_config().build())
}

/// A client that records the operation name of every request it sends, retries included.
pub fn counting_dynamodb_client() -> (Client, DynamoRequests) {
    let requests = DynamoRequests::default();
    let client = Client::from_conf(dynamodb_config().interceptor(requests.clone()).build());
    (client, requests)
}

/// The DynamoDB requests a client sent, by operation name (`PutItem`, `Query`, …).
#[derive(Clone, Debug, Default)]
pub struct DynamoRequests(Arc<Mutex<Vec<String>>>);

impl DynamoRequests {
    /// What was sent since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("request log"))
    }
}

impl Intercept for DynamoRequests {
    fn name(&self) -> &'static str {
        "DynamoRequests"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // `X-Amz-Target: DynamoDB_20120810.PutItem`
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("unknown");
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        self.0.lock().expect("request log").push(operation);
        Ok(())
    }
}

pub fn dynamodb_config() -> aws_sdk_dynamodb::config::Builder {
    let endpoint =
        std::env::var("DYNAMODB_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:8000".to_owned());
    aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-central-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "tests"))
        .endpoint_url(endpoint)
        .http_client(shared::config::https_client())
}

/// Creates the template's tables once per test binary (on a runtime of its own, since each
/// test has its own runtime). Panics with a hint when DynamoDB Local is not running.
pub fn ensure_tables() {
    static READY: OnceLock<()> = OnceLock::new();
    READY.get_or_init(|| {
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a test runtime");
            runtime.block_on(async {
                let specs = admin::template::table_specs_from_file(
                    &workspace_root().join(admin::template::TEMPLATE_PATH),
                )
                .expect("infra/template.yaml is readable");
                admin::tables::ensure(&dynamodb_client(), &specs)
                    .await
                    .expect("DynamoDB Local is reachable (start it with `make test`)");
            });
        })
        .join()
        .expect("table setup finished");
    });
}

/// A merchant id no other test uses, so tests sharing tables never see each other's data.
pub fn unique_merchant(prefix: &str) -> MerchantId {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    MerchantId::parse(&format!("{prefix}-{}", &suffix[..12])).expect("valid merchant id")
}

/// Registers a fresh merchant and returns it with a new API key in clear.
pub async fn merchant_with_key<K: MerchantStore>(keys: &K, prefix: &str) -> (MerchantId, String) {
    let merchant = unique_merchant(prefix);
    admin::accounts::create_merchant(keys, merchant.clone(), format!("{prefix} e.V."), true)
        .await
        .expect("merchant created");
    let key = admin::accounts::create_key(keys, &merchant)
        .await
        .expect("key created");
    (merchant, key.expose().to_owned())
}
