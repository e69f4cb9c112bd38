//! Where a user stands on the onboarding path: account → wallet → recharge → primary model →
//! initial funds → done. The step is derived from real state (the wallet, the ledger, the
//! primary model), so leaving and coming back lands on the right step; the only thing stored
//! is which optional steps the user skipped.

use serde::{Deserialize, Serialize};

use crate::clock::to_micros;
use crate::error::FundingError;
use crate::ids::UserId;
use crate::model_funding::Setup;
use crate::service::Funding;

/// The steps of the onboarding wizard, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetupStep {
    Wallet,
    Recharge,
    Model,
    Fund,
    Done,
}

impl SetupStep {
    pub const ALL: [SetupStep; 5] = [
        SetupStep::Wallet,
        SetupStep::Recharge,
        SetupStep::Model,
        SetupStep::Fund,
        SetupStep::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wallet => "wallet",
            Self::Recharge => "recharge",
            Self::Model => "model",
            Self::Fund => "fund",
            Self::Done => "done",
        }
    }
}

/// An optional step a user may skip for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkippableStep {
    Recharge,
    Model,
    Fund,
}

impl SkippableStep {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recharge => "recharge",
            Self::Model => "model",
            Self::Fund => "fund",
        }
    }

    /// The step named `text`, such as `model`; `None` for the wallet, done or anything else.
    pub fn parse(text: &str) -> Option<SkippableStep> {
        [Self::Recharge, Self::Model, Self::Fund]
            .into_iter()
            .find(|step| step.as_str() == text)
    }
}

/// The setup facts plus the skips: everything the wizard decides from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupProgress {
    pub setup: Setup,
    pub recharge_skipped: bool,
    pub model_skipped: bool,
    pub fund_skipped: bool,
}

impl SetupProgress {
    /// The first step not done or skipped. The wallet cannot be skipped: it is the one step
    /// every user needs. Funding needs a primary model, so skipping the model step passes over
    /// the funding step too.
    pub fn current_step(&self) -> SetupStep {
        let setup = &self.setup;
        let has_model = setup.primary_model_id.is_some();
        if !setup.wallet_created {
            SetupStep::Wallet
        } else if !setup.wallet_recharged && !self.recharge_skipped {
            SetupStep::Recharge
        } else if !has_model && !self.model_skipped {
            SetupStep::Model
        } else if has_model && !setup.primary_model_funded && !self.fund_skipped {
            SetupStep::Fund
        } else {
            SetupStep::Done
        }
    }

    /// Whether the user went through the whole path, doing or skipping each step.
    pub fn is_finished(&self) -> bool {
        self.current_step() == SetupStep::Done
    }
}

impl Funding {
    /// Where `user` stands on the onboarding path.
    pub async fn setup_progress(&self, user: UserId) -> Result<SetupProgress, FundingError> {
        let setup = self.setup(user).await?;
        let skipped: Vec<String> =
            sqlx::query_scalar("SELECT step FROM setup_skips WHERE user_id = ?1")
                .bind(user.0)
                .fetch_all(self.db.reader())
                .await?;
        let was_skipped = |step: SkippableStep| skipped.iter().any(|s| s == step.as_str());
        Ok(SetupProgress {
            setup,
            recharge_skipped: was_skipped(SkippableStep::Recharge),
            model_skipped: was_skipped(SkippableStep::Model),
            fund_skipped: was_skipped(SkippableStep::Fund),
        })
    }

    /// Records that `user` skipped `step` for now. Skipping twice changes nothing.
    #[tracing::instrument(skip(self), fields(user.id = %user))]
    pub async fn skip_setup_step(
        &self,
        user: UserId,
        step: SkippableStep,
    ) -> Result<(), FundingError> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO setup_skips (user_id, step, skipped_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id, step) DO NOTHING",
        )
        .bind(user.0)
        .bind(step.as_str())
        .bind(to_micros(self.clock.now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(step = step.as_str(), "setup step skipped");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ModelId;

    fn progress(
        wallet_created: bool,
        wallet_recharged: bool,
        primary: bool,
        primary_model_funded: bool,
        recharge_skipped: bool,
        model_skipped: bool,
        fund_skipped: bool,
    ) -> SetupProgress {
        SetupProgress {
            setup: Setup {
                wallet_created,
                wallet_recharged,
                primary_model_id: primary.then(|| ModelId("m".into())),
                primary_model_funded,
            },
            recharge_skipped,
            model_skipped,
            fund_skipped,
        }
    }

    #[test]
    fn the_step_is_the_first_one_neither_done_nor_skipped() {
        use SetupStep::*;
        let cases = [
            (
                "new user",
                progress(false, false, false, false, false, false, false),
                Wallet,
            ),
            (
                "wallet only",
                progress(true, false, false, false, false, false, false),
                Recharge,
            ),
            (
                "recharge skipped",
                progress(true, false, false, false, true, false, false),
                Model,
            ),
            (
                "recharged",
                progress(true, true, false, false, false, false, false),
                Model,
            ),
            (
                "model chosen",
                progress(true, true, true, false, false, false, false),
                Fund,
            ),
            (
                "funding skipped",
                progress(true, true, true, false, false, false, true),
                Done,
            ),
            (
                "funded",
                progress(true, true, true, true, false, false, false),
                Done,
            ),
            (
                "skips cannot skip the wallet",
                progress(false, false, false, false, true, true, true),
                Wallet,
            ),
            (
                "a model is picked unless its step was skipped",
                progress(true, false, false, false, true, false, true),
                Model,
            ),
            (
                "skipping the model passes over the funding",
                progress(true, false, false, false, true, true, false),
                Done,
            ),
            (
                "a model picked after skipping asks for funds",
                progress(true, true, true, false, false, true, false),
                Fund,
            ),
        ];
        for (name, progress, expected) in cases {
            assert_eq!(progress.current_step(), expected, "{name}");
        }
    }
}
