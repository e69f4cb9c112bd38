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
        <div class="header-account">
            <span class="header-email" data-test="account-email">{account.email}</span>
            <ActionForm action=log_out attr:class="inline-form">
                <button type="submit" class="button button-quiet button-small">"Log out"</button>
            </ActionForm>
        </div>
    }
}

/// The frame of a page for signed-in users: loads the account, sends visitors to the log-in
/// page, and draws the header and `children` for the account.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let account = Resource::new(|| (), |_| crate::auth::current_account());

    view! {
        <Suspense>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match account.await {
                        Ok(Some(account)) => {
                            view! { <PageFrame account=Some(account)>{children()}</PageFrame> }
                                .into_any()
                        }
                        _ => view! { <leptos_router::components::Redirect path="/login"/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
