use super::Auth;
use leptos::prelude::*;

/// The agents' sign-in form. Labels and names follow CONTRACT.md, so that screen readers and the
/// browser tests find "Email", "Password" and "Sign in".
#[component]
pub fn SignIn(
    on_signed_in: Callback<Auth>,
    /// Why the agent is here again (an expired session).
    notice: Option<String>,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(notice);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        let request = crate::protocol::LoginRequest {
            email: email.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match crate::client::api::login(&request).await {
                Ok(signed_in) => on_signed_in.run(Auth {
                    token: signed_in.token,
                    agent: signed_in.agent,
                }),
                Err(error) => {
                    problem.set(Some(error.to_string()));
                    busy.set(false);
                }
            }
        });
    };

    view! {
        <main class="page page--centered sign-in">
            <section class="card sign-in__card">
                <header class="sign-in__brand">
                    <span class="brand-mark" aria-hidden="true">"S"</span>
                    <div>
                        <h1>"Switchboard"</h1>
                        <p class="muted">"Sign in to answer your customers"</p>
                    </div>
                </header>
                <form class="form" on:submit=submit>
                    <label class="field">
                        <span class="field__label">"Email"</span>
                        <input
                            type="email"
                            name="email"
                            autocomplete="username"
                            required
                            bind:value=email
                        />
                    </label>
                    <label class="field">
                        <span class="field__label">"Password"</span>
                        <input
                            type="password"
                            name="password"
                            autocomplete="current-password"
                            required
                            bind:value=password
                        />
                    </label>
                    <p class="form__problem" role="alert">
                        {move || problem.get()}
                    </p>
                    <button type="submit" class="button button--primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
            </section>
        </main>
    }
}
