//! The Session-API's documents (seeds `session-api-*.md`, `session-json.md`): parameters from
//! a query string, a form-encoded body (PHP `http_build_query`) or JSON, all alike, and the
//! session as an answer shows it.

mod params;
mod render;

pub use params::numbers_storable;
pub use params::{BODY_LIMIT, DEPTH_LIMIT, ParamsError, SessionParams, VALUE_LIMIT, decode};
pub use render::render;
