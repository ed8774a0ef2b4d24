//! The loop of one socket: it subscribes, opens (history, answers in flight), then waits for
//! whichever comes first: a frame from the peer, an event from the broker, the next ping, the
//! token's expiry, or the server shutting down.
//!
//! A visitor socket resumes after `lastSeq`: it subscribes first, then replays from the store.
//! An agent socket starts each session at the first message it sees live; the dashboard catches
//! up with `GET …/messages?afterSeq=N`.

use super::{
    close_code,
    connection::{error_frame, frame, Connection},
    handshake::{Accepted, Peer},
};
use crate::protocol::{ServerEvent, TeamState};
use crate::server::{
    broker::{Event, Missed, Subscription},
    shutdown::ShutdownListener,
    state::{AppState, KeepAlive},
};
use axum::extract::ws::{Message, WebSocket};
use std::{sync::Arc, time::Duration};
use tokio::time::{interval_at, sleep, Instant, MissedTickBehavior};

/// Why the loop ended, for the log.
enum Ending {
    Client(String),
    Closed(u16, &'static str),
    Dropped(String),
}

/// What bounds a socket's life besides its peer.
struct Limits {
    keep_alive: KeepAlive,
    expires_in: Option<Duration>,
    shutdown: ShutdownListener,
    /// How often an agent's sign-in is checked again, on a keep-alive tick.
    auth_recheck: Duration,
    /// When the peer's "is typing" ends without a word from them.
    typing_timeout: Duration,
}

pub async fn run(socket: WebSocket, state: AppState, accepted: Accepted) {
    let Accepted {
        peer,
        expires_in,
        last_seq,
        slot: _slot,
    } = accepted;
    let who = peer.describe();
    // Subscribe before reading history, so that nothing published in between is missed.
    let mut events = state.hub.subscribe(&peer.topic());
    let mut conn = Connection::new(socket, state.hub.clone(), peer);
    tracing::info!(peer = %who, resume_after = ?last_seq, "socket connected");
    let limits = Limits {
        keep_alive: state.keep_alive,
        expires_in,
        shutdown: state.shutdown.clone(),
        auth_recheck: state.auth_recheck,
        typing_timeout: state.typing_timeout,
    };
    // The rare, deep futures (opening, commands, catching up) are boxed, so that the state the
    // task keeps while it waits (every idle socket's) holds only the loop's own.
    let opened = match Box::pin(conn.open(last_seq)).await {
        Ok(()) => Box::pin(conn.join_presence()).await,
        Err(e) => Err(e),
    };
    let ending = match opened {
        Err(e) => Ending::Dropped(e),
        Ok(()) => conn.serve(&mut events, limits, &who).await,
    };
    Box::pin(conn.leave_presence()).await;
    match ending {
        Ending::Client(detail) => tracing::info!(peer = %who, %detail, "socket closed by client"),
        Ending::Closed(code, why) => {
            tracing::info!(peer = %who, code, why, "socket closed by server")
        }
        Ending::Dropped(why) => tracing::info!(peer = %who, %why, "socket dropped"),
    }
}

impl Connection {
    async fn serve(&mut self, events: &mut Subscription, mut limits: Limits, who: &str) -> Ending {
        let never = Duration::from_secs(100 * 365 * 24 * 3600);
        let expiry = sleep(limits.expires_in.unwrap_or(never));
        tokio::pin!(expiry);
        let ping_every = limits.keep_alive.ping_every;
        let mut pings = interval_at(Instant::now() + ping_every, ping_every);
        pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        let mut last_checked = Instant::now();
        let typing_ends = sleep(never);
        tokio::pin!(typing_ends);
        loop {
            let ended = tokio::select! {
                incoming = self.socket.recv() => {
                    last_heard = Instant::now();
                    let ended = self.on_incoming(incoming).await;
                    if let Some((_, at)) = &self.typing {
                        typing_ends.as_mut().reset(*at + limits.typing_timeout);
                    }
                    ended
                }
                () = &mut typing_ends, if self.typing.is_some() => {
                    self.stop_typing();
                    None
                }
                event = events.recv() => self.on_event(event, who).await,
                Some(team) = team_changed(&mut self.team) => {
                    let told = ServerEvent::TeamAvailability { available: team.available, back_at: team.back_at };
                    self.send(frame(told)).await.err().map(Ending::Dropped)
                }
                _ = pings.tick() => {
                    if last_heard.elapsed() >= limits.keep_alive.dead_after {
                        Some(Ending::Dropped("no answer to pings".into()))
                    } else if last_checked.elapsed() >= limits.auth_recheck && !self.still_signed_in().await {
                        Some(self.end(close_code::TOKEN_EXPIRED, "signed out: sign in again", "sign-in ended").await)
                    } else {
                        last_checked = Instant::now();
                        self.send(Message::Ping(Default::default())).await.err().map(Ending::Dropped)
                    }
                }
                () = &mut expiry => {
                    Some(self.end(close_code::TOKEN_EXPIRED, "token expired: sign in again", "token expired").await)
                }
                () = limits.shutdown.stopping() => {
                    Some(self.end(close_code::GOING_AWAY, "server shutting down", "server shutting down").await)
                }
            };
            if let Some(ending) = ended {
                // Whoever sees this peer typing is told it stopped.
                self.stop_typing();
                return ending;
            }
        }
    }
}

/// The next change of whether a person can join (never, for an agent's socket).
async fn team_changed(
    team: &mut Option<tokio::sync::watch::Receiver<TeamState>>,
) -> Option<TeamState> {
    let Some(team) = team else {
        return std::future::pending().await;
    };
    match team.changed().await {
        Ok(()) => Some(team.borrow_and_update().clone()),
        // The node forgot the tenant's team (nobody watched): no more changes to tell.
        Err(_) => std::future::pending().await,
    }
}

impl Connection {
    /// False when an agent's sign-in no longer stands (disabled, password reset, signed out).
    /// A store that cannot answer keeps the socket: the next check asks again.
    async fn still_signed_in(&mut self) -> bool {
        let Peer::Agent(agent) = &self.peer else {
            return true;
        };
        // Owned, so that the socket (not `Sync`) is not borrowed across the store's answer.
        let (hub, agent) = (self.hub.clone(), agent.clone());
        !matches!(
            hub.recheck(&agent).await,
            Err(crate::server::hub::HubError::SignedOut(_))
        )
    }

