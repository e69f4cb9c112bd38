//! The catalog (`/models`) and the page of one model (`/models/{id}`): its three layers, primary
//! choice, funding, consumption and refunds.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::refunds::{
    AmountField, LoadFailed, MoneyAlert, MovedNotice, RefundActions, Waterfall, error_for,
};
use crate::checks::{self, CostFigures};
use crate::components::{Money, SignedIn};
use crate::models::{
    AVERAGE_DAYS, CHART_DAYS, CatalogModel, CatalogView, ChoosePrimaryModel, ConsumptionView,
    FundModel, MAX_COVER_DAYS, ModelDetailView, model_catalog, model_detail,
};
use crate::pages::wallet::UnlockToResume;

#[component]
pub fn ModelsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| model_catalog());

    view! {
        <Title text="Models · Twofold"/>
        <SignedIn>
            <Suspense>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <Catalog view/> }.into_any(),
                        Err(error) => view! { <LoadFailed error/> }.into_any(),
                    }
                })}
            </Suspense>
        </SignedIn>
    }
}

#[component]
fn Catalog(view: CatalogView) -> impl IntoView {
    let currency = view.currency.clone();
    view! {
        <section class="card stack">
            <h1>"Models"</h1>
            <p class="lede">
                "Each model has its own funding, kept apart from your wallet. Model use is paid from that model's balance only, so pick one primary model and fund it; most people do better with one model until real usage shows a need for another."
            </p>
            <p>
                "Your wallet balance is "
                <strong data-test="wallet-balance">
                    <Money amount=view.wallet_balance.clone() currency=currency.clone()/>
                </strong>
                ". It stays in the wallet until you fund a model. See what each model could refund on the "
                <a href="/refunds">"refunds page"</a> "."
            </p>
            <p class="subtle">
                "On each card, the model balance is the money prepared for that model and refundable now is the part a refund could move back to the wallet at this moment. The minimum initial amount is the least a first funding may move, the minimum top-up amount the least for each later one. Prices are per million tokens."
            </p>
        </section>
        <ul class="model-grid" data-test="model-list">
            {view
                .models
                .into_iter()
                .map(|model| view! { <CatalogCard model currency=currency.clone()/> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn CatalogCard(model: CatalogModel, currency: String) -> impl IntoView {
    view! {
        <li class="card catalog-card stack" data-test=format!("model-{}", model.id)>
            <div class="title-row">
                <h2>
                    <a href=format!("/models/{}", model.id)>{model.name.clone()}</a>
                </h2>
                <span class=model.status.class() data-test="model-status">{model.status.label()}</span>
            </div>
            <p class="subtle">{model.provider.clone()}</p>
            <dl class="figures">
                <div>
                    <dt>"Model balance"</dt>
                    <dd data-test="model-balance"><Money amount=model.balance.clone() currency=currency.clone()/></dd>
                </div>
                <div>
                    <dt>"Refundable now"</dt>
                    <dd><Money amount=model.refundable.clone() currency=currency.clone()/></dd>
                </div>
                <div>
                    <dt>"Minimum initial amount"</dt>
                    <dd><Money amount=model.minimum_initial_amount.clone() currency=currency.clone()/></dd>
                </div>
                <div>
                    <dt>"Minimum top-up amount"</dt>
                    <dd><Money amount=model.minimum_top_up_amount.clone() currency=currency.clone()/></dd>
                </div>
                <div>
                    <dt>"Price per million input tokens"</dt>
                    <dd><Money amount=model.input_price.clone() currency=currency.clone()/></dd>
                </div>
                <div>
                    <dt>"Price per million output tokens"</dt>
                    <dd><Money amount=model.output_price.clone() currency=currency.clone()/></dd>
                </div>
            </dl>
        </li>
    }
    .into_any()
}

#[component]
pub fn ModelPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let fund = ServerAction::<FundModel>::new();
    let primary = ServerAction::<ChoosePrimaryModel>::new();
    let refunds = RefundActions::new();
    let reloads = RwSignal::new(0_usize);
    let reload = Callback::new(move |()| reloads.update(|count| *count += 1));
    let data = Resource::new(
        move || {
            let id = params.read().get("id").unwrap_or_default();
            let query = query.read();
            let versions =
                fund.version().get() + primary.version().get() + refunds.version() + reloads.get();
            (id, query.get("days"), query.get("amount"), versions)
        },
        |(id, days, amount, _)| model_detail(id, days, amount),
    );

    view! {
        <SignedIn>
            <Transition>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <ModelDetail view fund primary refunds reload/> }.into_any(),
                        Err(error) => view! { <LoadFailed error/> }.into_any(),
                    }
                })}
            </Transition>
        </SignedIn>
    }
}

