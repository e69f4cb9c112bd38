//! `/activity`: every entry, newest first, filterable by model and kind, a page at a time, with
//! a CSV download. The filters are a plain GET form, so they work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::activity::{ActivityPage, load_activity};
use crate::components::{Money, SignedIn};

#[component]
pub fn ActivityPageView() -> impl IntoView {
    view! {
        <Title text="Activity · Twofold"/>
        <SignedIn>
            <ActivityContent/>
        </SignedIn>
    }
}

#[component]
fn ActivityContent() -> impl IntoView {
    let query = use_query_map();
    let filters = move || query.with(|q| (q.get("model"), q.get("kind"), q.get("before")));
    let page = Resource::new(filters, |(model, kind, before)| {
        load_activity(model, kind, before)
    });

    view! {
        <div class="page-heading">
            <h1>"Activity"</h1>
            <p class="lede">
                "Every movement of your money, newest first: each row says what moved, by how much, and what the wallet and the model held right after."
            </p>
        </div>
        <Transition>
            {move || Suspend::new(async move {
                let (model, kind, before) = filters();
                let paged = before.is_some_and(|before| !before.is_empty());
                match page.await {
                    Ok(data) => view! { <ActivityList data model kind paged/> }.into_any(),
                    Err(error) => view! {
                        <p class="form-alert" role="alert">{error.message}</p>
                        <a href="/activity">"Show all activity"</a>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ActivityList(
    data: ActivityPage,
    model: Option<String>,
    kind: Option<String>,
    /// Whether this is an older page rather than the newest.
    paged: bool,
) -> impl IntoView {
    let ActivityPage {
        currency,
        entries,
        next_before,
        models,
        kinds,
    } = data;
    let selected_model = model.clone().unwrap_or_default();
    let selected_kind = kind.clone().unwrap_or_default();
    // The filters as query parameters, kept when moving between pages.
    let mut filter_query = String::new();
    if let Some(model) = model.as_deref().filter(|m| !m.is_empty()) {
        filter_query.push_str(&format!("&model={model}"));
    }
    if let Some(kind) = kind.as_deref().filter(|k| !k.is_empty()) {
        filter_query.push_str(&format!("&kind={kind}"));
    }
    let older = next_before.map(|before| format!("/activity?before={before}{filter_query}"));
    let newest = paged.then(|| format!("/activity?{}", filter_query.trim_start_matches('&')));

    view! {
        <section class="card" aria-label="Filters">
            <Form method="get" action="/activity" noscroll=true attr:class="filters" attr:data-test="activity-filters">
                <div class="field">
                    <label for="filter-model">"Model"</label>
                    <select id="filter-model" name="model">
                        <option value="" selected=selected_model.is_empty()>"All models"</option>
                        {models
                            .into_iter()
                            .map(|(id, name)| {
                                let selected = id == selected_model;
                                view! { <option value=id selected=selected>{name}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-kind">"Kind"</label>
                    <select id="filter-kind" name="kind">
                        <option value="" selected=selected_kind.is_empty()>"All kinds"</option>
                        {kinds
                            .into_iter()
                            .map(|(value, label)| {
                                let selected = value == selected_kind;
                                view! { <option value=value selected=selected>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">"Filter"</button>
                <a class="button button-quiet" href="/api/v1/entries.csv" download="twofold-entries.csv">
                    "Download all as CSV"
                </a>
            </Form>
        </section>
        <section class="card" aria-labelledby="entries-heading">
            <h2 id="entries-heading">"Entries"</h2>
            {if entries.is_empty() {
                view! { <p class="muted" data-test="no-entries">"No entries match."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="entries" data-test="activity-entries">
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"Model"</th>
                                    <th scope="col" class="numeric">"Amount"</th>
                                    <th scope="col" class="numeric">"Fee"</th>
                                    <th scope="col" class="numeric">"Wallet after"</th>
                                    <th scope="col" class="numeric">"Model after"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {entries
                                    .into_iter()
                                    .map(|entry| {
                                        let currency = currency.clone();
                                        view! {
                                            <tr data-kind=entry.kind.clone()>
                                                <td>{entry.created_at}</td>
                                                <td>
                                                    {entry.kind_label}
                                                    {entry.test_money.then(|| view! { " " <span class="badge">"Test money"</span> })}
                                                </td>
                                                <td>{entry.model_name.unwrap_or_else(|| "—".to_owned())}</td>
                                                <td class="numeric">
                                                    <Money amount=entry.amount currency=currency.clone()/>
                                                </td>
                                                <td class="numeric">
                                                    {entry.fee.map(|fee| view! { <Money amount=fee currency=currency.clone()/> })}
                                                </td>
                                                <td class="numeric">
                                                    <Money amount=entry.wallet_balance_after currency=currency.clone()/>
                                                </td>
                                                <td class="numeric">
                                                    {entry.model_balance_after.map(|after| view! { <Money amount=after currency=currency.clone()/> })}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {(newest.is_some() || older.is_some()).then(|| view! {
                <p class="pager" data-test="pager">
                    {newest.map(|href| view! { <a href=href>"Newest entries"</a> })}
                    {older.map(|href| view! { <a href=href rel="next">"Older entries"</a> })}
                </p>
            })}
        </section>
    }
}
