//! How the server is reached: the address a request comes from (behind a reverse proxy, from
//! `X-Forwarded-For` when `--trust-proxy` says so), which browser origins count as this
//! server's own (`--public-url`; without it loopback only), and how many sockets one address
//! may hold open.

use crate::server::config::EdgeConfig;
use axum::http::{
    header::{HOST, ORIGIN},
    HeaderMap,
};
use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
};

pub struct Edge {
    config: EdgeConfig,
    sockets: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One open socket of an address; dropping it makes room for another.
pub struct SocketSlot {
    ip: IpAddr,
    sockets: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut sockets = self.sockets.lock().expect("socket count lock");
        if let Some(open) = sockets.get_mut(&self.ip) {
            *open -= 1;
            if *open == 0 {
                sockets.remove(&self.ip);
            }
        }
    }
}

/// Whether `host` (`name[:port]`, as in a `Host` header or an origin) is this machine.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Edge {
    pub fn new(config: EdgeConfig) -> Self {
        Self {
            config,
            sockets: Arc::default(),
        }
    }

    /// The client's address: the connection's peer, or, behind a trusted proxy, the last
    /// address the proxy added to `X-Forwarded-For` (earlier ones the client may have made up).
    pub fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        if !self.config.trust_proxy {
            return peer.ip();
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
            .next_back()
            .unwrap_or(peer.ip())
    }

    /// Whether a browser page at the request's `Origin` is this server's own: the configured
    /// public URL, or without one a loopback page naming the same host and port the request
    /// went to. A request without `Origin` is no browser page and is not judged here.
    pub fn same_origin(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let origin = origin.trim_end_matches('/');
        if let Some(public) = &self.config.public_origin {
            return public.eq_ignore_ascii_case(origin);
        }
        let origin_host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        let host = headers.get(HOST).and_then(|v| v.to_str().ok());
        match (origin_host, host) {
            (Some(origin_host), Some(host)) => {
                origin_host.eq_ignore_ascii_case(host) && is_loopback_host(host)
            }
            _ => false,
        }
    }

    /// `Strict-Transport-Security`, when the public URL is https.
    pub fn hsts(&self) -> Option<&'static str> {
        self.config
            .public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"))
            .then_some("max-age=31536000; includeSubDomains")
    }

    /// A slot for one more socket from `ip`, or `None` when it holds as many as it may.
    pub fn open_socket(&self, ip: IpAddr) -> Option<SocketSlot> {
        let mut sockets = self.sockets.lock().expect("socket count lock");
        let open = sockets.entry(ip).or_default();
        if *open >= self.config.sockets_per_ip {
            return None;
        }
        *open += 1;
        Some(SocketSlot {
            ip,
            sockets: self.sockets.clone(),
        })
    }

    pub fn config(&self) -> &EdgeConfig {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::time::Duration;

    fn edge(public_origin: Option<&str>, trust_proxy: bool) -> Edge {
        Edge::new(EdgeConfig {
            public_origin: public_origin.map(str::to_string),
            trust_proxy,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            upload_timeout: Duration::from_secs(10),
            sockets_per_ip: 2,
        })
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn same_origin_follows_the_public_url_not_the_host_header() {
        let public = edge(Some("https://chat.example"), false);
        assert!(public.same_origin(&headers(&[("origin", "https://chat.example")])));
        assert!(!public.same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "evil.example")
        ])));
        let local = edge(None, false);
        assert!(local.same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(local.same_origin(&headers(&[
            ("origin", "http://localhost:3000"),
            ("host", "localhost:3000")
        ])));
        assert!(!local.same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "evil.example")
        ])));
        assert!(!local.same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3001"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!local.same_origin(&headers(&[("host", "127.0.0.1:3000")])));
        assert_eq!(public.hsts(), Some("max-age=31536000; includeSubDomains"));
        assert_eq!(local.hsts(), None);
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let peer: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let forwarded = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9")]);
        assert_eq!(edge(None, false).client_ip(peer, &forwarded), peer.ip());
        let trusted = edge(None, true);
        assert_eq!(
            trusted.client_ip(peer, &forwarded),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            trusted.client_ip(peer, &headers(&[("x-forwarded-for", "junk")])),
            peer.ip()
        );
    }

    #[test]
    fn sockets_per_address_are_capped_and_given_back() {
        let edge = edge(None, false);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let first = edge.open_socket(ip).unwrap();
        let _second = edge.open_socket(ip).unwrap();
        assert!(edge.open_socket(ip).is_none());
        assert!(edge.open_socket("192.0.2.2".parse().unwrap()).is_some());
        drop(first);
        assert!(edge.open_socket(ip).is_some());
    }
}