#[component]
fn ModelDetail(
    view: ModelDetailView,
    fund: ServerAction<FundModel>,
    primary: ServerAction<ChoosePrimaryModel>,
    refunds: RefundActions,
    /// Reloads the page's numbers after a funding resumed by unlocking the wallet.
    reload: Callback<()>,
) -> impl IntoView {
    let title = format!("{} · Twofold", view.name);
    view! {
        <Title text=title/>
        <section class="card stack">
            <p class="breadcrumb"><a href="/models">"Models"</a></p>
            <div class="title-row">
                <h1>{view.name.clone()}</h1>
                <span class=view.status.class() data-test="model-status">{view.status.label()}</span>
            </div>
            {view
                .in_catalog
                .then(|| {
                    view! {
                        <p class="subtle">
                            {format!(
                                "{} · {} {} per million input tokens, {} {} per million output tokens",
                                view.provider,
                                view.input_price,
                                view.currency,
                                view.output_price,
                                view.currency,
                            )}
                        </p>
                    }
                })}
            <Layers view=view.clone()/>
            <PrimaryChoice view=view.clone() primary/>
            <MovedOutcome fund primary refunds/>
        </section>
        <FundSection view=view.clone() fund reload/>
        <ConsumptionSection view=view.clone()/>
        <section class="card stack" data-test="model-refund">
            <h2>"Refund to the wallet"</h2>
            <Waterfall view=view.waterfall.clone() actions=refunds/>
        </section>
    }
    .into_any()
}

/// The three numbers side by side, each with its name and a sentence.
#[component]
fn Layers(view: ModelDetailView) -> impl IntoView {
    let currency = view.currency.clone();
    view! {
        <dl class="funding-layers" data-test="funding-layers">
            <div class="funding-layer funding-layer-wallet">
                <dt>"Wallet balance"</dt>
                <dd class="funding-layer-amount" data-test="layer-wallet">
                    <Money amount=view.wallet_balance.clone() currency=currency.clone()/>
                </dd>
                <dd class="funding-layer-note">"Your funding entry point. Ready to fund any model; never spent on model use directly."</dd>
            </div>
            <div class="funding-layer funding-layer-model">
                <dt>"Model balance"</dt>
                <dd class="funding-layer-amount" data-test="layer-model">
                    <Money amount=view.balance.clone() currency=currency.clone()/>
                </dd>
                <dd class="funding-layer-note">
                    {format!(
                        "Prepared for {} only; its usage is paid from here. {} {} of it is held for requests in flight.",
                        view.name,
                        view.held,
                        view.currency,
                    )}
                </dd>
            </div>
            <div class="funding-layer funding-layer-refundable">
                <dt>"Refundable now"</dt>
                <dd class="funding-layer-amount" data-test="layer-refundable">
                    <Money amount=view.refundable.clone() currency=currency.clone()/>
                </dd>
                <dd class="funding-layer-note">"The part of the model balance a refund can move back to the wallet at this moment."</dd>
            </div>
        </dl>
        <p class="why-two-layers" data-test="why-two-layers">
            "Why can a model ask for funds while the wallet holds money? The two are separate layers: model use is paid only from the model balance, never straight from the wallet, and money moves from the wallet to a model only when you fund it."
        </p>
    }
    .into_any()
}

