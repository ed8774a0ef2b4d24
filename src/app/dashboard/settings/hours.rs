//! The settings page's "Office hours": when the team answers, in its time zone. Outside them
//! the widget says when the team is back and asks visitors for an email address.

use super::{SaveStatus, Saving};
use crate::app::dashboard::desk::Desk;
use crate::client::api;
use crate::protocol::OfficeHoursSettings;
use leptos::{ev, prelude::*};

#[component]
pub fn HoursForm(desk: Desk, settings: OfficeHoursSettings) -> impl IntoView {
    let hours = RwSignal::new(settings.hours.clone().unwrap_or_default());
    let timezone = RwSignal::new(settings.timezone.clone());
    let saving = RwSignal::new(Saving::Idle);
    let save = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(Saving::Busy);
        let request = OfficeHoursSettings {
            hours: Some(hours.get()),
            timezone: timezone.get(),
        };
        let token = desk.token.get_value();
        leptos::task::spawn_local(async move {
            match api::save_hours_settings(&token, &request).await {
                Ok(_) => saving.set(Saving::Saved),
                Err(error) if error.is_unauthorized() => desk.fail(error),
                Err(error) => saving.set(Saving::Failed(error.to_string())),
            }
        });
    };
    view! {
        <form class="form settings__form" on:submit=save aria-label="Office hours">
            <h2>"Office hours"</h2>
            <label class="field">
                <span class="field__label">"When your team answers"</span>
                <input type="text" maxlength="300" placeholder="Mon-Fri 08:00-20:00, Sat 10:00-16:00"
                    aria-describedby="hours-hint" spellcheck="false"
                    prop:value=move || hours.get() on:input=move |ev| hours.set(event_target_value(&ev)) />
                <span class="field__hint" id="hours-hint">"Days, then hours, separated by commas. Left empty: at any hour. Outside these hours the widget tells visitors when you are back and asks for their email."</span>
            </label>
            <label class="field">
                <span class="field__label">"Time zone"</span>
                <input type="text" maxlength="64" placeholder="Europe/Amsterdam" spellcheck="false"
                    aria-describedby="timezone-hint"
                    prop:value=move || timezone.get() on:input=move |ev| timezone.set(event_target_value(&ev)) />
                <span class="field__hint" id="timezone-hint">"The hours are in this zone, daylight saving included: a name such as Europe/Amsterdam or America/New_York."</span>
            </label>
            <div class="editor__actions">
                <button type="submit" class="button button--primary" disabled=move || saving.get() == Saving::Busy>
                    {move || if saving.get() == Saving::Busy { "Saving…" } else { "Save office hours" }}
                </button>
                <SaveStatus saving saved="Saved. The widget follows these hours now." />
            </div>
        </form>
    }
}
