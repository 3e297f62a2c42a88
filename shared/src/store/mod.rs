//! Storage adapters: the domain's storage ports implemented over DynamoDB (production,
//! integration tests) and in memory (fast handler tests). Both pass the same contract tests
//! (`tests/src/contract.rs`). No domain module imports this one.

pub mod dynamo;
pub mod memory;