    /// Closes the socket with `code` and `reason`; `why` is for the log.
    async fn end(&mut self, code: u16, reason: &'static str, why: &'static str) -> Ending {
        self.close(code, reason).await;
        Ending::Closed(code, why)
    }

    /// A frame from the peer; `Some` when the socket is done.
    async fn on_incoming(
        &mut self,
        incoming: Option<Result<Message, axum::Error>>,
    ) -> Option<Ending> {
        match incoming {
            Some(Ok(Message::Text(text))) => Box::pin(self.on_text(text.as_str()))
                .await
                .err()
                .map(Ending::Dropped),
            Some(Ok(Message::Binary(_))) => {
                let refusal = error_frame(
                    "unsupported_frame",
                    "binary frames are not supported; send JSON text",
                );
                self.send(refusal).await.err().map(Ending::Dropped)
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
            Some(Ok(Message::Close(frame))) => Some(Ending::Client(
                frame
                    .map(|f| format!("code {}", f.code))
                    .unwrap_or_default(),
            )),
            Some(Err(e)) if super::is_capacity_error(&e) => {
                Some(self.end(1009, "message too big", "message too big").await)
            }
            Some(Err(e)) => Some(Ending::Dropped(e.to_string())),
            None => Some(Ending::Dropped("connection lost".into())),
        }
    }

    /// An event from the broker, or news that some were missed; `Some` when the socket is done.
    async fn on_event(
        &mut self,
        event: Option<Result<Arc<Event>, Missed>>,
        who: &str,
    ) -> Option<Ending> {
        match event {
            Some(Ok(event)) if self.signs_out(&event.route) => Some(
                self.end(
                    close_code::TOKEN_EXPIRED,
                    "signed out: sign in again",
                    "signed out",
                )
                .await,
            ),
            Some(Ok(event)) => self.deliver(event).await.err().map(Ending::Dropped),
            Some(Err(Missed::Lagged(missed))) => {
                tracing::warn!(peer = %who, missed, "socket too slow, closing so that it resumes");
                Some(
                    self.end(
                        close_code::TOO_SLOW,
                        "too slow: reconnect and resume",
                        "too slow",
                    )
                    .await,
                )
            }
            Some(Err(Missed::Interrupted)) => match Box::pin(self.resync()).await {
                Ok(true) => None,
                Ok(false) => Some(
                    self.end(
                        close_code::TOO_SLOW,
                        "events may have been missed: reconnect and resume",
                        "bus interrupted",
                    )
                    .await,
                ),
                Err(e) => Some(Ending::Dropped(e)),
            },
            None => Some(
                self.end(
                    close_code::GOING_AWAY,
                    "server shutting down",
                    "broker gone",
                )
                .await,
            ),
        }
    }
}