#[component]
fn PrimaryChoice(
    view: ModelDetailView,
    primary: ServerAction<ChoosePrimaryModel>,
) -> impl IntoView {
    let error = error_for(primary, view.id.clone());
    let pending = primary.pending();
    if view.status == crate::models::StatusView::Primary {
        return view! {
            <p data-test="is-primary">"This is your primary model: the one model you work with."</p>
        }
        .into_any();
    }
    if !view.in_catalog {
        return view! {
            <p>"This model has left the catalog. You can still refund what it holds, but not fund it."</p>
        }
        .into_any();
    }
    view! {
        <ActionForm action=primary attr:class="stack primary-form" attr:data-test="primary-form">
            <MoneyAlert error test="primary-alert".to_owned()/>
            <input type="hidden" name="model_id" value=view.id.clone()/>
            <p class="field-hint">
                "Your primary model is the one model you work with. Choosing this one moves no money; a previous primary model keeps its funds."
            </p>
            <button type="submit" class="button" disabled=move || pending.get()>
                {move || if pending.get() { "Setting…" } else { "Set as primary model" }}
            </button>
        </ActionForm>
    }
    .into_any()
}

/// The sentence of the last money movement or primary choice that went through.
#[component]
fn MovedOutcome(
    fund: ServerAction<FundModel>,
    primary: ServerAction<ChoosePrimaryModel>,
    refunds: RefundActions,
) -> impl IntoView {
    let message = move || {
        fund.value()
            .get()
            .and_then(Result::ok)
            .or_else(|| primary.value().get().and_then(Result::ok))
            .map(|moved| moved.message)
    };
    view! {
        <p class="notice-success" role="status" class:notice-empty=move || message().is_none() data-test="fund-outcome">
            {message}
        </p>
        <MovedNotice actions=refunds/>
    }
    .into_any()
}

