//! The sans-IO coordination protocol (quinn-proto style: `handle_*` in, `poll_*` out,
//! time as a parameter).
//!
//! - [`layout`]: where each piece of a stack lives in the coordinator.
//! - [`record`]: the bytes of each node and their decoding.
//! - [`machine`]: the state machine of one client session: waits (one value, a fixed
//!   gather, the current members of a group), change notification, idempotent versioned
//!   publication, failure propagation and re-arming after a session loss.
//!
//! docs/protocol.md describes the protocol as a whole.

pub mod layout;
pub mod machine;
pub mod record;

pub use layout::Layout;
pub use machine::{
    Command, Created, Event, Found, Machine, Node, Nodes, OpId, Publication, Target, Updated,
    WaitId, WaitOutcome,
};
pub use record::{DecodeError, Failure, Liveness, Record, RoleStatus};

#[cfg(test)]
mod machine_tests;
