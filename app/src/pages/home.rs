//! The signed-in home page: where the person stands on Twofold's one path.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::auth::{Account, current_account};
use crate::components::PageFrame;

#[component]
pub fn HomePage() -> impl IntoView {
    let account = Resource::new(|| (), |_| current_account());

    view! {
        <Title text="Overview · Twofold"/>
        <Suspense>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(account)) => view! { <Overview account/> }.into_any(),
                    _ => view! { <Redirect path="/login"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The steps of the path DESIGN.md sets out, in order.
const PATH_STEPS: [(&str, &str); 6] = [
    ("Create an account", "Done. You are signed in."),
    (
        "Set up your wallet",
        "Choose a wallet passphrase and an auto-lock timeout. The wallet is where your money enters Twofold; it is the one step everyone needs.",
    ),
    (
        "Recharge the wallet",
        "Add money from a funding source. The sandbox source uses test money.",
    ),
    (
        "Pick one primary model",
        "One model first keeps your money in one place until real usage shows you need another.",
    ),
    (
        "Prepare initial funds",
        "Move at least the model's minimum initial amount from the wallet into the model's funding.",
    ),
    (
        "Top up from real consumption",
        "Once usage starts, top up or refund according to what the model actually spends.",
    ),
];

#[component]
fn Overview(account: Account) -> impl IntoView {
    view! {
        <PageFrame account=Some(account.clone())>
            <section class="card">
                <h1>"Your overview"</h1>
                <p class="lede">
                    "Twofold funds your AI model use in two layers: a "
                    <strong>"wallet"</strong>
                    " that money enters, and "
                    <strong>"model funding"</strong>
                    " prepared for one model at a time. Here is the path, step by step."
                </p>
                <ol class="path-steps" data-test="path-steps">
                    {PATH_STEPS
                        .iter()
                        .enumerate()
                        .map(|(index, (title, body))| {
                            let done = index == 0;
                            view! {
                                <li class="path-step" class:path-step-done=done>
                                    <span class="path-step-title">
                                        {*title}
                                        {done.then(|| view! { <span class="visually-hidden">" (done)"</span> })}
                                    </span>
                                    <span class="path-step-body">{*body}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </section>
        </PageFrame>
    }
}
