//! The settings page's "Assignment" form: whether agents take conversations from the queue or
//! each goes at once to a free agent, and how many automatic assignment gives one agent.

use super::{SaveStatus, Saving};
use crate::app::dashboard::desk::Desk;
use crate::client::api;
use crate::protocol::{AssignmentMode, RoutingSettings, MAX_CAPACITY};
use leptos::{ev, prelude::*};

#[component]
pub fn RoutingForm(desk: Desk, settings: RoutingSettings) -> impl IntoView {
    let auto = RwSignal::new(settings.assignment == AssignmentMode::Auto);
    let capacity = RwSignal::new(settings.capacity.to_string());
    let saving = RwSignal::new(Saving::Idle);
    let save = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let Some(capacity) = parse_capacity(&capacity.get()) else {
            let why = format!("Conversations per agent: a whole number from 1 to {MAX_CAPACITY}.");
            saving.set(Saving::Failed(why));
            return;
        };
        let assignment = if auto.get() {
            AssignmentMode::Auto
        } else {
            AssignmentMode::Manual
        };
        saving.set(Saving::Busy);
        save_routing(
            desk,
            RoutingSettings {
                assignment,
                capacity,
            },
            saving,
        );
    };
    view! {
        // Checked here, in words, rather than by the browser's own bubble.
        <form class="form settings__form" on:submit=save aria-label="Assignment" novalidate>
            <h2>"Assignment"</h2>
            <fieldset class="field settings__choices">
                <legend class="field__label">"Conversations that need a person"</legend>
                <label class="check">
                    <input type="radio" name="assignment" value="manual"
                        prop:checked=move || !auto.get() on:change=move |_| auto.set(false) />
                    <span>
                        <strong>"Agents take them from the queue"</strong>
                        <span class="field__hint">"They wait under Unassigned until someone chooses Assign to me."</span>
                    </span>
                </label>
                <label class="check">
                    <input type="radio" name="assignment" value="auto"
                        prop:checked=move || auto.get() on:change=move |_| auto.set(true) />
                    <span>
                        <strong>"Assign them automatically"</strong>
                        <span class="field__hint">"Each goes at once to the available agent with the fewest open conversations. When everyone is full, busy or away, it waits in the queue for the next one free, oldest first."</span>
                    </span>
                </label>
            </fieldset>
            <label class="field">
                <span class="field__label">"Conversations per agent"</span>
                <input type="number" min="1" max=MAX_CAPACITY step="1" inputmode="numeric"
                    aria-describedby="capacity-hint" disabled=move || !auto.get()
                    prop:value=move || capacity.get() on:input=move |ev| capacity.set(event_target_value(&ev)) />
                <span class="field__hint" id="capacity-hint">"Automatic assignment gives nobody more than this at once. Agents can still take more themselves."</span>
            </label>
            <div class="editor__actions">
                <button type="submit" class="button button--primary" disabled=move || saving.get() == Saving::Busy>
                    {move || if saving.get() == Saving::Busy { "Saving…" } else { "Save assignment" }}
                </button>
                <SaveStatus saving saved="Saved. Conversations waiting now are handed out at once." />
            </div>
        </form>
    }
}

fn parse_capacity(typed: &str) -> Option<u32> {
    typed
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=MAX_CAPACITY).contains(n))
}

fn save_routing(desk: Desk, request: RoutingSettings, saving: RwSignal<Saving>) {
    let token = desk.token.get_value();
    leptos::task::spawn_local(async move {
        match api::save_routing_settings(&token, &request).await {
            Ok(_) => saving.set(Saving::Saved),
            Err(error) if error.is_unauthorized() => desk.fail(error),
            Err(error) => saving.set(Saving::Failed(error.to_string())),
        }
    });
}
