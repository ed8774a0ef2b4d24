//! `/settings`, for admins: how the tenant's assistant behaves (whether it answers first, which
//! answerer, the widget's greeting and the sentence it says when it hands a visitor to a
//! person), how conversations find an agent (`routing`) and how the widget looks
//! (`appearance`). `admin tenant set` changes the same.

mod appearance;
mod hours;
mod routing;

use super::desk::Desk;
use super::knowledge::AdminsOnly;
use crate::client::api;
use crate::protocol::{
    AgentRole, AppearanceSettings, AssistantSettings, AssistantSettingsRequest,
    OfficeHoursSettings, RoutingSettings,
};
use appearance::AppearanceForm;
use hours::HoursForm;
use leptos::{ev, prelude::*};
use routing::RoutingForm;

/// The greeting the widget shows when the tenant set none (as the messenger does).
const DEFAULT_GREETING: &str = "Hi! How can we help you today?";

#[component]
pub fn SettingsPage() -> impl IntoView {
    let desk = expect_context::<Desk>();
    if desk.me.with_value(|me| me.role) != AgentRole::Admin {
        return view! { <AdminsOnly what="the settings" /> }.into_any();
    }
    let loaded = RwSignal::new(None::<Loaded>);
    Effect::new(move |_| {
        let token = desk.token.get_value();
        leptos::task::spawn_local(async move {
            match Loaded::fetch(&token).await {
                Ok(all) => loaded.set(Some(all)),
                Err(error) => desk.fail(error),
            }
        });
    });
    view! {
        <main class="admin admin--single">
            <section class="admin__main settings" aria-labelledby="settings-title">
                <h1 id="settings-title">"Settings"</h1>
                {move || match loaded.get() {
                    None => view! { <p class="muted" role="status">"Loading the settings…"</p> }.into_any(),
                    Some(all) => view! { <SettingsForms desk all /> }.into_any(),
                }}
            </section>
        </main>
    }
    .into_any()
}

/// Everything the page's forms show.
#[derive(Debug, Clone)]
struct Loaded {
    assistant: AssistantSettings,
    routing: RoutingSettings,
    hours: OfficeHoursSettings,
    look: AppearanceSettings,
}

impl Loaded {
    async fn fetch(token: &str) -> Result<Self, api::RequestError> {
        Ok(Self {
            assistant: api::assistant_settings(token).await?,
            routing: api::routing_settings(token).await?,
            hours: api::hours_settings(token).await?,
            look: api::appearance(token).await?,
        })
    }
}

/// The forms; the appearance's preview shows the greeting as the assistant form has it.
#[component]
fn SettingsForms(desk: Desk, all: Loaded) -> impl IntoView {
    let Loaded {
        assistant,
        routing,
        hours,
        look,
    } = all;
    let greeting = RwSignal::new(assistant.greeting.clone().unwrap_or_default());
    view! {
        <AssistantForm desk settings=assistant greeting />
        <RoutingForm desk settings=routing />
        <HoursForm desk settings=hours />
        <AppearanceForm desk settings=look greeting=greeting.into() />
    }
}

/// Where the last save stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Saving {
    Idle,
    Busy,
    Saved,
    Failed(String),
}

