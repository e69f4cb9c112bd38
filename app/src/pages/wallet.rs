//! The wallet page: balance, lock state, recharge and withdraw, auto-lock, recent entries. The
//! wallet forms here are reused by the setup wizard.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::checks;
use crate::components::{FormAlert, FormErrors, Money, SignedIn, SubmitButton, TextField};
use crate::error::FormError;
use crate::views::{EntryRow, Moved, WalletView};
use crate::wallet::{
    LockWallet, RechargeWallet, SetAutoLock, UnlockWallet, WithdrawFromWallet, load_wallet_page,
};

#[component]
pub fn WalletPage() -> impl IntoView {
    view! {
        <Title text="Wallet · Twofold"/>
        <SignedIn>
            <WalletContent/>
        </SignedIn>
    }
}

/// The actions of the wallet page; the page data reloads after each.
#[derive(Clone, Copy)]
struct WalletActions {
    recharge: ServerAction<RechargeWallet>,
    withdraw: ServerAction<WithdrawFromWallet>,
    unlock: ServerAction<UnlockWallet>,
    lock: ServerAction<LockWallet>,
    auto_lock: ServerAction<SetAutoLock>,
    /// Reloads the page's data; for outcomes that arrive outside these actions.
    reload: Callback<()>,
}

impl WalletActions {
    fn new(reloads: RwSignal<usize>) -> Self {
        Self {
            recharge: ServerAction::new(),
            withdraw: ServerAction::new(),
            unlock: ServerAction::new(),
            lock: ServerAction::new(),
            auto_lock: ServerAction::new(),
            reload: Callback::new(move |()| reloads.update(|count| *count += 1)),
        }
    }

    /// Changes whenever any of the actions completes.
    fn version(&self) -> usize {
        self.recharge.version().get()
            + self.withdraw.version().get()
            + self.unlock.version().get()
            + self.lock.version().get()
            + self.auto_lock.version().get()
    }
}

