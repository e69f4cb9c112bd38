//! The sign-up and log-in pages: one card, two fields each.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::auth::{LogIn, SignUp, current_account};
use crate::components::{FormAlert, FormErrors, PageFrame, TextField};
use crate::error::FormError;

#[component]
pub fn SignUpPage() -> impl IntoView {
    view! {
        <Title text="Create your account · Twofold"/>
        <VisitorsOnly>
            <AccountCard
                heading="Create your account"
                lede="Twofold keeps your wallet and the money prepared for each AI model apart, and explains every number. Start with an account; setting up the wallet comes next."
            >
                <SignUpForm/>
                <p class="card-footer">"Already have an account? " <a href="/login">"Log in"</a></p>
            </AccountCard>
        </VisitorsOnly>
    }
}

#[component]
pub fn LogInPage() -> impl IntoView {
    view! {
        <Title text="Log in · Twofold"/>
        <VisitorsOnly>
            <AccountCard heading="Log in" lede="Welcome back. Your wallet stays locked until you unlock it.">
                <LogInForm/>
                <p class="card-footer">"New to Twofold? " <a href="/signup">"Create an account"</a></p>
            </AccountCard>
        </VisitorsOnly>
    }
}

/// Shows its children to visitors and sends a signed-in user home.
#[component]
fn VisitorsOnly(children: ChildrenFn) -> impl IntoView {
    let account = Resource::new(|| (), |_| current_account());

    view! {
        <Suspense>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match account.await {
                        Ok(Some(_)) => view! { <Redirect path="/"/> }.into_any(),
                        _ => view! { <PageFrame account=None>{children()}</PageFrame> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn AccountCard(heading: &'static str, lede: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="card account-card" aria-labelledby="account-card-heading">
            <h1 id="account-card-heading">{heading}</h1>
            <p class="lede">{lede}</p>
            {children()}
        </section>
    }
}

#[component]
fn SignUpForm() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let errors = FormErrors::new(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let password = clear_after_failure(action);

    view! {
        <ActionForm action attr:class="stack" attr:novalidate=true attr:data-test="signup-form">
            <FormAlert message=errors.general()/>
            <TextField
                name="email"
                label="Email"
                input_type="email"
                autocomplete="email"
                value=errors.kept("email").unwrap_or_default()
                error=errors.field("email")
            />
            <TextField
                name="password"
                label="Password"
                input_type="password"
                autocomplete="new-password"
                node_ref=password
                hint="At least 10 characters. A few unrelated words make a strong one."
                maxlength=128
                error=errors.field("password")
            />
            <button type="submit" class="button button-primary" disabled=pending>
                {move || if pending.get() { "Creating account…" } else { "Create account" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn LogInForm() -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    let errors = FormErrors::new(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    let password = clear_after_failure(action);

    view! {
        <ActionForm action attr:class="stack" attr:novalidate=true attr:data-test="login-form">
            <FormAlert message=errors.general()/>
            <TextField
                name="email"
                label="Email"
                input_type="email"
                autocomplete="username"
                value=errors.kept("email").unwrap_or_default()
                error=errors.field("email")
            />
            <TextField
                name="password"
                label="Password"
                input_type="password"
                autocomplete="current-password"
                node_ref=password
                error=errors.field("password")
            />
            <button type="submit" class="button button-primary" disabled=pending>
                {move || if pending.get() { "Logging in…" } else { "Log in" }}
            </button>
        </ActionForm>
    }
}

/// A handle for a password input that is emptied whenever the action fails, so a password is
/// never kept in the form, with or without JavaScript.
fn clear_after_failure<S>(action: ServerAction<S>) -> NodeRef<leptos::html::Input>
where
    S: leptos::server_fn::ServerFn<Error = FormError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        let failed = action.value().with(|value| matches!(value, Some(Err(_))));
        if let (true, Some(input)) = (failed, input.get()) {
            input.set_value("");
        }
    });
    input
}
