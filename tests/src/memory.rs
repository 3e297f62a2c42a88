//! Every function's state on the in-memory adapters, around one merchant with a key and the
//! demo form: handler tests and benchmarks without DynamoDB.

use jiff::SignedDuration;
use jiff::tz::TimeZone;

use shared::app::{
    ACTION_BUDGET, ActionsState, ChangelogListingState, ChangelogState, ContactsState,
    FormPageState, FormPostState, FormsState, ListingState, PostRecordState, ProcessState,
    RecordsState, SessionApiState, VisitsState,
};
use shared::cards::SandboxProvider;
use shared::form::{Form, FormCatalog, FormDefinition, FormStore};
use shared::ground::ids::{FormHash, MerchantId};
use shared::listing::TokenSigner;
use shared::merchant::{ApiKeyRecord, Authenticator, Merchant, MerchantStore};
use shared::store::memory::{
    MemoryChangelogs, MemoryDataSets, MemoryEntities, MemoryForms, MemoryIdempotency,
    MemoryMerchants, MemoryProcessing, MemorySessions, MemoryVisits,
};
use shared::visit::LinkSigner;

const DEMO_FORM: &str = include_str!("../../admin/demo-form.json");
const SECRET: &[u8] = b"memory stack secret, 32 bytes or more";

/// One merchant's world in memory. Every state it hands out shares the same records.
pub struct MemoryStack {
    pub merchant: MerchantId,
    /// The merchant's API key in clear.
    pub key: String,
    pub form_hash: FormHash,
    pub keys: MemoryMerchants,
    pub forms: MemoryForms,
    pub sessions: MemorySessions,
    pub datasets: MemoryDataSets,
    pub visits: MemoryVisits,
    pub idempotency: MemoryIdempotency,
    /// Entities and changelog, recording into `datasets`.
    pub entities: MemoryEntities,
}

pub type MemoryProcessState = ProcessState<
    MemorySessions,
    MemoryProcessing,
    MemoryVisits,
    MemoryForms,
    MemoryMerchants,
    SandboxProvider,
>;

fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").expect("bundled tzdb")
}

const SESSION_TTL: SignedDuration = SignedDuration::from_hours(48);

impl MemoryStack {
    pub async fn new() -> Self {
        let merchant = MerchantId::parse("memory-nonprofit").expect("valid");
        let now = shared::ground::time::now();
        let keys = MemoryMerchants::default();
        keys.put_merchant(&Merchant {
            id: merchant.clone(),
            name: "Memory e.V.".into(),
            created_at: now,
            forms_enabled: true,
            creditor: Some(admin::seed::demo_creditor()),
        })
        .await
        .expect("merchant");
        let key = shared::merchant::ApiKey::generate().expect("os rng");
        keys.put_key(&ApiKeyRecord {
            key_hash: key.hash(),
            merchant_id: merchant.clone(),
            created_at: now,
            revoked: false,
        })
        .await
        .expect("key");
        let form_hash = FormHash::parse("memoryform2026").expect("valid");
        let forms = MemoryForms::default();
        forms
            .put(&Form {
                definition: FormDefinition::from_json(DEMO_FORM, &form_hash, &merchant)
                    .expect("demo form"),
                hash: form_hash.clone(),
                merchant_id: merchant.clone(),
                updated_at: now,
                creditor: None,
            })
            .await
            .expect("form stored");
        let datasets = MemoryDataSets::default();
        Self {
            merchant,
            key: key.expose().to_owned(),
            form_hash,
            keys,
            forms,
            sessions: MemorySessions::default(),
            entities: MemoryEntities::recording_into(datasets.clone()),
            datasets,
            visits: MemoryVisits::default(),
            idempotency: MemoryIdempotency::default(),
        }
    }

    fn catalog(&self) -> FormCatalog<MemoryForms, MemoryMerchants> {
        FormCatalog::new(self.forms.clone(), self.keys.clone())
    }

    fn auth(&self) -> Authenticator<MemoryMerchants> {
        Authenticator::new(self.keys.clone())
    }

    pub fn records(&self) -> RecordsState<MemoryDataSets, MemoryMerchants> {
        RecordsState {
            datasets: self.datasets.clone(),
            auth: self.auth(),
            time_zone: berlin(),
        }
    }

