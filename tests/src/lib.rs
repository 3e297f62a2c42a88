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

use shared::app::Backend;
use shared::cards::PaymentProvider;
use shared::form::FormStore;
use shared::ground::ids::{FormHash, MerchantId};
use shared::merchant::MerchantStore;
use shared::outbound::sandbox::SandboxProvider;
use shared::store::dynamo::DynamoEntities;

pub mod capacity;
pub mod contract;
pub mod donors;
pub mod entity_contract;
pub mod events;
pub mod faults;
pub mod gateway;
pub mod local;
pub mod memory;
pub mod sepa;
pub mod streams;

pub use local::*;

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
    wiring_in(client, table)
        .backend
        .entities()
        .expect("the local wiring has every table")
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

/// Where the tests leave every pain.008 file they make: `make test` validates them all
/// against the official XSD afterwards (`PAIN008_DIR`, else `target/pain008`).
pub fn keep_pain008(name: &str, xml: &[u8]) {
    let dir = std::env::var_os("PAIN008_DIR")
        .map_or_else(|| workspace_root().join("target/pain008"), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("pain.008 directory");
    std::fs::write(dir.join(format!("{name}.xml")), xml).expect("pain.008 file written");
}

/// Where the tests leave every bank report they upload: `make test` validates them all
/// against the schemas in `tests/iso20022/` afterwards (`BANK_REPORTS_DIR`, else
/// `target/bank-reports`).
pub fn keep_bank_report(name: &str, xml: &str) {
    let dir = std::env::var_os("BANK_REPORTS_DIR").map_or_else(
        || workspace_root().join("target/bank-reports"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).expect("bank reports directory");
    std::fs::write(dir.join(format!("{name}.xml")), xml).expect("bank report written");
}

/// A form hash no other test uses.
pub fn unique_form_hash() -> FormHash {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    FormHash::parse(&format!("test{}", &suffix[..16])).expect("valid form hash")
}

/// The demo donation form (`admin/demo-form.json`) with what the payment provider's test
/// double takes besides SEPA: card and PayPal.
pub fn demo_form_with_cards() -> serde_json::Value {
    let mut form: serde_json::Value =
        serde_json::from_str(admin::seed::DEMO_FORM_JSON).expect("demo form is JSON");
    form["paymentMethods"] = serde_json::json!(["sepa_direct_debit", "credit_card", "paypal"]);
    let fields = form["fields"].as_array_mut().expect("fields");
    let method = fields
        .iter_mut()
        .find(|f| f["name"] == "payment_method")
        .expect("a payment_method field");
    let options = method["options"].as_array_mut().expect("options");
    options.push(serde_json::json!({"value": "credit_card", "label": {"de": "Kreditkarte", "en": "Credit card"}}));
    options.push(serde_json::json!({"value": "paypal", "label": {"de": "PayPal", "en": "PayPal"}}));
    form
}

/// A fresh merchant with a key and the demo donation form with cards
/// ([`demo_form_with_cards`]), changed by `edit` first.
pub async fn merchant_with_form<F: FormStore, K: MerchantStore>(
    forms: &F,
    keys: &K,
    edit: impl FnOnce(&mut serde_json::Value),
) -> (MerchantId, String, FormHash) {
    let (merchant, key) = merchant_with_key(keys, "sessions").await;
    keys.set_creditor(&merchant, &admin::seed::demo_creditor())
        .await
        .expect("creditor settings stored");
    let mut form = demo_form_with_cards();
    edit(&mut form);
    let hash = unique_form_hash();
    admin::forms::put_form(
        forms,
        keys,
        &form.to_string(),
        hash.clone(),
        merchant.clone(),
        SandboxProvider.methods(),
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
        .http_client(shared::app::config::https_client())
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