#[component]
fn AssistantForm(
    desk: Desk,
    settings: AssistantSettings,
    greeting: RwSignal<String>,
) -> impl IntoView {
    let enabled = RwSignal::new(settings.enabled);
    let answerer = RwSignal::new(
        settings
            .answerer
            .clone()
            .unwrap_or_else(|| "default".into()),
    );
    let handover = RwSignal::new(settings.handover.clone().unwrap_or_default());
    let saving = RwSignal::new(Saving::Idle);
    let default_handover = settings.default_handover.clone();
    let shown_handover = {
        let default_handover = default_handover.clone();
        move || handover_preview(&handover.get(), &default_handover)
    };
    let save = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(Saving::Busy);
        let request = AssistantSettingsRequest {
            enabled: enabled.get(),
            answerer: Some(answerer.get()),
            greeting: Some(greeting.get()),
            handover: Some(handover.get()),
        };
        save_settings(desk, request, saving);
    };
    let default_label = match &settings.default_answerer {
        Some(name) => format!("The server's default ({})", answerer_label(name)),
        None => "The server's default".to_string(),
    };
    let no_ai = settings.answerers.is_empty();
    view! {
        <form class="form settings__form" on:submit=save aria-label="Assistant">
            <h2>"Assistant"</h2>
            {no_ai.then(|| view! {
                <p class="banner banner--inline" role="note">
                    "This server runs without an assistant (started with --ai off): conversations go straight to your team whatever you choose here."
                </p>
            })}
            <label class="check">
                <input type="checkbox" prop:checked=move || enabled.get()
                    on:change=move |ev| enabled.set(event_target_checked(&ev)) />
                <span>
                    <strong>"The assistant answers first"</strong>
                    <span class="field__hint">"Off: every new conversation goes straight to your team."</span>
                </span>
            </label>
            <label class="field">
                <span class="field__label">"Who answers"</span>
                <AnswererChoice answerer default_label answerers=settings.answerers.clone() />
            </label>
            <label class="field">
                <span class="field__label">"Greeting"</span>
                <input type="text" maxlength="300" placeholder=DEFAULT_GREETING
                    prop:value=move || greeting.get() on:input=move |ev| greeting.set(event_target_value(&ev)) />
                <span class="field__hint">"What the widget says before the visitor writes. Left empty: the placeholder's words."</span>
            </label>
            <label class="field">
                <span class="field__label">"Hand-over sentence"</span>
                <input type="text" maxlength="300" placeholder=default_handover aria-describedby="handover-shown"
                    prop:value=move || handover.get() on:input=move |ev| handover.set(event_target_value(&ev)) />
                <span class="field__hint" id="handover-shown">"A visitor who asks for a person reads: "<q>{shown_handover}</q></span>
            </label>
            <div class="editor__actions">
                <button type="submit" class="button button--primary" disabled=move || saving.get() == Saving::Busy>
                    {move || if saving.get() == Saving::Busy { "Saving…" } else { "Save settings" }}
                </button>
                <SaveStatus saving saved="Saved. New conversations use these settings." />
            </div>
        </form>
    }
}

/// What a visitor who asks for a person reads with this sentence (blank: the built-in one).
fn handover_preview(own: &str, default_sentence: &str) -> String {
    let sentence = match own.trim() {
        "" => default_sentence,
        own => own,
    };
    format!("Thanks, we've let the team know. {sentence}")
}

fn save_settings(desk: Desk, request: AssistantSettingsRequest, saving: RwSignal<Saving>) {
    let token = desk.token.get_value();
    leptos::task::spawn_local(async move {
        match api::save_assistant_settings(&token, &request).await {
            Ok(_) => saving.set(Saving::Saved),
            Err(error) if error.is_unauthorized() => desk.fail(error),
            Err(error) => saving.set(Saving::Failed(error.to_string())),
        }
    });
}

/// The answerers this server offers, the default first.
#[component]
fn AnswererChoice(
    answerer: RwSignal<String>,
    default_label: String,
    answerers: Vec<String>,
) -> impl IntoView {
    view! {
        <select prop:value=move || answerer.get() on:change=move |ev| answerer.set(event_target_value(&ev))>
            <option value="default">{default_label}</option>
            {answerers.iter().map(|name| view! {
                <option value=name.clone()>{answerer_label(name)}</option>
            }).collect_view()}
        </select>
    }
}

/// Where the last save stands, in words (`saved`: what a save did).
#[component]
fn SaveStatus(saving: RwSignal<Saving>, saved: &'static str) -> impl IntoView {
    move || match saving.get() {
        Saving::Failed(why) => view! { <p class="form__problem" role="alert">{why}</p> }.into_any(),
        Saving::Saved => view! {
            <p class="editor__status editor__status--ok" role="status">{saved}</p>
        }
        .into_any(),
        Saving::Idle | Saving::Busy => {
            view! { <p class="editor__status" role="status"></p> }.into_any()
        }
    }
}

/// An answerer's name for people.
fn answerer_label(name: &str) -> String {
    match name {
        "knowledge" => "Built-in, from your knowledge base".into(),
        "openai" => "Language model (OpenAI-compatible), from your knowledge base".into(),
        other => other.into(),
    }
}
