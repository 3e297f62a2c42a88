//! A backend whose stores and payment provider fail when a test says so, around any other
//! backend (DynamoDB Local or memory): every port is the inner backend's, seen through a
//! wrapper that counts down to an injected failure. Handler tests drive the real functions
//! through it to show that a crash at any step is finished by the next call, never doubled.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use shared::app::config::ConfigError;
use shared::app::{Backend, Wiring};
use shared::bank::{Claim, Collection, CollectionPage, CollectionStatus, CollectionStore};
use shared::cards::{
    Charge, ChargeOrder, EventRefused, PaymentOrder, PaymentProvider, ProviderError, ProviderEvent,
    ProviderPayment, RefundOrder, Refunded, Webhook,
};
use shared::dataset::{ContactPage, DataSet, DataSetStore, JsonElement, Page};
use shared::ground::ids::{DataSetGuid, EntityGuid, MerchantId};
use shared::ground::money::MethodKind;
use shared::ground::storage::StoreError;
use shared::ledger::{Applied, Donor, Payment};
use shared::listing::{PageLimit, Start, TimeBounds};
use shared::sepa::Debit;
use shared::session::{Claim as SessionClaim, PaymentSession, ProcessStore, Processed, Processing};

/// A step of processing where a failure is injected, once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessingFault {
    Claim,
    Commit,
    /// The commit is written, but its answer never arrives.
    CommitAnswerLost,
}

/// What fails, and what the provider was asked.
#[derive(Debug)]
pub struct Faults {
    /// DataSet replacements that still succeed; every one after fails.
    pub replacements_left: AtomicUsize,
    /// Collection claims that still succeed; every one after fails.
    pub claims_left: AtomicUsize,
    pub processing: Mutex<Option<ProcessingFault>>,
    /// Whether the provider's next new payment fails.
    pub payment_fails: Mutex<bool>,
    /// Every idempotency key the provider was asked to create a payment with.
    pub payment_keys: Mutex<Vec<String>>,
}

impl Default for Faults {
    /// Nothing fails.
    fn default() -> Self {
        Self {
            replacements_left: AtomicUsize::new(usize::MAX),
            claims_left: AtomicUsize::new(usize::MAX),
            processing: Mutex::new(None),
            payment_fails: Mutex::new(false),
            payment_keys: Mutex::new(Vec::new()),
        }
    }
}

impl Faults {
    fn strikes(&self, at: ProcessingFault) -> bool {
        let mut fault = self.processing.lock().expect("fault");
        let hit = *fault == Some(at);
        if hit {
            *fault = None;
        }
        hit
    }
}

/// Counts one use down; `true` once none is left.
fn spent(left: &AtomicUsize) -> bool {
    left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_err()
}

fn injected() -> StoreError {
    StoreError::backend("injected failure")
}

/// Backend `B`, with the failures of `faults`.
#[derive(Clone)]
pub struct Faulty<B> {
    pub inner: B,
    pub faults: Arc<Faults>,
}

impl<B: Backend + Clone> Faulty<B> {
    /// The wiring of `around` (its backend, settings and secret), failing as `faults` says.
    pub fn wiring(around: &Wiring<B>, faults: Faults) -> Wiring<Self> {
        around.with_backend(Self {
            inner: around.backend.clone(),
            faults: Arc::new(faults),
        })
    }
}

pub struct FaultyDataSets<D> {
    inner: D,
    faults: Arc<Faults>,
}

pub struct FaultyCollections<S> {
    inner: S,
    faults: Arc<Faults>,
}

pub struct FaultyProcessing<P> {
    inner: P,
    faults: Arc<Faults>,
}

/// The inner provider, failing a new payment when told, noting every key it was asked with.
pub struct WatchedPayments<P> {
    inner: P,
    faults: Arc<Faults>,
}

impl<B: Backend> Backend for Faulty<B> {
    type Merchants = B::Merchants;
    type Forms = B::Forms;
    type Sessions = B::Sessions;
    type Processing = FaultyProcessing<B::Processing>;
    type Visits = B::Visits;
    type DataSets = FaultyDataSets<B::DataSets>;
    type Idempotency = B::Idempotency;
    type Entities = B::Entities;
    type Changelogs = B::Changelogs;
    type Collections = FaultyCollections<B::Collections>;
    type Schedule = B::Schedule;
    type Payments = WatchedPayments<B::Payments>;

    fn merchants(&self) -> Result<Self::Merchants, ConfigError> {
        self.inner.merchants()
    }
    fn forms(&self) -> Result<Self::Forms, ConfigError> {
        self.inner.forms()
    }
    fn sessions(&self) -> Result<Self::Sessions, ConfigError> {
        self.inner.sessions()
    }
    fn processing(&self) -> Result<Self::Processing, ConfigError> {
        Ok(FaultyProcessing {
            inner: self.inner.processing()?,
            faults: self.faults.clone(),
        })
    }
    fn visits(&self) -> Result<Self::Visits, ConfigError> {
        self.inner.visits()
    }
    fn datasets(&self) -> Result<Self::DataSets, ConfigError> {
        Ok(FaultyDataSets {
            inner: self.inner.datasets()?,
            faults: self.faults.clone(),
        })
    }
    fn idempotency(&self) -> Result<Self::Idempotency, ConfigError> {
        self.inner.idempotency()
    }
    fn entities(&self) -> Result<Self::Entities, ConfigError> {
        self.inner.entities()
    }
    fn changelogs(&self) -> Result<Self::Changelogs, ConfigError> {
        self.inner.changelogs()
    }
    fn collections(&self) -> Result<Self::Collections, ConfigError> {
        Ok(FaultyCollections {
            inner: self.inner.collections()?,
            faults: self.faults.clone(),
        })
    }
    fn schedule(&self) -> Result<Self::Schedule, ConfigError> {
        self.inner.schedule()
    }
    fn payments(&self) -> Self::Payments {
        WatchedPayments {
            inner: self.inner.payments(),
            faults: self.faults.clone(),
        }
    }
}

