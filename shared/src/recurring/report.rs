//! What a daily run did, as its handler answers it.

use serde::Serialize;

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub payments: u64,
    pub held: u64,
    pub collected: u64,
    pub skipped: u64,
}
