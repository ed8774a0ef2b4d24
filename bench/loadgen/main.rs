//! The load generator of `make bench` (bench/run.sh): drives Switchboard and the peers it is
//! measured against the same way, over loopback, and prints one JSON line of figures per run.
//! It runs on one thread; bench/run.sh pins it to the core the server is not on.

mod connect;
mod echo;
mod fanout;
mod idle;
mod measure;
mod persist;
mod phase;
mod switchboard;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Load generator for `make bench`")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Round trips on an echo endpoint.
    Echo(echo::Args),
    /// Visitor messages delivered to many agent sockets (or a bare broadcast's subscribers).
    Fanout(fanout::Args),
    /// Resident memory per open idle socket.
    Idle(idle::Args),
    /// Messages stored and delivered per second.
    Persist(persist::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(async move {
        match cli.scenario {
            Scenario::Echo(args) => echo::run(args).await,
            Scenario::Fanout(args) => fanout::run(args).await,
            Scenario::Idle(args) => idle::run(args).await,
            Scenario::Persist(args) => persist::run(args).await,
        }
    })?;
    println!("{report}");
    Ok(())
}
