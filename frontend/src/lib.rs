//! The wasm entry point: hydrates the page the server rendered, so forms and links work without
//! a full reload. Every page works without it.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
