use leptos::prelude::*;

/// An amount with its currency, in tabular figures.
#[component]
pub fn Money(
    #[prop(into)] amount: String,
    #[prop(into)] currency: String,
    /// Written before the amount, such as "+" or "−".
    #[prop(optional)]
    sign: Option<&'static str>,
) -> impl IntoView {
    view! {
        <span class="money">
            {sign}
            {amount}
            " "
            <abbr class="currency" title=currency.clone()>{currency.clone()}</abbr>
        </span>
    }
}

/// One layer's number as a card: its name, the amount, and what it means. `kind` (`wallet`,
/// `model` or `refundable`) gives the layer its colour, the same on every page.
#[component]
pub fn LayerCard(
    kind: &'static str,
    #[prop(into)] label: String,
    #[prop(into)] amount: String,
    #[prop(into)] currency: String,
    /// Marks the figure for tests.
    #[prop(optional)]
    test: Option<&'static str>,
    /// The sentence under the figure.
    children: Children,
) -> impl IntoView {
    view! {
        <div class=format!("layer layer-{kind}")>
            <span class="layer-label">{label}</span>
            <span class="layer-figure" data-test=test>
                <Money amount currency/>
            </span>
            <span class="layer-note">{children()}</span>
        </div>
    }
}
