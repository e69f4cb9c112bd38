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