impl<P: PaymentProvider> PaymentProvider for WatchedPayments<P> {
    fn methods(&self) -> &'static [MethodKind] {
        self.inner.methods()
    }
    async fn create_payment(
        &self,
        order: &PaymentOrder<'_>,
    ) -> Result<ProviderPayment, ProviderError> {
        self.faults
            .payment_keys
            .lock()
            .expect("keys")
            .push(order.key.to_owned());
        if std::mem::take(&mut *self.faults.payment_fails.lock().expect("fail")) {
            return Err(ProviderError::Refused("injected failure".into()));
        }
        self.inner.create_payment(order).await
    }
    async fn charge_saved(&self, order: &ChargeOrder<'_>) -> Result<Charge, ProviderError> {
        self.inner.charge_saved(order).await
    }
    async fn refund(&self, order: &RefundOrder<'_>) -> Result<Refunded, ProviderError> {
        self.inner.refund(order).await
    }
    async fn read_event(&self, webhook: &Webhook<'_>) -> Result<ProviderEvent, EventRefused> {
        self.inner.read_event(webhook).await
    }
}

impl<D: DataSetStore> DataSetStore for FaultyDataSets<D> {
    async fn insert(&self, dataset: &DataSet) -> Result<(), StoreError> {
        self.inner.insert(dataset).await
    }
    async fn get(&self, m: &MerchantId, g: &DataSetGuid) -> Result<Option<DataSet>, StoreError> {
        self.inner.get(m, g).await
    }
    async fn replace_json_element(
        &self,
        m: &MerchantId,
        g: &DataSetGuid,
        element: &JsonElement,
        at: jiff::Timestamp,
    ) -> Result<Option<DataSet>, StoreError> {
        if spent(&self.faults.replacements_left) {
            return Err(injected());
        }
        self.inner.replace_json_element(m, g, element, at).await
    }
    async fn for_contact(
        &self,
        m: &MerchantId,
        c: &EntityGuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ContactPage, StoreError> {
        self.inner.for_contact(m, c, after, limit).await
    }
    async fn move_to_contact(
        &self,
        m: &MerchantId,
        g: &DataSetGuid,
        from: &EntityGuid,
        to: &EntityGuid,
    ) -> Result<bool, StoreError> {
        self.inner.move_to_contact(m, g, from, to).await
    }
    async fn list(
        &self,
        m: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: PageLimit,
    ) -> Result<Page, StoreError> {
        self.inner.list(m, bounds, start, limit).await
    }
}

impl<S: CollectionStore> CollectionStore for FaultyCollections<S> {
    async fn pending(
        &self,
        m: &MerchantId,
        until: Date,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        self.inner.pending(m, until, limit).await
    }
    async fn begin(&self, c: &Collection) -> Result<bool, StoreError> {
        self.inner.begin(c).await
    }
    async fn building(&self, m: &MerchantId) -> Result<Vec<Collection>, StoreError> {
        self.inner.building(m).await
    }
    async fn lease(
        &self,
        c: &Collection,
        o: Uuid,
        u: jiff::Timestamp,
        n: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        self.inner.lease(c, o, u, n).await
    }
    async fn claim(
        &self,
        c: &Collection,
        o: Uuid,
        u: jiff::Timestamp,
        claims: &[Claim],
        bytes: u64,
    ) -> Result<Applied, StoreError> {
        if spent(&self.faults.claims_left) {
            return Err(injected());
        }
        self.inner.claim(c, o, u, claims, bytes).await
    }
    async fn finish(&self, c: &Collection, o: Uuid) -> Result<bool, StoreError> {
        self.inner.finish(c, o).await
    }
    async fn discard(&self, c: &Collection, o: Uuid) -> Result<bool, StoreError> {
        self.inner.discard(c, o).await
    }
    async fn get(&self, m: &MerchantId, id: &str) -> Result<Option<Collection>, StoreError> {
        self.inner.get(m, id).await
    }
    async fn debits(&self, c: &Collection) -> Result<Vec<Debit>, StoreError> {
        self.inner.debits(c).await
    }
    async fn settle(
        &self,
        c: &Collection,
        to: CollectionStatus,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        self.inner.settle(c, to, now).await
    }
    async fn members(
        &self,
        c: &Collection,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Payment>, Option<String>), StoreError> {
        self.inner.members(c, after, limit).await
    }
    async fn list(
        &self,
        m: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: usize,
    ) -> Result<CollectionPage, StoreError> {
        self.inner.list(m, bounds, start, limit).await
    }
}

impl<P: ProcessStore> ProcessStore for FaultyProcessing<P> {
    async fn claim(
        &self,
        read: &PaymentSession,
        claim: &SessionClaim,
        now: Timestamp,
    ) -> Result<Processing, StoreError> {
        if self.faults.strikes(ProcessingFault::Claim) {
            return Err(injected());
        }
        self.inner.claim(read, claim, now).await
    }

    async fn commit(
        &self,
        claimed: &PaymentSession,
        processed: &Processed,
        dataset: &DataSet,
        donor: &Donor,
    ) -> Result<Processing, StoreError> {
        if self.faults.strikes(ProcessingFault::Commit) {
            return Err(injected());
        }
        let written = self
            .inner
            .commit(claimed, processed, dataset, donor)
            .await?;
        if self.faults.strikes(ProcessingFault::CommitAnswerLost) {
            return Err(injected());
        }
        Ok(written)
    }
}
