//! `client::Socket`: the one live connection the widget and the dashboard each keep to the hub.
//!
//! It applies the rules of [`super::live`] in the browser: it reconnects by itself with capped
//! backoff and jitter, pings after 30 s of quiet and drops a link that stays silent, stops for
//! good on 4401/4403, and resends every chat message the server has not confirmed yet after
//! each reconnect. Callers say where to connect (asked again before every attempt, so the
//! widget can put its current `lastSeq` in the URL) and what to do after each (re)connection
//! (the dashboard catches up with `afterSeq` there).

use super::live::LinkState;
use crate::protocol::{ClientCommand, ClientFrame, ServerEvent};
use futures::channel::mpsc;
use leptos::prelude::*;

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Command {
    Send(ClientFrame),
    Stop,
}

/// What the owner of a socket provides. Called on the browser's one thread.
pub struct Handlers {
    /// The `ws://` URL of the next attempt.
    pub url: Box<dyn Fn() -> String>,
    /// After every successful (re)connection, once the queued messages are out.
    pub on_open: Box<dyn Fn()>,
    pub on_event: Box<dyn Fn(ServerEvent)>,
    /// The server refused for good (4401: signed out; 4403: origin not allowed).
    pub on_refused: Box<dyn Fn(u16)>,
}

/// A handle on the live connection. Cheap to clone and to keep in components.
#[derive(Clone)]
pub struct Socket {
    state: RwSignal<LinkState>,
    commands: mpsc::UnboundedSender<Command>,
}

impl Socket {
    /// Where the connection stands, for the "Live" / "Reconnecting…" indicator.
    pub fn state(&self) -> ReadSignal<LinkState> {
        self.state.read_only()
    }

    /// Sends a frame. A chat message with a `clientMessageId` is kept until the server
    /// confirms it, and sent again after a reconnect; anything else is dropped while offline.
    pub fn send(&self, command: ClientCommand) {
        let frame = ClientFrame {
            command,
            timestamp: None,
        };
        let _ = self.commands.unbounded_send(Command::Send(frame));
    }

    /// Closes the connection and stops reconnecting (sign-out, page teardown).
    pub fn stop(&self) {
        let _ = self.commands.unbounded_send(Command::Stop);
    }
}

/// A fresh id for a message's `clientMessageId`: unique enough within one session.
pub fn new_client_message_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let now = js_sys::Date::now() as u64;
        let noise = (js_sys::Math::random() * 1e15) as u64;
        format!("c{now:x}{noise:x}")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::from("c0")
    }
}

/// Opens the connection and keeps it open until [`Socket::stop`] or a final refusal.
/// `state` follows the connection, for the page's indicator.
#[cfg(feature = "hydrate")]
pub fn connect(handlers: Handlers, state: RwSignal<LinkState>) -> Socket {
    state.set(LinkState::Connecting);
    let (commands, queued) = mpsc::unbounded();
    leptos::task::spawn_local(browser::run(handlers, state, queued));
    Socket { state, commands }
}

