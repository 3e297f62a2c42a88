//! Recording a posted DataSet, retry-safe when the client sends an `Idempotency-Key`.

use jiff::Timestamp;

use super::{DataSet, DataSetStore, NewDataSet};
use crate::ground::ids::{DataSetGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::idempotency::{
    Fingerprint, IdempotencyKey, IdempotencyStore, KEY_LIFETIME, Reservation,
};

/// A DataSet as recorded, and whether this request only repeated an earlier one.
#[derive(Debug)]
pub struct Recorded {
    pub dataset: DataSet,
    pub replayed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(
        "this Idempotency-Key was used within the last 24 hours for a request with another body; \
         use a new key for a new DataSet"
    )]
    KeyReused,
    #[error("storage failed")]
    Store(#[from] StoreError),
}

/// A key and what the request was, when the client asked for a retry-safe write.
pub struct Retry {
    pub key: IdempotencyKey,
    pub fingerprint: Fingerprint,
}

/// Records `new` for `merchant`. With a retry key, the first request reserves the key for the
/// DataSet's guid before writing it; a repeat answers that DataSet (writing it first when the
/// first attempt stopped in between), a reuse with another body is refused.
pub async fn record<D: DataSetStore, I: IdempotencyStore>(
    datasets: &D,
    idempotency: &I,
    merchant: MerchantId,
    new: NewDataSet,
    retry: Option<Retry>,
    now: Timestamp,
) -> Result<Recorded, RecordError> {
    let mut dataset = new.into_dataset(merchant, now);
    let Some(retry) = retry else {
        datasets.insert(&dataset).await?;
        return Ok(Recorded {
            dataset,
            replayed: false,
        });
    };
    let scoped = retry.key.scoped(&dataset.merchant_id);
    let expires = now.saturating_add(KEY_LIFETIME).unwrap_or(now);
    let reservation = idempotency
        .reserve(
            &scoped,
            &retry.fingerprint,
            &dataset.guid.to_string(),
            now,
            expires,
        )
        .await?;
    let first = match reservation {
        Reservation::Fresh => None,
        Reservation::Taken {
            fingerprint,
            resource,
        } if fingerprint == retry.fingerprint => Some(
            DataSetGuid::parse(&resource)
                .map_err(|e| StoreError::corrupt("reserved DataSet guid", e))?,
        ),
        Reservation::Taken { .. } => return Err(RecordError::KeyReused),
    };
    let Some(guid) = first else {
        datasets.insert(&dataset).await?;
        return Ok(Recorded {
            dataset,
            replayed: false,
        });
    };
    if let Some(earlier) = datasets.get(&dataset.merchant_id, &guid).await? {
        return Ok(Recorded {
            dataset: earlier,
            replayed: true,
        });
    }
    // The first attempt reserved the key but never wrote: write its DataSet now, unless a
    // concurrent repeat just did.
    dataset.guid = guid;
    match datasets.insert(&dataset).await {
        Ok(()) => Ok(Recorded {
            dataset,
            replayed: true,
        }),
        Err(StoreError::AlreadyExists) => datasets
            .get(&dataset.merchant_id, &guid)
            .await?
            .map(|earlier| Recorded {
                dataset: earlier,
                replayed: true,
            })
            .ok_or_else(|| StoreError::corrupt_without_cause("DataSet vanished").into()),
        Err(err) => Err(err.into()),
    }
}
