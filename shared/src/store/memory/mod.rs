//! In-memory stores for fast handler tests. Same contract as DynamoDB, no persistence. Each is
//! a cheap handle on shared state, as a DynamoDB client is: clones see the same records.

mod accounts;
mod collections;
mod datasets;
mod entities;
mod filed;
mod listing;
mod schedule;
mod sessions;
mod visits;

pub use accounts::{MemoryForms, MemoryMerchants};
pub use collections::MemoryCollections;
pub use datasets::MemoryDataSets;
pub use entities::{MemoryChangelogs, MemoryEntities};
pub use schedule::MemorySchedule;
pub use sessions::{MemoryProcessing, MemorySessions};
pub use visits::{MemoryIdempotency, MemoryVisits};

use std::sync::{Mutex, MutexGuard};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
