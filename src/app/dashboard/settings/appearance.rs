//! The settings page's "Widget appearance": the widget's title, colour, avatar and corner, with
//! a live preview of the widget as visitors will see it (its greeting comes from the assistant
//! form beside it). `admin tenant set --title --colour --avatar --launcher` changes the same.

use super::{SaveStatus, Saving};
use crate::app::dashboard::desk::Desk;
use crate::app::messenger::WidgetAvatar;
use crate::appearance::{Palette, DEFAULT_COLOUR};
use crate::client::api::{self, RequestError};
use crate::protocol::{AppearanceRequest, AppearanceSettings, LauncherSide, WidgetLook};
use leptos::{ev, prelude::*};

/// The appearance being edited; `look` is what the preview shows.
#[derive(Clone, Copy)]
struct Draft {
    tenant_name: StoredValue<String>,
    title: RwSignal<String>,
    colour: RwSignal<String>,
    launcher: RwSignal<LauncherSide>,
    avatar_url: RwSignal<Option<String>>,
}

impl Draft {
    fn new(settings: &AppearanceSettings) -> Self {
        Self {
            tenant_name: StoredValue::new(settings.tenant_name.clone()),
            title: RwSignal::new(settings.title.clone().unwrap_or_default()),
            colour: RwSignal::new(
                settings
                    .colour
                    .clone()
                    .unwrap_or_else(|| DEFAULT_COLOUR.into()),
            ),
            launcher: RwSignal::new(settings.launcher),
            avatar_url: RwSignal::new(settings.avatar_url.clone()),
        }
    }

    fn look(self) -> WidgetLook {
        let palette = Palette::of(Some(&self.colour.get()));
        let title = match self.title.get().trim() {
            "" => self.tenant_name.get_value(),
            own => own.to_string(),
        };
        WidgetLook {
            title,
            colour: palette.brand.hex(),
            on_colour: palette.on_brand.hex(),
            launcher: self.launcher.get(),
            avatar_url: self.avatar_url.get(),
        }
    }

    fn request(self) -> AppearanceRequest {
        AppearanceRequest {
            title: Some(self.title.get_untracked()),
            colour: Some(self.colour.get_untracked()),
            launcher: self.launcher.get_untracked(),
        }
    }
}

#[component]
pub fn AppearanceForm(
    desk: Desk,
    settings: AppearanceSettings,
    /// The greeting as the assistant form has it now.
    greeting: Signal<String>,
) -> impl IntoView {
    let draft = Draft::new(&settings);
    let saving = RwSignal::new(Saving::Idle);
    let save = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(Saving::Busy);
        let token = desk.token.get_value();
        let request = draft.request();
        leptos::task::spawn_local(async move {
            let saved = api::save_appearance(&token, &request).await;
            settle(desk, saving, saved.map(|_| ()));
        });
    };
    view! {
        <div class="appearance">
            <form class="form settings__form" on:submit=save aria-label="Widget appearance">
                <h2>"Widget appearance"</h2>
                <label class="field">
                    <span class="field__label">"Title"</span>
                    <input type="text" maxlength="60" placeholder=settings.tenant_name.clone()
                        prop:value=move || draft.title.get() on:input=move |ev| draft.title.set(event_target_value(&ev)) />
                    <span class="field__hint">"At the top of the widget. Left empty: your shop's name."</span>
                </label>
                <ColourField colour=draft.colour />
                <LauncherChoice launcher=draft.launcher />
                <AvatarField desk avatar_url=draft.avatar_url />
                <div class="editor__actions">
                    <button type="submit" class="button button--primary" disabled=move || saving.get() == Saving::Busy>
                        {move || if saving.get() == Saving::Busy { "Saving…" } else { "Save appearance" }}
                    </button>
                    <SaveStatus saving saved="Saved. Visitors see the new look on their next page." />
                </div>
            </form>
            <WidgetPreview look=Signal::derive(move || draft.look()) greeting />
        </div>
    }
}

/// Where a save ended: saved, the problem in words, or signed out.
fn settle(desk: Desk, saving: RwSignal<Saving>, result: Result<(), RequestError>) {
    match result {
        Ok(()) => saving.set(Saving::Saved),
        Err(error) if error.is_unauthorized() => desk.fail(error),
        Err(error) => saving.set(Saving::Failed(error.to_string())),
    }
}

