//! Twofold's domain core: money, the double-entry ledger, the funding rules and the SQLite store
//! that keeps them. Nothing here knows about HTTP or Leptos; the server and the pages call in.

pub mod clock;
pub mod db;
pub mod ids;
pub mod secret;
