//! The overview at `/`: the wallet and the primary model side by side, open holds, and the
//! next sensible action with its reason.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{LayerCard, Money, SignedIn};
use crate::overview::{HoldRow, Overview, load_overview};

#[component]
pub fn HomePage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_overview());

    view! {
        <Title text="Overview · Twofold"/>
        <SignedIn>
            <div class="page-heading">
                <h1>"Your overview"</h1>
                <p class="lede">
                    "Two layers, never mixed: the " <strong>"wallet"</strong>
                    " that money enters, and the " <strong>"model funding"</strong>
                    " prepared for one model, which pays for its usage."
                </p>
            </div>
            <Suspense>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(data) => view! { <OverviewContent data/> }.into_any(),
                        Err(error) => {
                            view! { <p class="form-alert" role="alert">{error.message}</p> }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </SignedIn>
    }
}

#[component]
fn OverviewContent(data: Overview) -> impl IntoView {
    let currency = data
        .wallet
        .as_ref()
        .map(|w| w.currency.clone())
        .unwrap_or_default();
    let next = data.next.map(|next| {
        view! {
            <section class="card next-action" aria-labelledby="next-heading" data-test="next-action">
                <h2 id="next-heading">"Next"</h2>
                <p>{next.reason}</p>
                <a class="button button-primary button-inline" href=next.href>{next.label}</a>
            </section>
        }
    });
    let wallet = data.wallet.map(|wallet| {
        let lock = if wallet.locked { "Locked" } else { "Unlocked" };
        view! {
            <LayerCard kind="wallet" label="Wallet balance" amount=wallet.balance currency=wallet.currency.clone() test="overview-wallet">
                {lock} ". Money here can fund any model or be withdrawn. "
                <a href="/wallet">"Wallet"</a>
            </LayerCard>
        }
    });
    let primary = data.primary.map(|primary| {
        let holds = match primary.open_holds {
            0 => "No requests in flight.".to_owned(),
            1 => format!("One request in flight holds {} {currency}.", primary.held),
            n => format!("{n} requests in flight hold {} {currency}.", primary.held),
        };
        view! {
            <LayerCard kind="model" label=format!("{} balance (primary)", primary.name) amount=primary.balance currency=currency.clone() test="overview-model">
                "Prepared for this model; its usage is paid from here. " {holds}
            </LayerCard>
            <LayerCard kind="refundable" label="Refundable now" amount=primary.refundable currency=currency.clone() test="overview-refundable">
                "What could go back to the wallet now: the balance less recent fundings and held amounts."
            </LayerCard>
        }
    });

    let holds = (!data.open_holds.is_empty()).then(|| {
        view! { <OpenHolds holds=data.open_holds currency=currency.clone()/> }
    });

    view! {
        {next}
        <section class="card" aria-label="Balances">
            <div class="layers layers-three">{wallet} {primary}</div>
        </section>
        {holds}
    }
}

/// Every request in flight, across models: what each holds and until when.
#[component]
fn OpenHolds(holds: Vec<HoldRow>, currency: String) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="holds-heading" data-test="open-holds">
            <h2 id="holds-heading">"Open holds"</h2>
            <p class="muted">
                "Money reserved for requests in flight. It stays in the model's balance but cannot be spent twice or refunded; when the request ends, the real cost is charged and the rest returns. A hold that reaches its expiry returns everything."
            </p>
            <div class="table-scroll">
                <table class="entries">
                    <thead>
                        <tr>
                            <th scope="col">"Model"</th>
                            <th scope="col" class="numeric">"Held"</th>
                            <th scope="col">"Expires"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {holds
                            .into_iter()
                            .map(|hold| view! {
                                <tr>
                                    <td>{hold.model_name}</td>
                                    <td class="numeric"><Money amount=hold.amount currency=currency.clone()/></td>
                                    <td>{hold.expires_at}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
