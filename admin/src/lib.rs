//! Operator tooling behind the `admin` binary, as a library so tests run the same code:
//! tables from the SAM template, merchants and API keys, and the local demo seed.

pub mod accounts;
pub mod forms;
pub mod seed;
pub mod tables;
pub mod template;
