//! Rate limits: how often one address, account, widget, session or socket may do a thing, with
//! governor's GCRA (a burst of `count`, replenished evenly over the period).
//!
//! Every limit is checked before anything is stored, so a refused request changes nothing.
//! Sign-in counts failures per account apart: five wrong passwords lock the account until the
//! backoff ends, even for the right one, so that a password cannot be guessed from many
//! addresses at once.

use crate::server::config::{Rate, RateConfig};
use governor::{
    clock::{Clock, DefaultClock, Reference},
    middleware::{NoOpMiddleware, StateInformationMiddleware},
    state::{keyed::HashMapStateStore, InMemoryState, NotKeyed},
    Quota, RateLimiter,
};
use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

/// A refusal: try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// Whole seconds, at least one, for `Retry-After`.
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_secs_f64().ceil().max(1.0) as u64
    }

    /// The wait as a person reads it: "1 second", "45 seconds", "3 minutes".
    pub fn wait_in_words(&self) -> String {
        let secs = self.retry_after_secs();
        match secs {
            1 => "1 second".into(),
            2..=90 => format!("{secs} seconds"),
            _ => format!("{} minutes", secs.div_ceil(60)),
        }
    }
}

fn quota(rate: Rate) -> Quota {
    let period = (rate.per / rate.count.get()).max(Duration::from_nanos(1));
    Quota::with_period(period)
        .expect("a period of at least a nanosecond")
        .allow_burst(rate.count)
}

/// A governor limiter keyed by `K`, on clock `C`, with middleware `M`.
type KeyedLimiter<K, C, M> = RateLimiter<K, HashMapStateStore<K>, C, M>;

/// One limit per key; none when its rate is `off`.
struct Keyed<K: Hash + Eq + Clone, C: Clock> {
    limiter: Option<KeyedLimiter<K, C, NoOpMiddleware<<C as Clock>::Instant>>>,
    clock: C,
}

impl<K: Hash + Eq + Clone, C: Clock + Clone> Keyed<K, C> {
    fn new(rate: Option<Rate>, clock: &C) -> Self {
        Self {
            limiter: rate.map(|r| RateLimiter::hashmap_with_clock(quota(r), clock.clone())),
            clock: clock.clone(),
        }
    }

