use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::PageFrame;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }

    view! {
        <Title text="Page not found · Twofold"/>
        <PageFrame account=None>
            <section class="card">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. " <a href="/">"Go to your overview"</a> "."</p>
            </section>
        </PageFrame>
    }
}
