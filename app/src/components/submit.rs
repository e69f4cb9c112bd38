use leptos::prelude::*;

/// A form's submit button. While its action runs (with JavaScript on) it says what it is doing
/// and cannot be pressed again; without JavaScript the browser's own page load shows progress.
#[component]
pub fn SubmitButton(
    #[prop(into)] label: String,
    /// What the button says while the action runs, such as "Locking…".
    #[prop(into)]
    pending_label: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(default = "button")] class: &'static str,
    /// A fuller name for assistive technology, when the visible label is short ("Delete").
    #[prop(optional, into)]
    aria_label: Option<String>,
) -> impl IntoView {
    view! {
        <button type="submit" class=class disabled=move || pending.get() aria-label=aria_label>
            {move || if pending.get() { pending_label.clone() } else { label.clone() }}
        </button>
    }
}
