//! The [`Funding`] service: one cloneable handle that the server and the pages call for every
//! rule. Its methods live beside their feature area (`wallet`, `model_funding`, `holds`,
//! `entries`); this file holds what they share.

use std::fmt;
use std::sync::Arc;

use sqlx::SqliteConnection;
use time::OffsetDateTime;

use crate::catalog::{Catalog, Model};
use crate::clock::{Clock, from_micros, to_micros};
use crate::db::Db;
use crate::error::FundingError;
use crate::ids::{ModelId, UserId};
use crate::money::{Amount, AmountError};
use crate::settings::Settings;
use crate::source::{FundingSource, SandboxSource};

/// Every funding rule, over one database, clock, settings, catalog and funding source.
///
/// Each money operation runs in one write transaction: guards first (each failing with its own
/// [`FundingError`]), then the writes, then the idempotent outcome is stored and committed.
#[derive(Clone)]
pub struct Funding {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) settings: Arc<Settings>,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) source: Arc<dyn FundingSource>,
}

impl fmt::Debug for Funding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Funding")
            .field("settings", &self.settings)
            .field("models", &self.catalog.models().len())
            .finish_non_exhaustive()
    }
}

impl Funding {
    /// A service using the sandbox funding source; see [`Funding::with_source`].
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: Settings, catalog: Catalog) -> Self {
        Self {
            db,
            clock,
            settings: Arc::new(settings),
            catalog: Arc::new(catalog),
            source: Arc::new(SandboxSource),
        }
    }

    /// Replaces the funding source used by recharges and withdrawals.
    pub fn with_source(mut self, source: Arc<dyn FundingSource>) -> Self {
        self.source = source;
        self
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The catalog's models, in catalog order.
    pub fn models(&self) -> &[Model] {
        self.catalog.models()
    }

    /// Now, truncated to the microseconds the store keeps, so what a call returns equals what
    /// a later read returns. A movement reads it after taking the write lock: one that waited
    /// for the lock must judge expiry, lock windows and auto-lock at the moment it runs, or it
    /// could settle a hold that every read since has shown as released.
    pub fn now(&self) -> OffsetDateTime {
        from_micros(to_micros(self.clock.now()))
    }

    /// The catalog model `model_id`, or [`FundingError::UnknownModel`].
    pub(crate) fn model(&self, model_id: &ModelId) -> Result<&Model, FundingError> {
        self.catalog
            .model(model_id)
            .ok_or_else(|| FundingError::UnknownModel {
                model_id: model_id.clone(),
            })
    }

    /// Re-checks an amount the edge parsed: above zero and at most the maximum per operation.
    pub(crate) fn check_amount(&self, amount: Amount) -> Result<(), FundingError> {
        let error = if amount.is_zero() {
            AmountError::Zero
        } else if amount > self.settings.max_amount {
            AmountError::AboveMaximum {
                maximum: self.settings.max_amount,
            }
        } else {
            return Ok(());
        };
        Err(FundingError::InvalidAmount {
            field: "amount",
            source: error,
        })
    }
}

/// [`FundingError::UserNotFound`] unless the user exists.
pub(crate) async fn require_user(
    conn: &mut SqliteConnection,
    user: UserId,
) -> Result<(), FundingError> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)")
        .bind(user.0)
        .fetch_one(&mut *conn)
        .await?;
    if exists {
        Ok(())
    } else {
        Err(FundingError::UserNotFound)
    }
}

/// The shortfall error for paying `needed` from `available`.
pub(crate) fn insufficient(needed: Amount, available: Amount) -> FundingError {
    FundingError::InsufficientFunds {
        needed,
        available,
        shortfall: needed.saturating_sub(available),
    }
}
