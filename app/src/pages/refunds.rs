//! The refund view: for each funded model, the way from its balance to what is refundable now,
//! and the forms to refund. The model page shows the same waterfall for its one model.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::checks;
use crate::components::{Money, SignedIn, TextField};
use crate::error::FormError;
use crate::models::{RefundEverything, RefundModel, RefundsView, WaterfallView, refund_overview};
use crate::pages::wallet::UnlockToResume;

#[component]
pub fn RefundsPage() -> impl IntoView {
    let actions = RefundActions::new();
    let data = Resource::new(move || actions.version(), |_| refund_overview());

    view! {
        <Title text="Refunds · Twofold"/>
        <SignedIn>
            <Transition>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <RefundsBody view actions/> }.into_any(),
                        Err(error) => view! { <LoadFailed error/> }.into_any(),
                    }
                })}
            </Transition>
        </SignedIn>
    }
}

#[component]
fn RefundsBody(view: RefundsView, actions: RefundActions) -> impl IntoView {
    let empty = view.waterfalls.is_empty();

    view! {
        <section class="card stack">
            <h1>"Refunds"</h1>
            <p class="lede">
                "A refund moves money from a model's funding back to your wallet, at once. Only the refundable part can move: money funded within the lock window and money held for requests in flight stay with the model for now."
            </p>
            <p>
                "Your wallet balance is "
                <strong data-test="wallet-balance">
                    <Money amount=view.wallet_balance.clone() currency=view.currency.clone()/>
                </strong>
                ". Refunds add to it."
            </p>
            <MovedNotice actions/>
        </section>
        {empty
            .then(|| {
                view! {
                    <section class="card">
                        <p data-test="no-fundings">
                            "None of your models holds funding, so there is nothing to refund. Fund a model on the "
                            <a href="/models">"models page"</a> "."
                        </p>
                    </section>
                }
            })}
        {view
            .waterfalls
            .into_iter()
            .map(|waterfall| {
                let heading = waterfall.model_name.clone();
                let test = format!("refund-{}", waterfall.model_id);
                let link = format!("/models/{}", waterfall.model_id);
                view! {
                    <section class="card stack" data-test=test>
                        <h2>
                            <a href=link>{heading}</a>
                        </h2>
                        <Waterfall view=waterfall actions/>
                    </section>
                }
            })
            .collect_view()}
    }
    .into_any()
}

/// The two refund actions of a page, shared by every waterfall on it.
#[derive(Clone, Copy)]
pub struct RefundActions {
    pub refund: ServerAction<RefundModel>,
    pub everything: ServerAction<RefundEverything>,
    /// Counts refunds carried out by unlocking a locked wallet in place.
    resumed: RwSignal<usize>,
}

impl RefundActions {
    pub fn new() -> Self {
        Self {
            refund: ServerAction::new(),
            everything: ServerAction::new(),
            resumed: RwSignal::new(0),
        }
    }

    /// Changes whenever a refund has finished, so page data depending on it is loaded again
    /// (with fresh idempotency tokens).
    pub fn version(&self) -> usize {
        self.refund.version().get() + self.everything.version().get() + self.resumed.get()
    }

    fn resumed(&self) -> Callback<()> {
        let resumed = self.resumed;
        Callback::new(move |()| resumed.update(|count| *count += 1))
    }

    /// The sentence of the last refund that went through.
    fn moved(&self) -> Option<String> {
        let refund = self.refund.value().get().and_then(Result::ok);
        let everything = self.everything.value().get().and_then(Result::ok);
        refund.or(everything).map(|moved| moved.message)
    }
}

/// The outcome of the last refund on the page, announced politely.
#[component]
pub fn MovedNotice(actions: RefundActions) -> impl IntoView {
    view! {
        <p class="notice-success" role="status" class:notice-empty=move || actions.moved().is_none()>
            {move || actions.moved()}
        </p>
    }
}

/// The error of the last submission of `action`, when it concerned `model_id`.
pub fn error_for<S>(action: ServerAction<S>, model_id: String) -> Signal<Option<FormError>>
where
    S: leptos::server_fn::ServerFn<Error = FormError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|error| error.kept("model_id").as_deref() == Some(model_id.as_str()))
    })
}

/// A form-wide error; a locked wallet gets a way to unlock it.
#[component]
pub fn MoneyAlert(
    error: Signal<Option<FormError>>,
    /// Where the message appears, for tests.
    test: String,
) -> impl IntoView {
    let general = move || error.get().filter(|error| error.field.is_none());
    view! {
        <div class="form-alert" role="alert" class:form-alert-empty=move || general().is_none() data-test=test>
            {move || {
                general()
                    .map(|error| {
                        let locked = error.code == "wallet_locked";
                        view! {
                            {error.message}
                            {locked
                                .then(|| {
                                    view! {
                                        " Enter it below and this carries on with what you typed, or "
                                        <a href="/wallet">"unlock it on the wallet page"</a> "."
                                    }
                                })}
                        }
                    })
            }}
        </div>
    }
    .into_any()
}

