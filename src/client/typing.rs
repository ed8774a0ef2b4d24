//! How often "is typing" goes on the wire: once when typing starts or stops, and a reminder
//! every few seconds while it goes on, not one frame per keystroke.

/// Between two "still typing" frames.
const REMIND_AFTER_MS: f64 = 3000.0;

/// "Is typing" ends this long after the last keystroke (the typist's page says so), or after
/// the last "still typing" frame (the reader's page stops showing it). The server ends it too
/// (`--typing-timeout-ms`), for a typist whose page went away.
pub const TYPING_ENDS_AFTER_MS: u32 = 5000;

/// Runs `then` after `ms` milliseconds, in the browser (nothing happens on the server).
pub fn later(ms: u32, then: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(ms).await;
        then();
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (ms, then);
}

#[derive(Debug, Clone, Copy, Default)]
pub struct TypingThrottle {
    typing: bool,
    sent_at_ms: f64,
}

impl TypingThrottle {
    /// Whether to send `typing` now (`now_ms` from any monotonic-enough clock).
    pub fn should_send(&mut self, typing: bool, now_ms: f64) -> bool {
        let send = typing != self.typing || (typing && now_ms - self.sent_at_ms >= REMIND_AFTER_MS);
        if send {
            self.typing = typing;
            self.sent_at_ms = now_ms;
        }
        send
    }
}

/// Milliseconds since the epoch in the browser; 0 elsewhere.
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_changes_and_reminders_not_every_keystroke() {
        let mut t = TypingThrottle::default();
        assert!(t.should_send(true, 0.0));
        assert!(!t.should_send(true, 500.0));
        assert!(t.should_send(true, 3200.0));
        assert!(t.should_send(false, 3300.0));
        assert!(!t.should_send(false, 9000.0));
    }
}
