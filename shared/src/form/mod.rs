//! Donation forms: their configuration, the rules it follows, and how donors reach them.

mod catalog;
mod definition;
mod ports;

pub use catalog::{Channel, FORM_CACHE_TTL, FormCatalog, FormUnusable};
pub use definition::*;
pub use ports::{FormStore, FormWrite};