#[component]
fn WalletContent() -> impl IntoView {
    let reloads = RwSignal::new(0);
    let actions = WalletActions::new(reloads);
    let page = Resource::new(
        move || (actions.version(), reloads.get()),
        |_| load_wallet_page(),
    );

    view! {
        <div class="page-heading">
            <h1>"Wallet"</h1>
            <p class="lede">
                "The wallet is where your money enters Twofold. Money for a model is moved from here into that model's funding; refunds come back here."
            </p>
        </div>
        <Transition>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => match data.wallet {
                        Some(wallet) => view! {
                            <WalletSections
                                wallet
                                entries=data.recent_entries
                                recharge_key=data.recharge_key
                                withdraw_key=data.withdraw_key
                                actions
                            />
                        }
                        .into_any(),
                        None => view! {
                            <section class="card">
                                <h2>"No wallet yet"</h2>
                                <p>"Set up your wallet first: choose a wallet passphrase and an auto-lock timeout."</p>
                                <a class="button button-primary button-inline" href="/setup">"Set up your wallet"</a>
                            </section>
                        }
                        .into_any(),
                    },
                    Err(error) => view! { <p class="form-alert" role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn WalletSections(
    wallet: WalletView,
    entries: Vec<EntryRow>,
    recharge_key: String,
    withdraw_key: String,
    actions: WalletActions,
) -> impl IntoView {
    let currency = wallet.currency.clone();

    view! {
        <section class="card balance-card" aria-labelledby="wallet-balance-heading">
            <h2 id="wallet-balance-heading" class="layer-label layer-wallet">"Wallet balance"</h2>
            <p class="balance-figure" data-test="wallet-balance">
                <Money amount=wallet.balance.clone() currency=currency.clone()/>
            </p>
            <p class="test-money-note">
                <span class="badge">"Test money"</span>
                " Recharges come from the sandbox funding source: nothing real is charged."
            </p>
            <LockState wallet=wallet.clone() actions/>
        </section>
        <div class="two-columns">
            <RechargeForm
                action=actions.recharge
                idempotency_key=recharge_key
                currency=currency.clone()
                on_done=actions.reload
            />
            <WithdrawForm
                action=actions.withdraw
                idempotency_key=withdraw_key
                currency=currency.clone()
                on_done=actions.reload
            />
        </div>
        <AutoLockForm action=actions.auto_lock minutes=wallet.auto_lock_minutes/>
        <RecentEntries entries currency/>
    }
}

#[component]
fn LockState(wallet: WalletView, actions: WalletActions) -> impl IntoView {
    if wallet.locked {
        view! {
            <div class="lock-state lock-state-locked" data-test="lock-state">
                <p>
                    <strong>"Locked."</strong>
                    " Recharge, withdraw, fund and refund need the wallet passphrase. Balances stay visible."
                </p>
                <UnlockForm action=actions.unlock resume=None/>
            </div>
        }
        .into_any()
    } else {
        let until = wallet.unlocked_until.unwrap_or_default();
        view! {
            <div class="lock-state" data-test="lock-state">
                <p>
                    <strong>"Unlocked"</strong>
                    {format!(
                        " until {until}. It locks itself after {} minutes without a wallet action, and when you log out.",
                        wallet.auto_lock_minutes,
                    )}
                </p>
                <ActionForm action=actions.lock attr:class="inline-form">
                    <SubmitButton
                        label="Lock now"
                        pending_label="Locking…"
                        pending=actions.lock.pending()
                        class="button button-small"
                    />
                </ActionForm>
            </div>
        }
        .into_any()
    }
}

/// What a locked wallet interrupted: the action, the amount and its idempotency token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    pub action: String,
    pub amount: String,
    pub idempotency_key: String,
}

impl Resume {
    /// The interrupted action kept in a `wallet_locked` error, if that is what the error is.
    pub fn from_error(error: &FormError) -> Option<Self> {
        (error.code == "wallet_locked").then(|| Self {
            action: error.kept("resume_action").unwrap_or_default(),
            amount: error.kept("amount").unwrap_or_default(),
            idempotency_key: error.kept("idempotency_key").unwrap_or_default(),
        })
    }
}

/// The unlock form. With `resume`, unlocking also carries out the interrupted action.
#[component]
pub fn UnlockForm(action: ServerAction<UnlockWallet>, resume: Option<Resume>) -> impl IntoView {
    let passphrase_id = match &resume {
        Some(resume) => format!("{}-unlock-passphrase", resume.action.replace(':', "-")),
        None => "unlock-passphrase".to_owned(),
    };
    let errors = FormErrors::new(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let button = if resume.is_some() {
        "Unlock and continue"
    } else {
        "Unlock"
    };

    view! {
        <ActionForm action attr:class="stack unlock-form" attr:novalidate=true attr:data-test="unlock-form">
            <FormAlert message=errors.general()/>
            {resume.map(|resume| view! {
                <input type="hidden" name="resume_action" value=resume.action/>
                <input type="hidden" name="resume_amount" value=resume.amount/>
                <input type="hidden" name="resume_key" value=resume.idempotency_key/>
            })}
            <TextField
                name="passphrase"
                id=passphrase_id
                label="Wallet passphrase"
                input_type="password"
                autocomplete="current-password"
                error=errors.field("passphrase")
            />
            <button type="submit" class="button button-primary" disabled=pending>
                {move || if pending.get() { "Unlocking…" } else { button }}
            </button>
        </ActionForm>
    }
}

/// The inside of an amount form: the outcome of the last submission, the amount field with
/// its error, the idempotency token and the button.
#[component]
fn AmountFields(
    /// Makes the field ids unique on the page, such as `recharge`.
    form: &'static str,
    button: &'static str,
    pending_label: &'static str,
    idempotency_key: String,
    currency: String,
    last: Signal<Option<Result<Moved, FormError>>>,
    pending: Signal<bool>,
) -> impl IntoView {
    let errors = FormErrors::new(move || last.get().and_then(Result::err));
    let done = move || last.get().and_then(Result::ok).map(|moved| moved.message);

    view! {
        <p class="form-status" role="status">{done}</p>
        <FormAlert message=errors.general()/>
        <input type="hidden" name="idempotency_key" value=idempotency_key/>
        <TextField
            name="amount"
            id=format!("{form}-amount")
            label="Amount"
            inputmode="decimal"
            autocomplete="off"
            hint=format!("In {currency}, with up to two decimals, such as 25.00.")
            value=errors.kept("amount").unwrap_or_default()
            error=errors.field("amount")
            check=checks::amount
        />
        <button type="submit" class="button button-primary" disabled=move || pending.get()>
            {move || if pending.get() { pending_label } else { button }}
        </button>
    }
}

/// Shown under a money form whose last submission met a locked wallet: unlock, and the action
/// goes on with what was typed. When it went through, its outcome becomes the form's outcome
/// and `on_done` runs (to reload the page's numbers).
#[component]
pub(crate) fn UnlockToResume(
    last: Signal<Option<Result<Moved, FormError>>>,
    /// Replaces the form's outcome with the resumed action's.
    set_last: Callback<Option<Result<Moved, FormError>>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let unlock = ServerAction::<UnlockWallet>::new();
    let resume = move || {
        last.get()
            .and_then(Result::err)
            .as_ref()
            .and_then(Resume::from_error)
    };
    Effect::new(move |_| {
        if let Some(Ok(resumed)) = unlock.value().get() {
            set_last.run(resumed.map(Ok));
            on_done.run(());
        }
    });

    view! { {move || resume().map(|resume| view! { <UnlockForm action=unlock resume=Some(resume)/> })} }
}

#[component]
pub fn RechargeForm(
    on_done: Callback<()>,
    action: ServerAction<RechargeWallet>,
    idempotency_key: String,
    currency: String,
) -> impl IntoView {
    let value = action.value();
    let last = Signal::derive(move || value.get());
    view! {
        <section class="card" aria-labelledby="recharge-heading">
            <h2 id="recharge-heading">"Recharge"</h2>
            <p class="muted">"Add money to the wallet from the sandbox funding source (test money)."</p>
            <ActionForm action attr:class="stack" attr:novalidate=true attr:data-test="recharge-form">
                <AmountFields
                    form="recharge"
                    button="Recharge wallet"
                    pending_label="Recharging…"
                    idempotency_key
                    currency
                    last
                    pending=action.pending().into()
                />
            </ActionForm>
            <UnlockToResume
                last
                set_last=Callback::new(move |outcome| value.set(outcome))
                on_done
            />
        </section>
    }
}

#[component]
pub fn WithdrawForm(
    on_done: Callback<()>,
    action: ServerAction<WithdrawFromWallet>,
    idempotency_key: String,
    currency: String,
) -> impl IntoView {
    let value = action.value();
    let last = Signal::derive(move || value.get());
    view! {
        <section class="card" aria-labelledby="withdraw-heading">
            <h2 id="withdraw-heading">"Withdraw"</h2>
            <p class="muted">"Send wallet money back to the funding source. Model funding is not touched."</p>
            <ActionForm action attr:class="stack" attr:novalidate=true attr:data-test="withdraw-form">
                <AmountFields
                    form="withdraw"
                    button="Withdraw"
                    pending_label="Withdrawing…"
                    idempotency_key
                    currency
                    last
                    pending=action.pending().into()
                />
            </ActionForm>
            <UnlockToResume
                last
                set_last=Callback::new(move |outcome| value.set(outcome))
                on_done
            />
        </section>
    }
}

/// The wallet's auto-lock timeout; on the wallet page and in the settings.
#[component]
pub fn AutoLockForm(action: ServerAction<SetAutoLock>, minutes: u32) -> impl IntoView {
    let errors = FormErrors::new(move || action.value().get().and_then(Result::err));
    let saved = move || {
        action
            .value()
            .get()
            .and_then(Result::ok)
            .map(|()| "Auto-lock saved.")
    };

    view! {
        <section class="card" aria-labelledby="auto-lock-heading">
            <h2 id="auto-lock-heading">"Wallet auto-lock"</h2>
            <p class="form-status" role="status">{saved}</p>
            <ActionForm action attr:class="stack inline-fields" attr:novalidate=true>
                <FormAlert message=errors.general()/>
                <TextField
                    name="auto_lock_minutes"
                    label="Lock the wallet after this many minutes without a wallet action"
                    inputmode="numeric"
                    hint="From 1 to 60 minutes."
                    value=errors.kept("auto_lock_minutes").unwrap_or_else(|| minutes.to_string())
                    error=errors.field("auto_lock_minutes")
                />
                <SubmitButton label="Save auto-lock" pending_label="Saving…" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn RecentEntries(entries: Vec<EntryRow>, currency: String) -> impl IntoView {
    if entries.is_empty() {
        return view! {
            <section class="card" aria-labelledby="recent-heading">
                <h2 id="recent-heading">"Recent wallet entries"</h2>
                <p class="muted">"Nothing has moved through the wallet yet."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card" aria-labelledby="recent-heading">
            <h2 id="recent-heading">"Recent wallet entries"</h2>
            <div class="table-scroll">
                <table class="entries" data-test="wallet-entries">
                    <thead>
                        <tr>
                            <th scope="col">"When"</th>
                            <th scope="col">"What"</th>
                            <th scope="col" class="numeric">"Amount"</th>
                            <th scope="col" class="numeric">"Fee"</th>
                            <th scope="col" class="numeric">"Wallet after"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {entries
                            .into_iter()
                            .map(|entry| {
                                let sign = if entry.incoming { "+" } else { "−" };
                                let what = match (&entry.model_name, entry.test_money) {
                                    (Some(model), _) => format!("{} · {model}", entry.kind_label),
                                    (None, true) => format!("{} · test money", entry.kind_label),
                                    (None, false) => entry.kind_label.clone(),
                                };
                                view! {
                                    <tr>
                                        <td>{entry.created_at}</td>
                                        <td>{what}</td>
                                        <td class="numeric">
                                            <Money amount=entry.amount currency=currency.clone() sign=sign/>
                                        </td>
                                        <td class="numeric">
                                            {entry.fee.map(|fee| view! { <Money amount=fee currency=currency.clone() sign="−"/> })}
                                        </td>
                                        <td class="numeric">
                                            <Money amount=entry.wallet_balance_after currency=currency.clone()/>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