/// On the server there is no socket: the handle exists so that components compile, and it
/// never connects.
#[cfg(not(feature = "hydrate"))]
pub fn connect(_handlers: Handlers, state: RwSignal<LinkState>) -> Socket {
    let (commands, _) = mpsc::unbounded();
    Socket { state, commands }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Command, Handlers};
    use crate::client::live::{self, Backoff, LinkState, Outbox, DEAD_AFTER, PING_EVERY};
    use crate::client::transport::{self, SocketEvent, SocketHandle};
    use crate::protocol::{ClientCommand, ClientFrame, ServerEvent};
    use futures::{channel::mpsc, FutureExt, StreamExt};
    use gloo_timers::future::sleep;
    use leptos::prelude::*;

    enum Ended {
        Closed(u16),
        Stopped,
    }

    pub(super) async fn run(
        handlers: Handlers,
        state: RwSignal<LinkState>,
        mut commands: mpsc::UnboundedReceiver<Command>,
    ) {
        let mut backoff = Backoff::default();
        let mut outbox = Outbox::default();
        loop {
            let (events_tx, mut events) = mpsc::unbounded();
            let opened = transport::open(&(handlers.url)(), move |event| {
                let _ = events_tx.unbounded_send(event);
            });
            let code = match opened {
                Err(_) => 1006,
                Ok(link) => {
                    let ended = serve(
                        &handlers,
                        state,
                        &link,
                        &mut events,
                        &mut commands,
                        &mut outbox,
                        &mut backoff,
                    )
                    .await;
                    match ended {
                        Ended::Closed(code) => code,
                        Ended::Stopped => {
                            link.close();
                            return;
                        }
                    }
                }
            };
            if live::is_final(code) {
                state.set(LinkState::Refused { code });
                (handlers.on_refused)(code);
                return;
            }
            state.set(LinkState::Reconnecting {
                attempt: backoff.attempt() + 1,
            });
            let mut wait = sleep(backoff.next_delay(js_sys::Math::random())).fuse();
            // Messages typed while waiting join the outbox and leave on the next connection.
            loop {
                futures::select! {
                    _ = wait => break,
                    command = commands.next() => match command {
                        Some(Command::Send(frame)) => outbox.keep(&frame),
                        Some(Command::Stop) | None => return,
                    },
                }
            }
        }
    }

    enum Next {
        Event(Option<SocketEvent>),
        Command(Option<Command>),
        Quiet,
    }

    /// Runs one connection until it closes or the owner stops it.
    async fn serve(
        handlers: &Handlers,
        state: RwSignal<LinkState>,
        link: &SocketHandle,
        events: &mut mpsc::UnboundedReceiver<SocketEvent>,
        commands: &mut mpsc::UnboundedReceiver<Command>,
        outbox: &mut Outbox,
        backoff: &mut Backoff,
    ) -> Ended {
        let mut live = false;
        let mut pinged = false;
        let mut quiet = Box::pin(sleep(PING_EVERY).fuse());
        loop {
            let next = futures::select! {
                event = events.next() => Next::Event(event),
                command = commands.next() => Next::Command(command),
                _ = quiet => Next::Quiet,
            };
            match next {
                Next::Event(Some(SocketEvent::Opened)) => {
                    live = true;
                    backoff.reset();
                    state.set(LinkState::Live);
                    for frame in outbox.unconfirmed() {
                        send(link, frame);
                    }
                    (handlers.on_open)();
                }
                Next::Event(Some(SocketEvent::Text(text))) => {
                    pinged = false;
                    quiet = Box::pin(sleep(PING_EVERY).fuse());
                    // The event alone: the frame's `timestamp` is not needed here, and reading
                    // it through `#[serde(flatten)]` would put a second JSON reader in the bundle.
                    if let Ok(event) = serde_json::from_str::<ServerEvent>(&text) {
                        outbox.confirm(&event);
                        (handlers.on_event)(event);
                    }
                }
                Next::Event(Some(SocketEvent::Binary(_))) => {}
                Next::Event(Some(SocketEvent::Closed { code, .. })) => return Ended::Closed(code),
                Next::Event(None) => return Ended::Closed(1006),
                Next::Command(Some(Command::Send(frame))) => {
                    outbox.keep(&frame);
                    if live {
                        send(link, &frame);
                    }
                }
                Next::Command(Some(Command::Stop) | None) => return Ended::Stopped,
                Next::Quiet if !live => {
                    // The handshake itself hangs: give up on this attempt.
                    link.close();
                    return Ended::Closed(1006);
                }
                Next::Quiet if pinged => {
                    // Nothing came back, not even the pong: the link is dead.
                    link.close();
                    return Ended::Closed(1006);
                }
                Next::Quiet => {
                    pinged = true;
                    send(
                        link,
                        &ClientFrame {
                            command: ClientCommand::Ping,
                            timestamp: None,
                        },
                    );
                    quiet = Box::pin(sleep(DEAD_AFTER - PING_EVERY).fuse());
                }
            }
        }
    }

    fn send(link: &SocketHandle, frame: &ClientFrame) {
        if let Ok(text) = serde_json::to_string(frame) {
            link.send_text(text);
        }
    }
}
