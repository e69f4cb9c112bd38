use leptos::prelude::*;

use crate::error::FormError;

/// The error of a form's last submission, as signals its fields read.
#[derive(Clone, Copy)]
pub struct FormErrors {
    last: Signal<Option<FormError>>,
}

impl FormErrors {
    pub fn new(last: impl Fn() -> Option<FormError> + Send + Sync + 'static) -> Self {
        Self {
            last: Signal::derive(last),
        }
    }

    /// The error message for one field.
    pub fn field(&self, name: &'static str) -> Signal<Option<String>> {
        let last = self.last;
        Signal::derive(move || last.get().and_then(|error| error.for_field(name)))
    }

    /// The error message that concerns no single field.
    pub fn general(&self) -> Signal<Option<String>> {
        let last = self.last;
        Signal::derive(move || last.get().and_then(|error| error.general()))
    }

    /// What the person typed into `name` before the page was drawn again.
    pub fn kept(&self, name: &str) -> Option<String> {
        self.last.get_untracked().and_then(|error| error.kept(name))
    }
}

/// A labelled input with an optional hint and an error tied to it for assistive technology
/// (`aria-invalid`, `aria-describedby`).
#[component]
pub fn TextField(
    /// The form field name; also the base of the element ids.
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] inputmode: Option<&'static str>,
    /// The value to show in the field when the page is first drawn.
    #[prop(optional, into)]
    value: Option<String>,
    /// The error for this field, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    #[prop(optional)] minlength: Option<u32>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(default = true)] required: bool,
    /// The input's id, when a page has two forms with a field of the same name.
    #[prop(optional, into)]
    id: Option<String>,
    /// A handle on the input, for forms that need to reach it (to clear a password, say).
    #[prop(optional)]
    node_ref: NodeRef<leptos::html::Input>,
    /// The field's rule, checked in the browser at each keystroke (see [`crate::checks`]);
    /// the server checks it again either way.
    #[prop(optional)]
    check: Option<fn(&str) -> Option<String>>,
    /// Told the value at each keystroke, for figures that follow what is typed.
    #[prop(optional_no_strip)]
    on_input: Option<Callback<String>>,
    /// Marks the error message for tests; `error-{name}` unless given.
    #[prop(optional, into)]
    error_test: Option<String>,
) -> impl IntoView {
    let input_id = id.unwrap_or_else(|| format!("field-{name}"));
    let error_test = error_test.unwrap_or_else(|| format!("error-{name}"));
    // What the browser found on the value as typed; `None` until the person edits the field
    // after the last answer from the server, whose error is shown until then.
    let typed = RwSignal::new(None::<Option<String>>);
    Effect::new(move |_| {
        error.track();
        typed.set(None);
    });
    let error = Signal::derive(move || typed.get().unwrap_or_else(|| error.get()));
    // Checked on every keystroke, not when the field loses focus: a message appearing then
    // would move the submit button under a pointer already pressing it, and the click be lost.
    let recheck = move |value: String| {
        if let Some(check) = check {
            typed.set(Some(check(&value)));
        }
        if let Some(on_input) = on_input {
            on_input.run(value);
        }
    };
    let hint_id = format!("{input_id}-hint");
    let error_id = format!("{input_id}-error");
    let described_by = {
        let hint_id = hint_id.clone();
        let error_id = error_id.clone();
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };

    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=input_id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id.clone()>{hint}</p> })}
            <input
                node_ref=node_ref
                id=input_id
                name=name
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                value=value
                required=required
                minlength=minlength
                maxlength=maxlength
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
                on:input=move |event| recheck(event_target_value(&event))
            />
            <p class="field-error" id=error_id role="alert" data-test=error_test>
                {move || error.get()}
            </p>
        </div>
    }
}

/// A message about the whole form rather than one field.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="form-alert" role="alert" class:form-alert-empty=move || message.get().is_none()>
            {move || message.get()}
        </p>
    }
}
