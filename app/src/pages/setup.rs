//! The onboarding wizard at `/setup`: Wallet · Recharge · Model · Fund · Done. The step shown
//! comes from the user's real state, so leaving and coming back lands on the right step.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::checks;
use crate::components::{
    FormAlert, FormErrors, LayerCard, Money, SignedIn, SubmitButton, TextField,
};
use crate::pages::wallet::{RechargeForm, UnlockToResume};
use crate::setup::{
    FundPrimaryModel, ModelCard, PickPrimaryModel, PrimaryModel, SetupPage, load_setup_page,
};
use crate::wallet::{CreateWallet, RechargeWallet, SkipSetupStep};

const STEPS: [(&str, &str); 5] = [
    ("wallet", "Wallet"),
    ("recharge", "Recharge"),
    ("model", "Model"),
    ("fund", "Fund"),
    ("done", "Done"),
];

#[component]
pub fn SetupWizard() -> impl IntoView {
    view! {
        <Title text="Set up · Twofold"/>
        <SignedIn>
            <WizardContent/>
        </SignedIn>
    }
}

#[derive(Clone, Copy)]
struct WizardActions {
    create_wallet: ServerAction<CreateWallet>,
    recharge: ServerAction<RechargeWallet>,
    skip: ServerAction<SkipSetupStep>,
    choose: ServerAction<PickPrimaryModel>,
    fund: ServerAction<FundPrimaryModel>,
    reload: Callback<()>,
}

impl WizardActions {
    fn version(&self) -> usize {
        self.create_wallet.version().get()
            + self.recharge.version().get()
            + self.skip.version().get()
            + self.choose.version().get()
            + self.fund.version().get()
    }
}

