//! `GET /help/{widgetKey}` and `GET /help/{widgetKey}/{slug}`: the tenant's public help center,
//! rendered by the server ([`crate::app::help`]).

use super::markdown::to_safe_html;
use crate::app::help::{help_article, help_index, HelpEntry};
use crate::server::{hub::HubError, state::AppState};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use leptos::prelude::*;

fn not_found(what: &str) -> Response {
    // The hub says "widget key"; a reader looked for a help center.
    let what = if what == "widget key" {
        "help center"
    } else {
        what
    };
    (StatusCode::NOT_FOUND, format!("There is no {what} here.")).into_response()
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The help center is unavailable right now.",
    )
        .into_response()
}

/// The page's HTML, rendered in an owner of its own.
fn render(view: impl IntoView + 'static) -> Response {
    let owner = Owner::new();
    Html(owner.with(|| view.into_view().to_html())).into_response()
}

pub async fn index(State(state): State<AppState>, Path(widget_key): Path<String>) -> Response {
    let (tenant, articles) = match state.hub.help_center(&widget_key).await {
        Ok(found) => found,
        Err(HubError::NotFound(_)) => return not_found("help center"),
        Err(_) => return unavailable(),
    };
    let entries = articles
        .into_iter()
        .map(|a| HelpEntry {
            slug: a.slug,
            title: a.title,
        })
        .collect();
    render(help_index(widget_key, tenant, entries))
}

pub async fn article(
    State(state): State<AppState>,
    Path((widget_key, slug)): Path<(String, String)>,
) -> Response {
    let (tenant, article) = match state.hub.help_article(&widget_key, &slug).await {
        Ok(found) => found,
        Err(HubError::NotFound(what)) => return not_found(what),
        Err(_) => return unavailable(),
    };
    let html = to_safe_html(&article.body);
    render(help_article(widget_key, tenant, article.title, html))
}