#[component]
fn FundSection(
    view: ModelDetailView,
    fund: ServerAction<FundModel>,
    reload: Callback<()>,
) -> impl IntoView {
    let fund_value = fund.value();
    let error = error_for(fund, view.id.clone());
    let amount_error = Signal::derive(move || error.get().and_then(|e| e.for_field("amount")));
    let preview_error = view.amount_error.clone();
    let value = error
        .get_untracked()
        .and_then(|e| e.kept("amount"))
        .unwrap_or_else(|| view.amount.clone());
    let pending = fund.pending();
    let currency = view.currency.clone();
    // The figures follow the amount as it is typed (with JavaScript); until then, and while
    // it is not a valid amount, they are the server's for the amount the page was drawn with.
    let typed = RwSignal::new(String::new());
    let drawn = CostFigures {
        amount: view.amount.clone(),
        fee: view.fee.clone(),
        total: view.total.clone(),
    };
    let figures = Signal::derive(move || {
        checks::funding_figures(&typed.read()).unwrap_or_else(|| drawn.clone())
    });
    let (heading, verb, minimum_name) = if view.initial_funding {
        (
            "Prepare initial funds",
            "Fund this model",
            "Minimum initial amount",
        )
    } else {
        ("Top up", "Top up this model", "Minimum top-up amount")
    };

    if !view.in_catalog {
        return ().into_any();
    }
    view! {
        <section class="card stack" data-test="fund-section">
            <h2>{heading}</h2>
            <p>
                {format!(
                    "Funding moves money from your wallet into {}'s funding. The current minimum is the least this funding may move.",
                    view.name,
                )}
            </p>
            <dl class="figures figures-inline" data-test="fund-figures">
                <div>
                    <dt>{minimum_name}</dt>
                    <dd data-test="current-minimum"><Money amount=view.current_minimum.clone() currency=currency.clone()/></dd>
                </div>
                <div>
                    <dt data-test="fee-label">
                        {
                            let currency = currency.clone();
                            move || format!("Funding fee on {} {currency}", figures.read().amount)
                        }
                    </dt>
                    <dd data-test="fee">
                        {
                            let currency = currency.clone();
                            move || view! { <Money amount=figures.read().fee.clone() currency=currency.clone()/> }
                        }
                    </dd>
                </div>
                <div>
                    <dt>"Total from your wallet"</dt>
                    <dd data-test="total">
                        {
                            let currency = currency.clone();
                            move || view! { <Money amount=figures.read().total.clone() currency=currency.clone()/> }
                        }
                    </dd>
                </div>
            </dl>
            <p class="field-hint">
                {match view.fee_rule.clone() {
                    Some(rule) => format!("The funding fee is {rule}, charged to the wallet on top of the amount; the total is amount plus fee."),
                    None => "This deployment charges no funding fee, so the total is the amount itself.".to_owned(),
                }}
            </p>
            {preview_error.map(|message| view! { <p class="form-alert" role="alert">{message}</p> })}
            {
                // Follows the typed amount like the figures above; drawn by the server for the
                // amount the page was drawn with.
                let balance = view.wallet_balance.clone();
                let currency = currency.clone();
                move || {
                    checks::shortfall(&figures.read().total, &balance).map(|short| {
                        view! {
                            <p class="warning" data-test="shortfall">
                                {format!("Your wallet holds {balance} {currency} and is {short} {currency} short of this total. ")}
                                <a href="/wallet">"Recharge the wallet"</a> " or choose a smaller amount."
                            </p>
                        }
                    })
                }
            }
            <p class="warning" data-test="lock-warning">
                {
                    let currency = currency.clone();
                    let lock_window = view.lock_window.clone();
                    let refundable_at = view.refundable_at_if_funded_now.clone();
                    move || format!(
                        "All {} {currency} of this funding stays non-refundable for the lock window of {lock_window}: funded now, it becomes refundable at {refundable_at}.",
                        figures.read().amount,
                    )
                }
            </p>
            {view
                .funded_primary
                .clone()
                .map(|primary| {
                    view! {
                        <p class="note" data-test="second-model-note">
                            {format!(
                                "You already fund {primary} as your primary model. Most people do better with one model until real usage shows a need for another; funding this one as well is allowed.",
                            )}
                        </p>
                    }
                })}
            {(view.wallet_exists && view.wallet_locked)
                .then(|| {
                    view! {
                        <p class="warning" data-test="wallet-locked-note">
                            "Your wallet is locked, and funding moves money, so it needs the wallet unlocked. Fund as usual: you will be asked for the wallet passphrase and the funding then goes through. Or "
                            <a href="/wallet">"unlock it on the wallet page"</a>
                            " first. Reading balances works either way."
                        </p>
                    }
                })}
            {(!view.wallet_exists)
                .then(|| {
                    view! {
                        <p class="warning">
                            "You have no wallet yet, so nothing can be funded. " <a href="/setup">"Set up your wallet"</a> " first."
                        </p>
                    }
                })}
            <ActionForm action=fund attr:class="stack" attr:novalidate=true attr:data-test="fund-form">
                <MoneyAlert error test="fund-alert".to_owned()/>
                <input type="hidden" name="model_id" value=view.id.clone()/>
                <input type="hidden" name="idempotency_key" value=view.fund_token.clone()/>
                <AmountField
                    id="fund-amount".to_owned()
                    label=format!("Amount to fund ({})", view.currency)
                    value
                    hint=format!("At least {} {}.", view.current_minimum, view.currency)
                    error=amount_error
                    on_input=Some(Callback::new(move |value| typed.set(value)))
                />
                <button type="submit" class="button button-primary" disabled=move || pending.get() data-test="fund-button">
                    {move || if pending.get() { "Funding…" } else { verb }}
                </button>
            </ActionForm>
            <UnlockToResume
                last=Signal::derive(move || fund_value.get())
                set_last=Callback::new(move |outcome| fund_value.set(outcome))
                on_done=reload
            />
        </section>
    }
    .into_any()
}

