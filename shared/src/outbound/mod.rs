//! Adapters that talk to something other than DynamoDB, each behind a port of the domain that
//! needs it, with a test double beside it: the payment provider (`cards::PaymentProvider`;
//! Stripe is next), later donor email through SES. Production wires no test double: they are
//! compiled only with the `test-doubles` feature, which only the tests enable.

#[cfg(feature = "test-doubles")]
pub mod sandbox;
