//! `/settings`: API keys, the wallet's auto-lock, and the password.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{FormAlert, FormErrors, SignedIn, SubmitButton, TextField};
use crate::pages::wallet::AutoLockForm;
use crate::settings::{
    ApiKeyRow, ChangePassword, CreateApiKey, DeleteApiKey, SettingsPage, load_settings,
};
use crate::wallet::SetAutoLock;

#[component]
pub fn SettingsPageView() -> impl IntoView {
    view! {
        <Title text="Settings · Twofold"/>
        <SignedIn>
            <SettingsContent/>
        </SignedIn>
    }
}

#[component]
fn SettingsContent() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let delete = ServerAction::<DeleteApiKey>::new();
    let auto_lock = ServerAction::<SetAutoLock>::new();
    let password = ServerAction::<ChangePassword>::new();
    let page = Resource::new(
        move || {
            (
                create.version().get(),
                delete.version().get(),
                auto_lock.version().get(),
            )
        },
        |_| load_settings(),
    );

    view! {
        <div class="page-heading">
            <h1>"Settings"</h1>
        </div>
        <ApiKeys create delete page/>
        <Transition>
            {move || Suspend::new(async move {
                let data = page.await.ok();
                let minutes = data.as_ref().and_then(|data| data.auto_lock_minutes);
                let password_changed = data.and_then(|data| data.password_changed);
                view! {
                    <AutoLock action=auto_lock minutes/>
                    <PasswordForm action=password changed_before_reload=password_changed/>
                }
            })}
        </Transition>
    }
}

#[component]
fn ApiKeys(
    create: ServerAction<CreateApiKey>,
    delete: ServerAction<DeleteApiKey>,
    page: Resource<Result<SettingsPage, crate::error::FormError>>,
) -> impl IntoView {
    let errors = FormErrors::new(move || create.value().get().and_then(Result::err));
    let created = move || create.value().get().and_then(Result::ok);
    // Without JavaScript the new key arrives with the page data instead.
    let created_before_reload = move || {
        page.get()
            .and_then(Result::ok)
            .and_then(|data| data.created_key)
    };

    view! {
        <section class="card" aria-labelledby="api-keys-heading">
            <h2 id="api-keys-heading">"API keys"</h2>
            <p class="muted">
                "An API key lets a program use Twofold's JSON API as you, with "
                <code>"Authorization: Bearer <key>"</code>
                ". The key is shown once, when it is created; Twofold keeps only a hash of it."
            </p>
            <Transition>
                {move || {
                    created()
                        .or_else(created_before_reload)
                        .map(|key| view! { <NewKey name=key.name key=key.key/> })
                }}
            </Transition>
            <ActionForm action=create attr:class="stack inline-fields" attr:novalidate=true attr:data-test="api-key-form">
                <FormAlert message=errors.general()/>
                <TextField
                    name="name"
                    id="api-key-name"
                    label="Name of the new key"
                    hint="Say where it will be used, such as \"billing script\"."
                    maxlength=100
                    value=errors.kept("name").unwrap_or_default()
                    error=errors.field("name")
                />
                <SubmitButton label="Create API key" pending_label="Creating…" pending=create.pending()/>
            </ActionForm>
            <Transition>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(data) => view! { <KeyList keys=data.api_keys delete/> }.into_any(),
                        Err(error) => view! { <p class="form-alert" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The secret of a key just created, with a copy button.
#[component]
fn NewKey(name: String, key: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    // Copying needs JavaScript; without it the button would do nothing, so it appears only
    // once the page has hydrated (effects run only in the browser).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let copy = {
        let key = key.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let clipboard = window().navigator().clipboard();
                let _ = clipboard.write_text(&key);
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &key;
        }
    };

    view! {
        <div class="new-key" role="status" data-test="new-api-key">
            <p>
                <strong>{format!("Key \u{201c}{name}\u{201d} created.")}</strong>
                " Copy it now (select it in the field below): it will not be shown again."
            </p>
            <div class="new-key-row">
                <label for="new-key-value" class="visually-hidden">"The new API key"</label>
                <input id="new-key-value" class="new-key-value" readonly value=key/>
                <button type="button" class="button button-small" hidden=move || !hydrated.get() on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
        </div>
    }
}

#[component]
fn KeyList(keys: Vec<ApiKeyRow>, delete: ServerAction<DeleteApiKey>) -> impl IntoView {
    if keys.is_empty() {
        return view! { <p class="muted" data-test="no-api-keys">"You have no API keys."</p> }
            .into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="entries" data-test="api-keys">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {keys
                        .into_iter()
                        .map(|key| {
                            let label = format!("Delete {}", key.name);
                            view! {
                                <tr>
                                    <td>{key.name}</td>
                                    <td>{key.created_at}</td>
                                    <td>{key.last_used_at.unwrap_or_else(|| "Never".to_owned())}</td>
                                    <td class="numeric">
                                        <ActionForm action=delete attr:class="inline-form">
                                            <input type="hidden" name="id" value=key.id/>
                                            <SubmitButton
                                                label="Delete"
                                                pending_label="Deleting…"
                                                pending=delete.pending()
                                                class="button button-small button-quiet"
                                                aria_label=label
                                            />
                                        </ActionForm>
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
}

#[component]
fn AutoLock(action: ServerAction<SetAutoLock>, minutes: Option<u32>) -> impl IntoView {
    match minutes {
        Some(minutes) => view! { <AutoLockForm action minutes/> }.into_any(),
        None => view! {
            <section class="card" aria-labelledby="auto-lock-heading">
                <h2 id="auto-lock-heading">"Wallet auto-lock"</h2>
                <p class="muted">"Set up your wallet first: " <a href="/setup">"set up"</a> "."</p>
            </section>
        }
        .into_any(),
    }
}

#[component]
fn PasswordForm(
    action: ServerAction<ChangePassword>,
    /// The outcome of a change made without JavaScript, before this page was drawn.
    changed_before_reload: Option<String>,
) -> impl IntoView {
    let errors = FormErrors::new(move || action.value().get().and_then(Result::err));
    let done = move || {
        action
            .value()
            .get()
            .and_then(Result::ok)
            .or(changed_before_reload.clone())
    };

    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <p class="form-status" role="status">{done}</p>
            <ActionForm action attr:class="stack inline-fields" attr:novalidate=true attr:data-test="password-form">
                <FormAlert message=errors.general()/>
                <TextField
                    name="current_password"
                    label="Current password"
                    input_type="password"
                    autocomplete="current-password"
                    error=errors.field("current_password")
                />
                <TextField
                    name="new_password"
                    label="New password"
                    input_type="password"
                    autocomplete="new-password"
                    hint="At least 10 characters. Changing it logs out every other session."
                    maxlength=128
                    error=errors.field("new_password")
                />
                <SubmitButton label="Change password" pending_label="Changing…" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}