#[component]
fn ConsumptionSection(view: ModelDetailView) -> impl IntoView {
    let c = view.consumption.clone();
    let currency = view.currency.clone();
    let days_left = match c.days_left {
        Some(days) => format!(
            "At that rate the available {} {} lasts about {days} more days.",
            view.available, view.currency
        ),
        None => "With no spend in the last 7 days there is no rate to forecast from.".to_owned(),
    };
    let suggestion = if c.suggested_is_minimum {
        format!(
            "Covering {} days at the average needs {} {} more than is available; a top-up must reach the current minimum of {} {}, so that is the suggestion.",
            c.cover_days, c.needed_for_cover, view.currency, view.current_minimum, view.currency
        )
    } else {
        format!(
            "Covering {} days at the average needs {} {} on top of the available {} {}.",
            c.cover_days, c.needed_for_cover, view.currency, view.available, view.currency
        )
    };
    let prefill = format!(
        "/models/{}?days={}&amount={}",
        view.id, c.cover_days, c.suggested_top_up
    );

    view! {
        <section class="card stack" data-test="consumption">
            <h2>"Consumption"</h2>
            <p>
                {format!(
                    "What {} cost per day over the last {CHART_DAYS} days (UTC), usage and settled holds together: {} {} in all.",
                    view.name, c.total, view.currency,
                )}
            </p>
            <SpendChart c=c.clone() currency=currency.clone()/>
            <dl class="figures figures-inline">
                <div>
                    <dt>{format!("Average daily spend, last {AVERAGE_DAYS} days")}</dt>
                    <dd data-test="average-daily"><Money amount=c.average_daily.clone() currency=currency.clone()/></dd>
                </div>
                <div>
                    <dt>"Days left at that rate"</dt>
                    <dd data-test="days-left">
                        {c.days_left.map_or_else(|| "—".to_owned(), |days| days.to_string())}
                    </dd>
                </div>
                <div>
                    <dt>{format!("Suggested top-up for {} days", c.cover_days)}</dt>
                    <dd data-test="suggested-top-up"><Money amount=c.suggested_top_up.clone() currency=currency.clone()/></dd>
                </div>
            </dl>
            <p>
                {format!("The average is the spend of the last {AVERAGE_DAYS} days divided by {AVERAGE_DAYS}. ")}
                {days_left} " " {suggestion}
            </p>
            <Form method="get" action=format!("/models/{}", view.id) noscroll=true attr:class="cover-form" attr:data-test="cover-form">
                <div class="field" class:field-invalid=c.cover_days_error.is_some()>
                    <label for="cover-days">"Days to cover"</label>
                    <input
                        id="cover-days"
                        name="days"
                        type="number"
                        inputmode="numeric"
                        min="1"
                        max=MAX_COVER_DAYS.to_string()
                        value=c.cover_days.to_string()
                        aria-invalid=c.cover_days_error.is_some().then_some("true")
                        aria-describedby=c.cover_days_error.is_some().then_some("cover-days-error")
                    />
                    <p class="field-error" id="cover-days-error" role="alert">{c.cover_days_error.clone()}</p>
                </div>
                <button type="submit" class="button">"Suggest a top-up"</button>
            </Form>
            {view.in_catalog.then(|| view! {
                <p><a href=prefill>"Fund the suggested amount"</a> " (fills in the amount above, nothing moves yet)"</p>
            })}
        </section>
    }
    .into_any()
}

/// Width and height of the chart's drawing, in SVG user units.
const CHART_WIDTH: u32 = 480;
const CHART_HEIGHT: u32 = 200;
const PLOT_LEFT: u32 = 56;
const PLOT_TOP: u32 = 24;
const PLOT_BOTTOM: u32 = 166;

