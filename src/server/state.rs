use super::{shutdown::ShutdownListener, store::Database};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

/// What every handler can reach. Cloned per request, so every field is a cheap handle.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub database: Database,
    pub shutdown: ShutdownListener,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