/// The colour, picked or typed, and what text on it will be.
#[component]
fn ColourField(colour: RwSignal<String>) -> impl IntoView {
    let contrast = move || {
        let palette = Palette::of(Some(&colour.get()));
        let ink = if palette.on_brand.hex() == "#ffffff" {
            "white"
        } else {
            "black"
        };
        format!(
            "Text on it is {ink}, at {:.1}:1 contrast: readable for everyone (WCAG AA).",
            palette.on_brand_contrast()
        )
    };
    view! {
        <div class="field">
            <span class="field__label" id="colour-label">"Colour"</span>
            <div class="colour">
                <input type="color" aria-labelledby="colour-label" prop:value=move || colour.get()
                    on:input=move |ev| colour.set(event_target_value(&ev)) />
                <input type="text" aria-label="Colour code" maxlength="7" pattern="#[0-9a-fA-F]{6}" spellcheck="false"
                    prop:value=move || colour.get() on:input=move |ev| colour.set(event_target_value(&ev)) />
            </div>
            <span class="field__hint">{contrast}</span>
        </div>
    }
}

#[component]
fn LauncherChoice(launcher: RwSignal<LauncherSide>) -> impl IntoView {
    let option = move |side: LauncherSide, label: &'static str| {
        view! {
            <label class="check">
                <input type="radio" name="launcher" prop:checked=move || launcher.get() == side
                    on:change=move |_| launcher.set(side) />
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <fieldset class="field choice">
            <legend class="field__label">"Chat bubble"</legend>
            {option(LauncherSide::Right, "Bottom right of the page")}
            {option(LauncherSide::Left, "Bottom left of the page")}
        </fieldset>
    }
}

/// The avatar: an uploaded image (saved at once) or the title's initials.
#[component]
fn AvatarField(desk: Desk, avatar_url: RwSignal<Option<String>>) -> impl IntoView {
    let status = RwSignal::new(Saving::Idle);
    let done = move |result: Result<AppearanceSettings, RequestError>| match result {
        Ok(settings) => {
            avatar_url.set(settings.avatar_url);
            status.set(Saving::Saved);
        }
        Err(error) if error.is_unauthorized() => desk.fail(error),
        Err(error) => status.set(Saving::Failed(error.to_string())),
    };
    let chosen = move |ev: ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            status.set(Saving::Busy);
            let token = desk.token.get_value();
            leptos::task::spawn_local(async move { done(api::upload_avatar(&token, file).await) });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, done);
    };
    let remove = move |_| {
        status.set(Saving::Busy);
        let token = desk.token.get_value();
        leptos::task::spawn_local(async move { done(api::remove_avatar(&token).await) });
    };
    view! {
        <fieldset class="field choice">
            <legend class="field__label">"Avatar"</legend>
            <p class="field__hint">
                {move || if avatar_url.with(Option::is_some) { "Your image." } else { "Your title's initials, until you upload an image." }}
            </p>
            <div class="avatar-actions">
                <label class="button button--quiet file-button">
                    "Upload an image"
                    <input type="file" class="visually-hidden" accept="image/png,image/jpeg,image/gif,image/webp" on:change=chosen />
                </label>
                <Show when=move || avatar_url.with(Option::is_some)>
                    <button type="button" class="button button--quiet" on:click=remove>"Use initials instead"</button>
                </Show>
            </div>
            <span class="field__hint">"PNG, JPEG, GIF or WebP, square works best."</span>
            <SaveStatus saving=status saved="Avatar saved." />
        </fieldset>
    }
}

/// The widget as a visitor will see it, drawn with the same colours and avatar.
#[component]
fn WidgetPreview(look: Signal<WidgetLook>, greeting: Signal<String>) -> impl IntoView {
    let colours = move || Palette::of(Some(&look.get().colour)).css_variables();
    let greeting = move || match greeting.get().trim() {
        "" => super::DEFAULT_GREETING.to_string(),
        own => own.to_string(),
    };
    let side = move || {
        format!(
            "preview__launcher preview__launcher--{}",
            look.get().launcher.as_str()
        )
    };
    view! {
        <figure class="preview" style=colours aria-label="Preview of the widget">
            <div class="preview__widget">
                <div class="preview__header">
                    <WidgetAvatar look />
                    <div>
                        <p class="preview__title">{move || look.get().title}</p>
                        <p class="preview__subtitle">"AI assistant · a person can join"</p>
                    </div>
                </div>
                <ol class="messages preview__messages">
                    <li class="msg msg--theirs msg--ai"><p class="msg__text">{greeting}</p></li>
                    <li class="msg msg--mine"><p class="msg__text">"Hi! Where is my order?"</p></li>
                </ol>
                <div class="preview__composer">
                    <span class="preview__input">"Type your message…"</span>
                    <span class="composer__send">"Send"</span>
                </div>
            </div>
            <div class=side aria-hidden="true">
                <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                    <path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z" />
                </svg>
            </div>
            <figcaption class="field__hint">"What a visitor sees. Save to publish it."</figcaption>
        </figure>
    }
}