/// Spend per day as bars, with both axes labelled; the table below says the same in text.
#[component]
fn SpendChart(c: ConsumptionView, currency: String) -> impl IntoView {
    let plot_width = CHART_WIDTH - PLOT_LEFT - 4;
    let plot_height = PLOT_BOTTOM - PLOT_TOP;
    let count = u32::try_from(c.days.len()).unwrap_or(1).max(1);
    let slot = plot_width / count;
    let bar_width = (slot * 2 / 3).max(1);
    let first = c
        .days
        .first()
        .map(|d| d.short_label.clone())
        .unwrap_or_default();
    let middle = c
        .days
        .get(c.days.len() / 2)
        .map(|d| d.short_label.clone())
        .unwrap_or_default();
    let last = c
        .days
        .last()
        .map(|d| d.short_label.clone())
        .unwrap_or_default();
    let middle_x = PLOT_LEFT + slot * (count / 2) + slot / 2;
    let summary = if c.has_usage {
        format!(
            "Bar chart of spend per day over the last {CHART_DAYS} days: {} {currency} in all, at most {} {currency} on one day.",
            c.total, c.axis_max
        )
    } else {
        format!(
            "Bar chart of spend per day over the last {CHART_DAYS} days: no spend yet, every bar is empty."
        )
    };

    view! {
        <figure class="chart" data-test="spend-chart">
            <div class="chart-scroll">
                <svg
                    viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}")
                    role="img"
                    aria-label=summary.clone()
                    class="chart-svg"
                >
                    <text x="0" y="12" class="chart-axis-title">{format!("{currency} per day")}</text>
                    <text x=(PLOT_LEFT - 6).to_string() y=(PLOT_TOP + 4).to_string() text-anchor="end" class="chart-tick">
                        {c.axis_max.clone()}
                    </text>
                    <text x=(PLOT_LEFT - 6).to_string() y=(PLOT_BOTTOM + 4).to_string() text-anchor="end" class="chart-tick">
                        "0"
                    </text>
                    <line x1=PLOT_LEFT.to_string() y1=PLOT_TOP.to_string() x2=(CHART_WIDTH - 4).to_string() y2=PLOT_TOP.to_string() class="chart-grid"></line>
                    {c
                        .days
                        .iter()
                        .enumerate()
                        .map(|(index, day)| {
                            let index = u32::try_from(index).unwrap_or(0);
                            let height = day.height * plot_height / 1000;
                            let x = PLOT_LEFT + slot * index + (slot - bar_width) / 2;
                            view! {
                                <rect
                                    x=x.to_string()
                                    y=(PLOT_BOTTOM - height).to_string()
                                    width=bar_width.to_string()
                                    height=height.to_string()
                                    class="chart-bar"
                                    data-test="chart-bar"
                                ></rect>
                            }
                        })
                        .collect_view()}
                    <line x1=PLOT_LEFT.to_string() y1=PLOT_BOTTOM.to_string() x2=(CHART_WIDTH - 4).to_string() y2=PLOT_BOTTOM.to_string() class="chart-axis"></line>
                    <text x=(PLOT_LEFT + slot / 2).to_string() y=(PLOT_BOTTOM + 16).to_string() text-anchor="start" class="chart-tick">{first}</text>
                    <text x=middle_x.to_string() y=(PLOT_BOTTOM + 16).to_string() text-anchor="middle" class="chart-tick">{middle}</text>
                    <text x=(CHART_WIDTH - 4).to_string() y=(PLOT_BOTTOM + 16).to_string() text-anchor="end" class="chart-tick">{last}</text>
                    <text x=(PLOT_LEFT + plot_width / 2).to_string() y=(CHART_HEIGHT - 4).to_string() text-anchor="middle" class="chart-axis-title">"Day (UTC)"</text>
                </svg>
            </div>
            <figcaption>
                <details>
                    <summary>"Spend per day as a table"</summary>
                    <table class="spend-table" data-test="spend-table">
                        <caption class="visually-hidden">{summary}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Day (UTC)"</th>
                                <th scope="col" class="amount-cell">"Spend"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {c
                                .days
                                .iter()
                                .rev()
                                .map(|day| {
                                    view! {
                                        <tr>
                                            <th scope="row">{day.day.clone()}</th>
                                            <td class="amount-cell"><Money amount=day.spent.clone() currency=currency.clone()/></td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </details>
            </figcaption>
        </figure>
    }
    .into_any()
}