    pub fn post_record(
        &self,
    ) -> PostRecordState<MemoryDataSets, MemoryIdempotency, MemoryMerchants> {
        PostRecordState {
            datasets: self.datasets.clone(),
            idempotency: self.idempotency.clone(),
            auth: self.auth(),
            time_zone: berlin(),
        }
    }

    pub fn listing(&self) -> ListingState<MemoryDataSets, MemoryMerchants> {
        ListingState {
            datasets: self.datasets.clone(),
            auth: self.auth(),
            time_zone: berlin(),
            signer: TokenSigner::new(SECRET),
        }
    }

    pub fn forms_config(&self) -> FormsState<MemoryForms, MemoryMerchants> {
        FormsState {
            forms: self.forms.clone(),
            auth: self.auth(),
            time_zone: berlin(),
        }
    }

    pub fn visits_state(&self) -> VisitsState<MemoryVisits, MemoryMerchants> {
        VisitsState {
            visits: self.visits.clone(),
            auth: self.auth(),
            time_zone: berlin(),
            ttl: SignedDuration::from_hours(24 * 30),
            links: LinkSigner::new(SECRET),
        }
    }

    pub fn session_api(&self) -> SessionApiState<MemorySessions, MemoryForms, MemoryMerchants> {
        SessionApiState {
            sessions: self.sessions.clone(),
            forms: self.catalog(),
            auth: self.auth(),
            time_zone: berlin(),
            session_ttl: SESSION_TTL,
            links: LinkSigner::new(SECRET),
        }
    }

    pub fn process(&self) -> MemoryProcessState {
        ProcessState {
            sessions: self.sessions.clone(),
            processing: MemoryProcessing {
                sessions: self.sessions.clone(),
                entities: self.entities.clone(),
            },
            visits: self.visits.clone(),
            forms: self.catalog(),
            provider: SandboxProvider,
            time_zone: berlin(),
            session_ttl: SESSION_TTL,
        }
    }

    pub fn actions(
        &self,
    ) -> ActionsState<
        MemoryEntities,
        MemoryDataSets,
        MemoryChangelogs,
        MemoryVisits,
        MemoryIdempotency,
        MemoryMerchants,
    > {
        ActionsState {
            entities: self.entities.clone(),
            datasets: self.datasets.clone(),
            changelogs: self.entities.changelogs.clone(),
            visits: self.visits.clone(),
            idempotency: self.idempotency.clone(),
            auth: self.auth(),
            time_zone: berlin(),
            budget: ACTION_BUDGET,
        }
    }

    pub fn contacts(&self) -> ContactsState<MemoryEntities, MemoryDataSets, MemoryMerchants> {
        ContactsState {
            entities: self.entities.clone(),
            datasets: self.datasets.clone(),
            auth: self.auth(),
            time_zone: berlin(),
        }
    }

    pub fn changelog(&self) -> ChangelogState<MemoryChangelogs, MemoryMerchants> {
        ChangelogState {
            changelogs: self.entities.changelogs.clone(),
            auth: self.auth(),
            time_zone: berlin(),
        }
    }

    pub fn changelog_listing(&self) -> ChangelogListingState<MemoryChangelogs, MemoryMerchants> {
        ChangelogListingState {
            changelogs: self.entities.changelogs.clone(),
            auth: self.auth(),
            time_zone: berlin(),
            signer: TokenSigner::changelogs(SECRET),
        }
    }

    pub fn form_page(&self) -> FormPageState<MemorySessions, MemoryForms, MemoryMerchants> {
        FormPageState {
            sessions: self.sessions.clone(),
            forms: self.catalog(),
            time_zone: berlin(),
            session_ttl: SESSION_TTL,
            csrf_key: SECRET.to_vec(),
        }
    }

    pub fn form_post(
        &self,
    ) -> FormPostState<
        MemorySessions,
        MemoryProcessing,
        MemoryVisits,
        MemoryForms,
        MemoryMerchants,
        SandboxProvider,
    > {
        FormPostState {
            process: self.process(),
            csrf_key: SECRET.to_vec(),
        }
    }
}
