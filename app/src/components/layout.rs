use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::auth::{Account, LogOut};

/// The frame of every page: a skip link, the header and the main region.
#[component]
pub fn PageFrame(
    /// The signed-in account, when there is one.
    #[prop(optional_no_strip)]
    account: Option<Account>,
    children: Children,
) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="site-header-inner">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"2"</span>
                    "Twofold"
                </a>
                {match account {
                    Some(account) => view! { <SignedInHeader account/> }.into_any(),
                    None => view! {
                        <nav class="header-nav" aria-label="Account">
                            <a href="/login">"Log in"</a>
                            <a class="button button-small" href="/signup">"Create account"</a>
                        </nav>
                    }
                    .into_any(),
                }}
            </div>
        </header>
        <main id="main" class="site-main">{children()}</main>
    }
}

/// The right side of the header for a signed-in user: who they are and a way out.
#[component]
pub fn SignedInHeader(account: Account) -> impl IntoView {
    let log_out = ServerAction::<LogOut>::new();

    view! {
        <nav class="main-nav" aria-label="Main">
            <a href="/">"Overview"</a>
            <a href="/wallet">"Wallet"</a>
            <a href="/models">"Models"</a>
            <a href="/refunds">"Refunds"</a>
            <a href="/activity">"Activity"</a>
            <a href="/settings">"Settings"</a>
        </nav>
        <div class="header-account">
            <span class="header-email" data-test="account-email">{account.email}</span>
            <ActionForm action=log_out attr:class="inline-form">
                <button type="submit" class="button button-quiet button-small">"Log out"</button>
            </ActionForm>
        </div>
    }
}

/// The frame of a page for signed-in users: the header shows the account (and sends visitors
/// to the log-in page); `children` are drawn once, outside the header's suspense, so a page's
/// own data loads once per render.
#[component]
pub fn SignedIn(children: Children) -> impl IntoView {
    let account = Resource::new(|| (), |_| crate::auth::current_account());

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="site-header-inner">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"2"</span>
                    "Twofold"
                </a>
                <Suspense>
                    {move || Suspend::new(async move {
                        match account.await {
                            Ok(Some(account)) => view! { <SignedInHeader account/> }.into_any(),
                            _ => view! { <leptos_router::components::Redirect path="/login"/> }
                                .into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </header>
        <main id="main" class="site-main">{children()}</main>
    }
}
