//! Twofold's pages and components, and the server functions they call.
//!
//! Every page renders completely on the server (`SsrMode::Async`), so it works with JavaScript
//! off: forms post to server functions, which answer a plain form post with a redirect back to
//! the page. The `hydrate` build makes the same pages interactive in the browser.

// Leptos views are deeply nested types; the default limit is too low for the larger pages.
#![recursion_limit = "256"]

pub mod activity;
pub mod auth;
pub mod checks;
pub mod components;
pub mod error;
pub mod models;
pub mod overview;
pub mod pages;
pub mod settings;
pub mod setup;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
pub mod state;
pub mod views;
pub mod wallet;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::pages::{
    ActivityPageView, HomePage, LogInPage, NotFoundPage, SettingsPageView, SetupWizard, SignUpPage,
    WalletPage,
};
use crate::pages::{ModelPage, ModelsPage, RefundsPage};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy::provide();

    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <meta name=checks::MONEY_RULES_META content=money_rules_meta()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The deployment's money rules for the browser; see [`checks`].
#[cfg(feature = "ssr")]
fn money_rules_meta() -> Option<String> {
    let settings = use_context::<state::AppState>()?.funding.settings().clone();
    let rules = checks::MoneyRules {
        amounts: settings.amount_rules(),
        fee_flat: settings.funding_fee_flat,
        fee_percent: settings.funding_fee_percent,
    };
    Some(rules.to_meta())
}

/// The shell is drawn on the server only.
#[cfg(not(feature = "ssr"))]
fn money_rules_meta() -> Option<String> {
    None
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run in the browser only: the mark tells browser tests the page is hydrated.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="twofold" href="/pkg/twofold.css"/>
        <Title text="Twofold"/>
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LogInPage ssr=SsrMode::Async/>
                <Route path=path!("/models") view=ModelsPage ssr=SsrMode::Async/>
                <Route path=path!("/models/:id") view=ModelPage ssr=SsrMode::Async/>
                <Route path=path!("/refunds") view=RefundsPage ssr=SsrMode::Async/>
                <Route path=path!("/wallet") view=WalletPage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=SetupWizard ssr=SsrMode::Async/>
                <Route path=path!("/activity") view=ActivityPageView ssr=SsrMode::Async/>
                <Route path=path!("/settings") view=SettingsPageView ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

#[cfg(feature = "ssr")]
mod content_security_policy {
    use leptos::nonce::{provide_nonce, use_nonce};
    use leptos::prelude::*;

    /// Gives the page a fresh nonce and a Content-Security-Policy that allows only scripts
    /// carrying it (Leptos's hydration loader), the site's own files, and compiling wasm.
    pub fn provide() {
        provide_nonce();
        let (Some(nonce), Some(response)) =
            (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        else {
            return;
        };
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
