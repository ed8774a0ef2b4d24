//! Opening client sockets to a server on loopback, many thousands of them.
//!
//! Each socket leaves from its own loopback source address (127.S.x.y), so a run never runs out
//! of the ~28k ephemeral ports one address has, nor trips over the TIME_WAIT sockets an earlier
//! run left behind.

use futures::{stream, StreamExt};
use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::{
    tungstenite::{http::Uri, protocol::WebSocketConfig},
    WebSocketStream,
};

pub type Socket = WebSocketStream<TcpStream>;

/// How many handshakes are in progress at once while opening many sockets.
const OPENING_AT_ONCE: usize = 128;

/// Where the sockets of this run come from: 127.S.0.1 upwards, S picked by process id.
fn source_address(index: usize) -> Ipv4Addr {
    let run = 20 + (std::process::id() % 200) as u8;
    Ipv4Addr::new(127, run, (index / 250 % 250) as u8, (index % 250) as u8 + 1)
}

/// Opens a WebSocket to `url` (ws://HOST:PORT/PATH) from the `index`th source address.
pub async fn open(url: &str, index: usize) -> anyhow::Result<Socket> {
    let uri: Uri = url.parse()?;
    let authority = uri
        .authority()
        .ok_or_else(|| anyhow::anyhow!("{url} has no host"))?;
    let server: SocketAddr = authority
        .as_str()
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| anyhow::anyhow!("{url}: no address"))?;
    let tcp = TcpSocket::new_v4()?;
    tcp.bind(SocketAddr::new(source_address(index).into(), 0))?;
    let stream = tcp.connect(server).await?;
    stream.set_nodelay(true)?;
    // Small frames only: a small read buffer keeps 10,000 client sockets cheap.
    let config = WebSocketConfig::default().read_buffer_size(16 * 1024);
    let (socket, _) =
        tokio_tungstenite::client_async_with_config(url, stream, Some(config)).await?;
    Ok(socket)
}

/// Opens `count` sockets, `url(i)` naming the `i`th one's address, a bounded number at a time.
pub async fn open_many(
    count: usize,
    first_index: usize,
    url: impl Fn(usize) -> String,
) -> anyhow::Result<Vec<Socket>> {
    stream::iter(0..count)
        .map(|i| {
            let url = url(i);
            async move { open(&url, first_index + i).await }
        })
        .buffered(OPENING_AT_ONCE)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}