/// A labelled amount input with its error tied to it. `id` must be unique on the page.
#[component]
pub fn AmountField(
    id: String,
    label: String,
    #[prop(into)] value: String,
    hint: String,
    error: Signal<Option<String>>,
    /// Told the value at each keystroke.
    #[prop(optional_no_strip)]
    on_input: Option<Callback<String>>,
) -> impl IntoView {
    let error_test = format!("{id}-error");
    view! {
        <TextField
            name="amount"
            id
            label
            inputmode="decimal"
            autocomplete="off"
            value
            hint
            error
            check=checks::amount
            on_input
            error_test
        />
    }
}

/// One model's balance taken apart: recent fundings and open holds, and what is refundable now.
#[component]
pub fn Waterfall(view: WaterfallView, actions: RefundActions) -> impl IntoView {
    let currency = view.currency.clone();
    let model_id = view.model_id.clone();
    let locked_count = view.locked_fundings.len();
    let hold_count = view.holds.len();

    view! {
        <div class="waterfall stack" data-test="waterfall">
            <RefundBar view=view.clone()/>
            <table class="waterfall-table">
                <caption class="visually-hidden">
                    {format!("From {}'s balance to what is refundable now", view.model_name)}
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"Part, and why"</th>
                        <th scope="col" class="amount-cell">"Amount"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr>
                        <th scope="row">
                            "Model balance"
                            <span class="row-note">"Everything prepared for this model, held money included."</span>
                        </th>
                        <td class="amount-cell">
                            <Money amount=view.balance.clone() currency=currency.clone()/>
                        </td>
                    </tr>
                    {view
                        .locked_fundings
                        .iter()
                        .map(|locked| {
                            view! {
                                <tr class="waterfall-locked" data-test="locked-funding">
                                    <th scope="row">
                                        "Recent funding"
                                        <span class="row-note">
                                            "Inside the lock window; refundable from "
                                            <time>{locked.refundable_at.clone()}</time> "."
                                        </span>
                                    </th>
                                    <td class="amount-cell">
                                        <Money amount=locked.amount.clone() currency=currency.clone() sign="−"/>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                    {view
                        .holds
                        .iter()
                        .map(|hold| {
                            view! {
                                <tr class="waterfall-held" data-test="open-hold">
                                    <th scope="row">
                                        "Open hold"
                                        <span class="row-note">
                                            "Reserved for a request in flight; settled, released or expired by "
                                            <time>{hold.expires_at.clone()}</time> "."
                                        </span>
                                    </th>
                                    <td class="amount-cell">
                                        <Money amount=hold.amount.clone() currency=currency.clone() sign="−"/>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row">
                            "Refundable now"
                            <span class="row-note">"What a refund can move to your wallet at this moment."</span>
                        </th>
                        <td class="amount-cell" data-test="refundable-now">
                            <Money amount=view.refundable.clone() currency=currency.clone()/>
                        </td>
                    </tr>
                </tfoot>
            </table>
            <RefundExplanation
                view=view.clone()
                locked_count
                hold_count
            />
            <RefundForms view model_id actions/>
        </div>
    }
    .into_any()
}

/// The stacked bar: refundable, held and recently funded parts of the balance.
#[component]
fn RefundBar(view: WaterfallView) -> impl IntoView {
    let description = format!(
        "{} {} balance, of which {} {} refundable now.",
        view.balance, view.currency, view.refundable, view.currency
    );
    view! {
        <figure class="refund-bar">
            <svg
                viewBox="0 0 1000 24"
                preserveAspectRatio="none"
                role="img"
                aria-label=description
                class="refund-bar-svg"
            >
                <rect x="0" y="0" width="1000" height="24" class="bar-track"></rect>
                {view
                    .bar
                    .iter()
                    .map(|segment| {
                        view! {
                            <rect
                                x=segment.x.to_string()
                                y="0"
                                width=segment.width.to_string()
                                height="24"
                                class=format!("bar-{}", segment.kind)
                            ></rect>
                        }
                    })
                    .collect_view()}
            </svg>
            <figcaption class="bar-legend">
                <span class="legend legend-refundable">"Refundable now"</span>
                <span class="legend legend-held">"Held"</span>
                <span class="legend legend-locked">"Recently funded"</span>
            </figcaption>
        </figure>
    }
    .into_any()
}

#[component]
fn RefundExplanation(view: WaterfallView, locked_count: usize, hold_count: usize) -> impl IntoView {
    let reasons = match (locked_count > 0, hold_count > 0) {
        (true, true) => {
            "recent fundings are still inside the lock window and open holds reserve money for requests in flight"
        }
        (true, false) => "recent fundings are still inside the lock window",
        (false, true) => "open holds reserve money for requests in flight",
        (false, false) => "",
    };
    let resolution = match (locked_count > 0, hold_count > 0) {
        (true, true) => {
            "each recent funding becomes refundable when its lock window ends, and each hold gives back what it does not charge once it is settled, released or expires"
        }
        (true, false) => "each recent funding becomes refundable when its lock window ends",
        _ => "each hold gives back what it does not charge once it is settled, released or expires",
    };
    let stage = view.refundable_below_balance && !view.balance_is_zero;
    let next = view.next_refundable_at.clone();

    view! {
        {stage
            .then(|| {
                view! {
                    <p class="stage-note" data-test="stage-note">
                        {format!(
                            "Less than the balance is refundable now because {reasons}. That is a stage, not an error, and nothing needs doing: {resolution}.",
                        )}
                    </p>
                }
            })}
        {view
            .parts_exceed_balance
            .then(|| {
                view! {
                    <p data-test="parts-exceed">
                        "Usage has already spent part of the recent fundings, so the parts above add up to more than the balance; refundable now never goes below zero."
                    </p>
                }
            })}
        {view
            .refundable_is_zero
            .then(|| {
                let sentence = match next {
                    Some(at) => format!("Nothing is refundable right now. The next amount becomes refundable at {at}."),
                    None => "Nothing is refundable right now, and nothing is waiting to become refundable.".to_owned(),
                };
                view! { <p data-test="next-refundable">{sentence}</p> }
            })}
    }
    .into_any()
}

#[component]
fn RefundForms(view: WaterfallView, model_id: String, actions: RefundActions) -> impl IntoView {
    let refund_error = error_for(actions.refund, model_id.clone());
    let everything_error = error_for(actions.everything, model_id.clone());
    let amount_error = Signal::derive(move || {
        refund_error
            .get()
            .and_then(|error| error.for_field("amount"))
    });
    let kept = refund_error
        .get_untracked()
        .and_then(|error| error.kept("amount"));
    let refund_pending = actions.refund.pending();
    let everything_pending = actions.everything.pending();
    let field_id = format!("refund-amount-{model_id}");
    let disabled = view.refundable_is_zero;
    let label = format!("Amount to refund ({})", view.currency);
    let hint = format!("Up to {} {} now.", view.refundable, view.currency);
    let everything_hint = format!(
        "Moves all {} {} refundable now back to your wallet.",
        view.refundable, view.currency
    );
    let everything_model_id = model_id.clone();
    let refund_value = actions.refund.value();
    let everything_value = actions.everything.value();

    view! {
        <div class="refund-forms">
            <div class="stack">
            <ActionForm action=actions.refund attr:class="stack refund-form" attr:novalidate=true attr:data-test="refund-form">
                <MoneyAlert error=refund_error test="refund-alert".to_owned()/>
                <input type="hidden" name="model_id" value=model_id.clone()/>
                <input type="hidden" name="idempotency_key" value=view.refund_token.clone()/>
                <AmountField
                    id=field_id
                    label
                    value=kept.unwrap_or_default()
                    hint
                    error=amount_error
                />
                <button type="submit" class="button" disabled=move || refund_pending.get()>
                    {move || if refund_pending.get() { "Refunding…" } else { "Refund this amount" }}
                </button>
            </ActionForm>
            <UnlockToResume
                last=Signal::derive(move || refund_error.get().map(Err))
                set_last=Callback::new(move |outcome| refund_value.set(outcome))
                on_done=actions.resumed()
            />
            </div>
            <div class="stack">
            <ActionForm action=actions.everything attr:class="stack refund-form" attr:data-test="refund-all-form">
                <MoneyAlert error=everything_error test="refund-all-alert".to_owned()/>
                <input type="hidden" name="model_id" value=everything_model_id/>
                <input type="hidden" name="idempotency_key" value=view.refund_all_token.clone()/>
                <p class="field-hint">{everything_hint}</p>
                <button
                    type="submit"
                    class="button button-primary"
                    disabled=move || disabled || everything_pending.get()
                >
                    {move || {
                        if everything_pending.get() { "Refunding…" } else { "Refund everything refundable now" }
                    }}
                </button>
            </ActionForm>
            <UnlockToResume
                last=Signal::derive(move || everything_error.get().map(Err))
                set_last=Callback::new(move |outcome| everything_value.set(outcome))
                on_done=actions.resumed()
            />
            </div>
        </div>
    }
    .into_any()
}

/// A page whose data could not be loaded: the reason, in a sentence.
#[component]
pub fn LoadFailed(error: FormError) -> impl IntoView {
    view! {
        <section class="card">
            <h1>"This page could not be shown"</h1>
            <p role="alert">{error.message}</p>
            <p><a href="/models">"Back to the models"</a></p>
        </section>
    }
}
