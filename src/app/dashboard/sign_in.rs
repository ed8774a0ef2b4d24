use super::Auth;
use crate::client::api;
use crate::protocol::LoginRequest;
use leptos::prelude::*;

/// What the agent typed, and where the sign-in stands.
#[derive(Clone, Copy)]
struct SignInForm {
    email: RwSignal<String>,
    password: RwSignal<String>,
    problem: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl SignInForm {
    fn new(notice: Option<String>) -> Self {
        Self {
            email: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            problem: RwSignal::new(notice),
            busy: RwSignal::new(false),
        }
    }

    /// Signs in with what was typed, one attempt at a time; a refusal says why.
    fn submit(self, on_signed_in: Callback<Auth>) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.problem.set(None);
        let request = LoginRequest {
            email: self.email.get_untracked().trim().to_string(),
            password: self.password.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::login(&request).await {
                Ok(signed_in) => on_signed_in.run(Auth {
                    token: signed_in.token,
                    agent: signed_in.agent,
                }),
                Err(error) => {
                    self.problem.set(Some(error.to_string()));
                    self.busy.set(false);
                }
            }
        });
    }
}

/// The agents' sign-in form. Its labels and button are the accessible names that screen readers
/// and the browser tests (end2end/) find: "Email", "Password" and "Sign in".
#[component]
pub fn SignIn(
    on_signed_in: Callback<Auth>,
    /// Why the agent is here again (an expired session).
    notice: Option<String>,
) -> impl IntoView {
    let form = SignInForm::new(notice);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit(on_signed_in);
    };

    view! {
        <main class="page page--centered sign-in">
            <section class="card sign-in__card">
                <SignInBrand />
                <form class="form" on:submit=submit>
                    <label class="field">
                        <span class="field__label">"Email"</span>
                        <input
                            type="email"
                            name="email"
                            autocomplete="username"
                            required
                            bind:value=form.email
                        />
                    </label>
                    <label class="field">
                        <span class="field__label">"Password"</span>
                        <input
                            type="password"
                            name="password"
                            autocomplete="current-password"
                            required
                            bind:value=form.password
                        />
                    </label>
                    <p class="form__problem" role="alert">
                        {move || form.problem.get()}
                    </p>
                    <button type="submit" class="button button--primary" disabled=move || form.busy.get()>
                        {move || if form.busy.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
            </section>
        </main>
    }
}

#[component]
fn SignInBrand() -> impl IntoView {
    view! {
        <header class="sign-in__brand">
            <span class="brand-mark" aria-hidden="true">"S"</span>
            <div>
                <h1>"Switchboard"</h1>
                <p class="muted">"Sign in to answer your customers"</p>
            </div>
        </header>
    }
}
