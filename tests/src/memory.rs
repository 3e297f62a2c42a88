//! Every function's state on the in-memory backend, around one merchant with a key and the
//! demo form (with cards): handler tests and benchmarks without DynamoDB. The states are built
//! by the functions' own builder, on one wiring, so they all share the same records.

use shared::app::{
    ActionsState, FormPageState, FormPostState, FormsState, ListingState, Memory, PostRecordState,
    ProcessState, RecordsState, SessionApiState, Settings, State, VisitsState, Wiring,
};
use shared::form::{Form, FormStore};
use shared::ground::ids::{FormHash, MerchantId};
use shared::merchant::{ApiKeyRecord, Merchant, MerchantStore};
use shared::outbound::sandbox::SandboxProvider;
use shared::wire;

/// The in-memory stores, with the payment provider's test double.
pub type MemoryBackend = Memory<SandboxProvider>;

const SECRET: &[u8] = b"memory stack secret, 32 bytes or more";

/// One merchant's world in memory. Every state it hands out shares the same records.
pub struct MemoryStack {
    pub merchant: MerchantId,
    /// The merchant's API key in clear.
    pub key: String,
    pub form_hash: FormHash,
    pub wiring: Wiring<MemoryBackend>,
}

impl MemoryStack {
    pub async fn new() -> Self {
        let backend = Memory::new(SandboxProvider);
        let merchant = MerchantId::parse("memory-nonprofit").expect("valid");
        let now = shared::ground::time::now();
        backend
            .merchants
            .put_merchant(&Merchant {
                id: merchant.clone(),
                name: "Memory e.V.".into(),
                created_at: now,
                forms_enabled: true,
                creditor: Some(admin::seed::demo_creditor()),
            })
            .await
            .expect("merchant");
        let key = shared::merchant::ApiKey::generate().expect("os rng");
        backend
            .merchants
            .put_key(&ApiKeyRecord {
                key_hash: key.hash(),
                merchant_id: merchant.clone(),
                created_at: now,
                revoked: false,
            })
            .await
            .expect("key");
        let form_hash = FormHash::parse("memoryform2026").expect("valid");
        let demo = crate::demo_form_with_cards().to_string();
        backend
            .forms
            .put(&Form {
                definition: wire::forms::definition(&demo, &form_hash, &merchant)
                    .expect("demo form"),
                hash: form_hash.clone(),
                merchant_id: merchant.clone(),
                updated_at: now,
                creditor: None,
            })
            .await
            .expect("form stored");
        Self {
            merchant,
            key: key.expose().to_owned(),
            form_hash,
            wiring: Wiring {
                backend,
                settings: Settings::default(),
                secret: Some(SECRET.to_vec()),
            },
        }
    }

    /// A function's state, built as Lambda builds it.
    pub fn built<S: State<MemoryBackend>>(&self) -> S {
        S::build(&self.wiring).expect("the memory backend has every port")
    }

    pub fn records(&self) -> RecordsState<MemoryBackend> {
        self.built()
    }

    pub fn post_record(&self) -> PostRecordState<MemoryBackend> {
        self.built()
    }

    pub fn listing(&self) -> ListingState<MemoryBackend> {
        self.built()
    }

    pub fn forms_config(&self) -> FormsState<MemoryBackend> {
        self.built()
    }

    pub fn visits_state(&self) -> VisitsState<MemoryBackend> {
        self.built()
    }

    pub fn session_api(&self) -> SessionApiState<MemoryBackend> {
        self.built()
    }

    pub fn process(&self) -> ProcessState<MemoryBackend> {
        self.built()
    }

    pub fn actions(&self) -> ActionsState<MemoryBackend> {
        self.built()
    }

    pub fn form_page(&self) -> FormPageState<MemoryBackend> {
        self.built()
    }

    pub fn form_post(&self) -> FormPostState<MemoryBackend> {
        self.built()
    }
}
