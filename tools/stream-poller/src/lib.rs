//! Lambda's DynamoDB event source mapping, played locally (DESIGN.md §10): DynamoDB Local
//! serves the Streams API, and nothing else hands its records to a function. The poller reads
//! a function's mapping out of `infra/template.yaml` (table, starting position, batch size,
//! retries, bisection, filter), follows the table's stream shard by shard, keeps the records
//! the filter lets through, and hands them in batches to the function: through
//! `cargo lambda watch`'s invoke API in `make dev` and `make test` (the binary), or to its
//! handler in-process in the tests (the library). Local only: no function links it.

pub mod api;
pub mod filter;
pub mod mapping;
pub mod poller;

pub use api::{Position, StreamsApi};
pub use filter::{Filter, FilterError};
pub use mapping::{Mapping, MappingError};
pub use poller::{Function, FunctionError, Poller, PollerError, Running};