#[component]
fn WizardContent() -> impl IntoView {
    let reloads = RwSignal::new(0_usize);
    let actions = WizardActions {
        create_wallet: ServerAction::new(),
        recharge: ServerAction::new(),
        skip: ServerAction::new(),
        choose: ServerAction::new(),
        fund: ServerAction::new(),
        reload: Callback::new(move |()| reloads.update(|count| *count += 1)),
    };
    let page = Resource::new(
        move || (actions.version(), reloads.get()),
        |_| load_setup_page(),
    );

    view! {
        <Transition>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <Wizard data actions/> }.into_any(),
                    Err(error) => {
                        view! { <p class="form-alert" role="alert">{error.message}</p> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Wizard(data: SetupPage, actions: WizardActions) -> impl IntoView {
    let current = STEPS
        .iter()
        .position(|(key, _)| *key == data.step)
        .unwrap_or(0);
    let step = match data.step.as_str() {
        "wallet" => view! { <WalletStep action=actions.create_wallet/> }.into_any(),
        "recharge" => view! { <RechargeStep data actions/> }.into_any(),
        "model" => view! { <ModelStep data actions/> }.into_any(),
        "fund" => view! { <FundStep data actions/> }.into_any(),
        _ => view! { <DoneStep data/> }.into_any(),
    };

    view! {
        <div class="page-heading">
            <h1>"Set up Twofold"</h1>
        </div>
        <nav aria-label="Setup steps">
            <ol class="step-indicator" data-test="step-indicator">
                {STEPS
                    .iter()
                    .enumerate()
                    .map(|(index, (_, label))| {
                        let state = if index < current {
                            "step-done"
                        } else if index == current {
                            "step-current"
                        } else {
                            "step-todo"
                        };
                        view! {
                            <li class=state aria-current=(index == current).then_some("step")>
                                <span class="step-number" aria-hidden="true">{index + 1}</span>
                                {*label}
                                {(index < current).then(|| view! { <span class="visually-hidden">" (done)"</span> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
        <section class="card wizard-step" data-test=format!("step-{}", data_step_key(current))>
            {step}
        </section>
    }
}

fn data_step_key(index: usize) -> &'static str {
    STEPS.get(index).map_or("wallet", |(key, _)| key)
}

#[component]
fn WalletStep(action: ServerAction<CreateWallet>) -> impl IntoView {
    let errors = FormErrors::new(move || action.value().get().and_then(Result::err));
    let pending = action.pending();

    view! {
        <h2>"Set up your wallet"</h2>
        <p>
            "This is the one step everyone needs. The wallet is your funding entry point: money enters Twofold here, and every model is funded from it."
        </p>
        <p class="muted">
            "The wallet passphrase is a second secret, apart from your password. Moving money needs the wallet unlocked; it locks itself after the auto-lock timeout without a wallet action, and when you log out."
        </p>
        <ActionForm action attr:class="stack" attr:novalidate=true attr:data-test="wallet-form">
            <FormAlert message=errors.general()/>
            <TextField
                name="passphrase"
                label="Wallet passphrase"
                input_type="password"
                autocomplete="new-password"
                hint="At least 8 characters; different from your password."
                error=errors.field("passphrase")
            />
            <TextField
                name="passphrase_confirmation"
                label="Wallet passphrase, again"
                input_type="password"
                autocomplete="new-password"
                error=errors.field("passphrase_confirmation")
            />
            <TextField
                name="auto_lock_minutes"
                label="Auto-lock after (minutes)"
                inputmode="numeric"
                hint="From 1 to 60. Ten minutes suits most people."
                value=errors.kept("auto_lock_minutes").unwrap_or_else(|| "10".to_owned())
                error=errors.field("auto_lock_minutes")
            />
            <button type="submit" class="button button-primary" disabled=pending>
                {move || if pending.get() { "Creating wallet…" } else { "Create wallet" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn SkipButton(action: ServerAction<SkipSetupStep>, step: &'static str) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="step" value=step/>
            <SubmitButton
                label="Skip for now"
                pending_label="Skipping…"
                pending=action.pending()
                class="button button-quiet"
            />
        </ActionForm>
    }
}

#[component]
fn RechargeStep(data: SetupPage, actions: WizardActions) -> impl IntoView {
    let wallet = data.wallet.clone();
    let currency = wallet
        .as_ref()
        .map(|w| w.currency.clone())
        .unwrap_or_default();

    view! {
        <h2>"Recharge the wallet"</h2>
        <p>
            "Add money to the wallet. The sandbox funding source settles at once and uses "
            <strong>"test money"</strong>
            ": nothing real is charged."
        </p>
        {wallet.map(|wallet| view! {
            <p>"Wallet balance now: " <Money amount=wallet.balance currency=wallet.currency/></p>
        })}
        <RechargeForm
            action=actions.recharge
            idempotency_key=data.recharge_key
            currency
            on_done=actions.reload
        />
        <div class="step-actions">
            <SkipButton action=actions.skip step="recharge"/>
            <span class="muted">"You can recharge later from the wallet page."</span>
        </div>
    }
}

#[component]
fn ModelStep(data: SetupPage, actions: WizardActions) -> impl IntoView {
    let action = actions.choose;
    let errors = FormErrors::new(move || action.value().get().and_then(Result::err));
    let currency = data
        .wallet
        .as_ref()
        .map(|w| w.currency.clone())
        .unwrap_or_default();

    view! {
        <h2>"Pick one primary model"</h2>
        <p>
            "Start with one model. Money prepared for a model stays with that model until it is used or refunded, so funding several at once spreads your money thin before you know what you use. Once real usage shows a need, add another."
        </p>
        <FormAlert message=errors.general()/>
        <ul class="model-cards" data-test="model-cards">
            {data
                .models
                .into_iter()
                .map(|model| view! { <ModelChoice model action currency=currency.clone()/> })
                .collect_view()}
        </ul>
        <div class="step-actions">
            <SkipButton action=actions.skip step="model"/>
            <span class="muted">"Still looking around? You can pick one later on the model page; nothing is funded until you choose."</span>
        </div>
    }
}

type PickPrimaryModelAction = ServerAction<PickPrimaryModel>;

#[component]
fn ModelChoice(
    model: ModelCard,
    action: PickPrimaryModelAction,
    currency: String,
) -> impl IntoView {
    let heading_id = format!("model-{}", model.id);
    let labelled_by = heading_id.clone();
    view! {
        <li class="model-card" aria-labelledby=labelled_by>
            <h3 id=heading_id>{model.name.clone()}</h3>
            <p class="muted">{model.provider}</p>
            <dl class="facts">
                <dt>"Input, per million tokens"</dt>
                <dd><Money amount=model.input_price_per_mtok currency=currency.clone()/></dd>
                <dt>"Output, per million tokens"</dt>
                <dd><Money amount=model.output_price_per_mtok currency=currency.clone()/></dd>
                <dt>"Minimum initial amount"</dt>
                <dd><Money amount=model.minimum_initial_amount currency=currency.clone()/></dd>
            </dl>
            <ActionForm action>
                <input type="hidden" name="model_id" value=model.id/>
                <SubmitButton
                    label=format!("Make {} primary", model.name)
                    pending_label="Choosing…"
                    pending=action.pending()
                />
            </ActionForm>
        </li>
    }
}

#[component]
fn FundStep(data: SetupPage, actions: WizardActions) -> impl IntoView {
    let action = actions.fund;
    let errors = FormErrors::new(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let (Some(wallet), Some(primary)) = (data.wallet.clone(), data.primary.clone()) else {
        return view! { <p>"Pick a primary model first."</p> }.into_any();
    };
    let currency = wallet.currency.clone();
    let PrimaryModel {
        name,
        current_minimum_amount,
        fee_at_minimum,
        total_at_minimum,
        shortfall_at_minimum,
        lock_window_hours,
        ..
    } = primary;
    // The fee and total follow the amount as it is typed (with JavaScript).
    let typed = RwSignal::new(String::new());

    view! {
        <h2>"Prepare initial funds for " {name.clone()}</h2>
        <p>
            "Move money from the wallet into " {name.clone()} "'s funding. Usage of the model is paid from there, never straight from the wallet."
        </p>
        <div class="layers" data-test="fund-layers">
            <LayerCard kind="wallet" label="Wallet balance" amount=wallet.balance currency=currency.clone()>
                "What you can move now."
            </LayerCard>
            <LayerCard kind="model" label="Minimum initial amount" amount=current_minimum_amount.clone() currency=currency.clone()>
                "The least a first funding of this model may move."
            </LayerCard>
        </div>
        <p data-test="fee-and-total">
            {
                let currency = currency.clone();
                move || {
                    let (lead, fee, total) = match checks::funding_figures(&typed.read()) {
                        Some(figures) => {
                            (format!("For {} {currency}, the fee is ", figures.amount), figures.fee, figures.total)
                        }
                        None => ("At the minimum, the fee is ".to_owned(), fee_at_minimum.clone(), total_at_minimum.clone()),
                    };
                    view! {
                        {lead} <Money amount=fee currency=currency.clone()/>
                        " and the wallet pays " <Money amount=total currency=currency.clone()/> " in all. "
                    }
                }
            }
            {data.fee_rule.unwrap_or_else(|| "There is no funding fee on this deployment.".to_owned())}
        </p>
        {shortfall_at_minimum.map(|short| view! {
            <p class="notice" data-test="shortfall">
                "The wallet is " <Money amount=short currency=currency.clone()/>
                " short of the minimum. "
                <a href="/wallet">"Recharge the wallet"</a>
                " first, or skip this step for now."
            </p>
        })}
        <p class="muted">
            "Funded money stays non-refundable for " {lock_window_hours}
            " after it is funded; after that, what is not used or held can be refunded to the wallet."
        </p>
        <p class="form-status" role="status">
            {move || action.value().get().and_then(Result::ok).map(|moved| moved.message)}
        </p>
        <ActionForm action attr:class="stack" attr:novalidate=true attr:data-test="fund-form">
            <FormAlert message=errors.general()/>
            <input type="hidden" name="idempotency_key" value=data.fund_key/>
            <TextField
                name="amount"
                label="Amount to fund"
                inputmode="decimal"
                autocomplete="off"
                hint=format!("At least {current_minimum_amount} {currency}.")
                value=errors.kept("amount").unwrap_or(current_minimum_amount.clone())
                error=errors.field("amount")
                check=checks::amount
                on_input=Some(Callback::new(move |value| typed.set(value)))
            />
            <button type="submit" class="button button-primary" disabled=pending>
                {move || if pending.get() { "Funding…" } else { "Fund model" }}
            </button>
        </ActionForm>
        <UnlockToResume
            last=Signal::derive(move || action.value().get())
            set_last=Callback::new(move |outcome| action.value().set(outcome))
            on_done=actions.reload
        />
        <div class="step-actions">
            <SkipButton action=actions.skip step="fund"/>
            <span class="muted">"You can fund it later from the model page."</span>
        </div>
    }
    .into_any()
}

#[component]
fn DoneStep(data: SetupPage) -> impl IntoView {
    let Some(wallet) = data.wallet else {
        return view! { <p>"Set up your wallet first."</p> }.into_any();
    };
    let currency = wallet.currency.clone();
    let has_model = data.primary.is_some();
    // With the model step skipped, the wallet is the one number there is so far.
    let (intro, layers_class, overview_class) = if has_model {
        (
            "Three numbers matter from here on. They are always shown side by side, each with its name.",
            "layers layers-three",
            "button button-primary button-inline",
        )
    } else {
        (
            "Your wallet is ready. When you know which model you will use, pick it as your primary model and prepare its funds; the overview reminds you.",
            "layers",
            "button button-inline",
        )
    };
    let model_cards = data.primary.map(|primary| {
        view! {
            <LayerCard kind="model" label=format!("{} balance", primary.name) amount=primary.balance currency=currency.clone()>
                "Money prepared for this model; its usage is paid from here."
            </LayerCard>
            <LayerCard kind="refundable" label="Refundable now" amount=primary.refundable currency=currency.clone()>
                "What could go back to the wallet today: model balance less recent fundings and held amounts."
            </LayerCard>
        }
    });

    view! {
        <h2>"You are set up"</h2>
        <p>{intro}</p>
        <div class=layers_class data-test="done-numbers">
            <LayerCard kind="wallet" label="Wallet balance" amount=wallet.balance currency=currency.clone()>
                "Money in your wallet, ready to fund any model or to withdraw."
            </LayerCard>
            {model_cards}
        </div>
        {(!has_model).then(|| view! {
            <a class="button button-primary button-inline" href="/models">"Choose a model"</a>
            " "
        })}
        <a class=overview_class href="/">"Go to your overview"</a>
    }
    .into_any()
}