    fn check(&self, key: &K) -> Result<(), Limited> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(key).map_err(|not_until| Limited {
            retry_after: not_until.wait_time_from(self.clock.now()),
        })
    }

    /// Forgets keys whose limit has fully replenished, so that a flood of distinct keys
    /// (addresses, made-up emails) does not grow the map for good.
    fn prune(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// Wrong passwords per account, and the accounts that must wait.
struct Lockout<C: Clock> {
    failures: Option<KeyedLimiter<String, C, StateInformationMiddleware>>,
    locked: Mutex<HashMap<String, C::Instant>>,
    clock: C,
}

impl<C: Clock + Clone> Lockout<C> {
    fn new(rate: Option<Rate>, clock: &C) -> Self {
        Self {
            failures: rate.map(|r| {
                RateLimiter::hashmap_with_clock(quota(r), clock.clone())
                    .with_middleware::<StateInformationMiddleware>()
            }),
            locked: Mutex::new(HashMap::new()),
            clock: clock.clone(),
        }
    }

    fn check(&self, account: &str) -> Result<(), Limited> {
        let now = self.clock.now();
        let mut locked = self.locked.lock().expect("lockout lock");
        match locked.get(account) {
            Some(until) if *until > now => Err(Limited {
                retry_after: until.duration_since(now).into(),
            }),
            Some(_) => {
                locked.remove(account);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// A wrong password: the account is locked once its failures are used up, until the next
    /// one replenishes.
    fn failed(&self, account: &str) {
        let Some(failures) = &self.failures else {
            return;
        };
        let now = self.clock.now();
        let until = match failures.check_key(&account.to_string()) {
            Ok(state) if state.remaining_burst_capacity() > 0 => return,
            Ok(state) => now + state.quota().replenish_interval().into(),
            Err(not_until) => not_until.earliest_possible(),
        };
        tracing::warn!(%account, "sign-in locked after repeated wrong passwords");
        self.locked
            .lock()
            .expect("lockout lock")
            .insert(account.to_string(), until);
    }

    fn prune(&self) {
        if let Some(failures) = &self.failures {
            failures.retain_recent();
            failures.shrink_to_fit();
        }
        let now = self.clock.now();
        self.locked
            .lock()
            .expect("lockout lock")
            .retain(|_, until| *until > now);
    }
}

/// Every keyed limit of the server. `C` is the clock: real time, or a fake one in tests.
pub struct RateLimits<C: Clock = DefaultClock> {
    login_per_ip: Keyed<IpAddr, C>,
    login_failures: Lockout<C>,
    start_per_ip: Keyed<IpAddr, C>,
    start_per_widget: Keyed<String, C>,
    message_per_ip: Keyed<IpAddr, C>,
    message_per_widget: Keyed<String, C>,
    chat_per_session: Keyed<String, C>,
    typing_per_session: Keyed<String, C>,
    escalation_per_session: Keyed<String, C>,
    uploads: Keyed<String, C>,
    history_per_ip: Keyed<IpAddr, C>,
    frames_per_socket: Option<Quota>,
    clock: C,
}

/// The account a sign-in names, as the limits count it.
fn account_key(email: &str) -> String {
    email.trim().to_lowercase().chars().take(254).collect()
}

impl RateLimits<DefaultClock> {
    /// The limits, and a task that forgets what no longer counts, every minute.
    pub fn start(config: &RateConfig) -> Arc<Self> {
        let limits = Arc::new(Self::with_clock(config, DefaultClock::default()));
        let weak = Arc::downgrade(&limits);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                let Some(limits) = weak.upgrade() else { return };
                limits.prune();
            }
        });
        limits
    }
}

impl<C: Clock + Clone> RateLimits<C> {
    pub fn with_clock(config: &RateConfig, clock: C) -> Self {
        Self {
            login_per_ip: Keyed::new(config.login_per_ip, &clock),
            login_failures: Lockout::new(config.login_failures, &clock),
            start_per_ip: Keyed::new(config.start_per_ip, &clock),
            start_per_widget: Keyed::new(config.start_per_widget, &clock),
            message_per_ip: Keyed::new(config.message_per_ip, &clock),
            message_per_widget: Keyed::new(config.message_per_widget, &clock),
            chat_per_session: Keyed::new(config.chat_per_session, &clock),
            typing_per_session: Keyed::new(config.typing_per_session, &clock),
            escalation_per_session: Keyed::new(config.escalation_per_session, &clock),
            uploads: Keyed::new(config.uploads, &clock),
            history_per_ip: Keyed::new(config.history_per_ip, &clock),
            frames_per_socket: config.frames_per_socket.map(quota),
            clock,
        }
    }

    /// A sign-in attempt from `ip` for `email`: refused while either is over its limit.
    pub fn login(&self, ip: IpAddr, email: &str) -> Result<(), Limited> {
        self.login_failures.check(&account_key(email))?;
        self.login_per_ip.check(&ip)
    }

    /// A wrong password for `email`.
    pub fn login_failed(&self, email: &str) {
        self.login_failures.failed(&account_key(email));
    }

    pub fn start_session(&self, ip: IpAddr, widget_key: &str) -> Result<(), Limited> {
        self.start_per_ip.check(&ip)?;
        self.start_per_widget.check(&widget_key.to_string())
    }

    /// A visitor looks back (lists their conversations, opens one, downloads a transcript).
    pub fn history(&self, ip: IpAddr) -> Result<(), Limited> {
        self.history_per_ip.check(&ip)
    }

    /// A visitor's message over REST, counted by address and by tenant.
    pub fn public_message(&self, ip: IpAddr, tenant_id: &str) -> Result<(), Limited> {
        self.message_per_ip.check(&ip)?;
        self.message_per_widget.check(&tenant_id.to_string())
    }

    /// A message in `session_id`, over REST or a socket.
    pub fn chat(&self, session_id: &str) -> Result<(), Limited> {
        self.chat_per_session.check(&session_id.to_string())
    }

    pub fn typing(&self, session_id: &str) -> Result<(), Limited> {
        self.typing_per_session.check(&session_id.to_string())
    }

    pub fn escalation(&self, session_id: &str) -> Result<(), Limited> {
        self.escalation_per_session.check(&session_id.to_string())
    }

    /// An upload into a visitor's conversation (`uploader`: their session id) or by an agent
    /// (their id).
    pub fn upload(&self, uploader: &str) -> Result<(), Limited> {
        self.uploads.check(&uploader.to_string())
    }

    /// A limit for one new socket's frames, of every kind.
    pub fn socket(&self) -> SocketRate<C> {
        SocketRate {
            limiter: self
                .frames_per_socket
                .map(|q| RateLimiter::direct_with_clock(q, self.clock.clone())),
            clock: self.clock.clone(),
        }
    }

    fn prune(&self) {
        self.login_per_ip.prune();
        self.login_failures.prune();
        self.start_per_ip.prune();
        self.start_per_widget.prune();
        self.message_per_ip.prune();
        self.message_per_widget.prune();
        self.chat_per_session.prune();
        self.typing_per_session.prune();
        self.escalation_per_session.prune();
        self.uploads.prune();
        self.history_per_ip.prune();
    }
}

/// One socket's frames.
pub struct SocketRate<C: Clock = DefaultClock> {
    limiter: Option<RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<C::Instant>>>,
    clock: C,
}

impl<C: Clock> SocketRate<C> {
    pub fn check(&self) -> Result<(), Limited> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check().map_err(|not_until| Limited {
            retry_after: not_until.wait_time_from(self.clock.now()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    fn rate(text: &str) -> Option<Rate> {
        Some(text.parse().unwrap())
    }

    fn limits(clock: &FakeRelativeClock) -> RateLimits<FakeRelativeClock> {
        let config = RateConfig {
            login_per_ip: rate("20/min"),
            login_failures: rate("5/15min"),
            start_per_ip: rate("3/min"),
            chat_per_session: rate("2/10s"),
            frames_per_socket: rate("2/s"),
            ..RateConfig::default()
        };
        RateLimits::with_clock(&config, clock.clone())
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

    #[test]
    fn five_wrong_passwords_lock_the_account_until_the_backoff_ends() {
        let clock = FakeRelativeClock::default();
        let limits = limits(&clock);
        for _ in 0..5 {
            assert_eq!(limits.login(HOME, "Alice@Shop.example"), Ok(()));
            limits.login_failed("alice@shop.example");
        }
        // Locked: even the right password waits, from any address, whatever the case.
        let other = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7));
        let refused = limits.login(other, " ALICE@shop.example").unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(180));
        assert_eq!(limits.login(HOME, "bob@shop.example"), Ok(()));
        clock.advance(Duration::from_secs(179));
        let last_second = limits.login(HOME, "alice@shop.example").unwrap_err();
        assert_eq!(
            (
                last_second.retry_after_secs(),
                last_second.wait_in_words().as_str()
            ),
            (1, "1 second")
        );
        assert_eq!(refused.wait_in_words(), "3 minutes");
        clock.advance(Duration::from_secs(1));
        assert_eq!(limits.login(HOME, "alice@shop.example"), Ok(()));
        // One more failure right away locks it again.
        limits.login_failed("alice@shop.example");
        assert!(limits.login(HOME, "alice@shop.example").is_err());
    }

    #[test]
    fn keyed_limits_count_each_key_apart_and_replenish() {
        let clock = FakeRelativeClock::default();
        let limits = limits(&clock);
        assert_eq!(limits.chat("s1"), Ok(()));
        assert_eq!(limits.chat("s1"), Ok(()));
        assert_eq!(
            limits.chat("s1").unwrap_err().retry_after,
            Duration::from_secs(5)
        );
        assert_eq!(limits.chat("s2"), Ok(()));
        clock.advance(Duration::from_secs(5));
        assert_eq!(limits.chat("s1"), Ok(()));
        // Unset limits never refuse.
        for _ in 0..1000 {
            assert_eq!(limits.typing("s1"), Ok(()));
        }
        for _ in 0..3 {
            assert_eq!(limits.start_session(HOME, "w"), Ok(()));
        }
        assert!(limits.start_session(HOME, "w").is_err());
    }

    #[test]
    fn each_socket_has_its_own_frame_limit() {
        let clock = FakeRelativeClock::default();
        let limits = limits(&clock);
        let (one, two) = (limits.socket(), limits.socket());
        assert_eq!((one.check(), one.check()), (Ok(()), Ok(())));
        assert_eq!(
            one.check().unwrap_err().retry_after,
            Duration::from_millis(500)
        );
        assert_eq!(two.check(), Ok(()));
        limits.prune();
    }
}
