"""Turns bench/run.sh's results (one JSON line per load generator run) into the generated part of
BENCHMARKS.md and a PNG plot of fan-out latency against load. Hand-written parts of BENCHMARKS.md
outside the markers are kept as they are."""

import argparse
import datetime
import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

BEGIN = "<!-- make bench: generated from here -->"
END = "<!-- make bench: generated up to here -->"

GOALS = {
    "echo/fastapi": 3.0,
    "echo/node": 1.25,
    "echo/bare-axum": 0.95,
}
NAMES = {
    "echo/fastapi": "the original FastAPI echo server (uvicorn[standard])",
    "echo/node": "Node.js `ws` echo",
    "echo/bare-axum": "bare axum echo (bench/peers/bare_axum_echo.rs)",
    "echo/switchboard": "**Switchboard `/ws/echo`**",
}


def load(path):
    runs = {}
    with open(path) as lines:
        for line in lines:
            if line.strip():
                run = json.loads(line)
                runs[run["label"]] = run["result"]
    return runs


def k(n):
    return f"{n / 1000:,.1f} k"


def us(n):
    return f"{n:,.2f} µs" if n < 100 else f"{n:,.0f} µs"


def ms(micros):
    return f"{micros / 1000:,.2f} ms"


def verdict(value, goal):
    return "met" if value >= goal else f"**missed** ({value / goal:.0%} of the goal)"


def echo_section(runs):
    ours = runs["echo/switchboard"]
    out = [
        "### 1. Echo: 100 connections, one 20-byte message in flight on each",
        "",
        "`loadgen echo --connections 100 --message-bytes 20`: each connection sends, waits for",
        "`Echo: …` (checked), sends again. Ratios are Switchboard's throughput over the peer's, and",
        "the peer's server CPU per round trip over Switchboard's (above 1: Switchboard does better).",
        "",
        "| server | round trips/s | server CPU per round trip | p50 | p99 | server CPU busy | load generator CPU busy | throughput ratio | CPU ratio | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label in ["echo/fastapi", "echo/node", "echo/bare-axum", "echo/switchboard"]:
        r = runs[label]
        if label == "echo/switchboard":
            ratio, cpu_ratio, goal = "1.00", "1.00", ""
        else:
            t = ours["per_second"] / r["per_second"]
            c = r["server_cpu_us_per_op"] / ours["server_cpu_us_per_op"]
            g = GOALS[label]
            ratio, cpu_ratio = f"{t:.2f}×", f"{c:.2f}×"
            goal = f"≥ {g}×: throughput {verdict(t, g)}, CPU {verdict(c, g)}"
        out.append(
            f"| {NAMES[label]} | {k(r['per_second'])} | {us(r['server_cpu_us_per_op'])} "
            f"| {us(r['p50_us'])} | {us(r['p99_us'])} | {r['server_cpu_share']:.0%} "
            f"| {r['loadgen_cpu_share']:.0%} | {ratio} | {cpu_ratio} | {goal} |"
        )
    wrong = sum(runs[l].get("wrong_answers", 0) for l in GOALS) + ours.get("wrong_answers", 0)
    out += ["", f"Wrong answers in all echo runs: {wrong}.", ""]
    return out


def fanout_section(runs):
    ours, bare = runs["fanout/switchboard"], runs["fanout/bare"]
    t = ours["per_second"] / bare["per_second"]
    c = bare["server_cpu_us_per_op"] / ours["server_cpu_us_per_op"]
    out = [
        f"### 2. Fan-out: {ours['visitors']} visitors' messages to {ours['agents']:,} agent sockets of one tenant",
        "",
        f"`loadgen fanout --agents {ours['agents']} --visitors {ours['visitors']} --window 8`: the visitors take",
        "turns sending as fast as the agents receive, at most 8 messages ahead of the slowest agent.",
        "The peer is a bare tokio broadcast server (bench/peers/bare_broadcast.rs) forwarding each",
        "frame as it is; Switchboard also stores every message (SQLite, fsynced), serialises its",
        "event once and keeps each socket's messages in order.",
        "",
        "| server | deliveries/s | messages/s | server CPU per delivery | server CPU busy | ratio | CPU ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| bare tokio broadcast | {k(bare['per_second'])} | {bare['messages_per_second']:,.1f} "
        f"| {us(bare['server_cpu_us_per_op'])} | {bare['server_cpu_share']:.0%} | | |",
        f"| **Switchboard** | {k(ours['per_second'])} | {ours['messages_per_second']:,.1f} "
        f"| {us(ours['server_cpu_us_per_op'])} | {ours['server_cpu_share']:.0%} | {t:.2f}× | {c:.2f}× |",
        "",
        f"Goal ≥ 0.8× the bare broadcast: throughput {verdict(t, 0.8)}, CPU {verdict(c, 0.8)}.",
        "",
    ]
    return out


def latency_rows(runs, server):
    rows = []
    for label, r in runs.items():
        if label.startswith(f"latency/{server}/"):
            rows.append(r)
    return sorted(rows, key=lambda r: r["offered_rate"])


def latency_section(runs, plot_path):
    ours, bare = latency_rows(runs, "switchboard"), latency_rows(runs, "bare")
    agents = ours[0]["agents"] if ours else 0
    out = [
        f"### 3. Visitor → agent latency against load ({agents} agent sockets, 100 visitors)",
        "",
        f"`loadgen fanout --agents {agents} --visitors 100 --rate R`: the visitors send R messages a",
        "second between them on a fixed schedule, whatever the server does (open loop); latency",
        "runs from the send to each agent socket's receipt, every delivery counted. 10,000 agents",
        "at 1,000 messages/s would be 10 million deliveries a second, beyond one core for any",
        f"server: the latency curve is measured with {agents} agent sockets, a large team's dashboards.",
        "",
        f"![Latency against load]({plot_path})",
        "",
        "| messages/s offered | deliveries/s | Switchboard p50 | p99 | server CPU busy | bare broadcast p50 | p99 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    bare_by_rate = {r["offered_rate"]: r for r in bare}
    for r in ours:
        b = bare_by_rate.get(r["offered_rate"], {})
        out.append(
            f"| {r['offered_rate']:,.0f} | {k(r['per_second'])} | {ms(r['p50_us'])} | {ms(r['p99_us'])} "
            f"| {r['server_cpu_share']:.0%} | {ms(b.get('p50_us', 0))} | {ms(b.get('p99_us', 0))} |"
        )
    at_1000 = next((r for r in ours if r["offered_rate"] == 1000), None)
    if at_1000:
        p99 = at_1000["p99_us"] / 1000
        out += [
            "",
            f"Goal p99 ≤ 5 ms at 1,000 messages/s: {ms(at_1000['p99_us'])}, "
            + ("met." if p99 <= 5 else f"**missed** by {p99 - 5:.2f} ms."),
        ]
    out.append("")
    return out


def plot(runs, path):
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for server, colour, name in [("switchboard", "#2563eb", "Switchboard"), ("bare", "#9ca3af", "bare tokio broadcast")]:
        rows = latency_rows(runs, server)
        if not rows:
            continue
        rates = [r["offered_rate"] for r in rows]
        ax.plot(rates, [r["p50_us"] / 1000 for r in rows], "-o", color=colour, label=f"{name} p50")
        ax.plot(rates, [r["p99_us"] / 1000 for r in rows], "--s", color=colour, label=f"{name} p99")
    ax.axhline(5, color="#dc2626", linewidth=0.8, linestyle=":", label="goal: p99 ≤ 5 ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    rates = sorted({r["offered_rate"] for l, r in runs.items() if l.startswith("latency/")})
    ax.set_xticks(rates, [f"{r:,.0f}" for r in rates])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:g}"))
    ax.set_xlabel("visitor messages per second (open loop)")
    ax.set_ylabel("visitor → agent latency (ms)")
    agents = next((r["agents"] for l, r in runs.items() if l.startswith("latency/")), "?")
    ax.set_title(f"Fan-out latency against load, {agents} agent sockets, server on one core")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)


def idle_section(runs):
    limit = runs.get("idle/limit", {})
    out = [
        "### 4. Idle sockets: the server's resident memory per open socket",
        "",
        "`loadgen idle --counts …`: sockets are opened in steps and left idle; after each step the",
        "server's VmRSS is read and the growth since before the first socket is divided by the",
        "number open. Switchboard's are visitor sockets (each its own conversation, subscribed to",
        "its events, pinged); the peer's are bare axum echo sockets.",
        "",
        "| sockets | Switchboard RSS | per socket | bare axum RSS | per socket | goal ≤ 8 KiB |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    ours = runs.get("idle/switchboard", {}).get("steps", [])
    bare = {s["sockets"]: s for s in runs.get("idle/bare-axum", {}).get("steps", [])}
    for s in ours:
        b = bare.get(s["sockets"], {})
        per = s["per_socket_bytes"] / 1024
        out.append(
            f"| {s['sockets']:,} | {s['rss_bytes'] / 2**20:,.1f} MiB | {per:.1f} KiB "
            f"| {b.get('rss_bytes', 0) / 2**20:,.1f} MiB | {b.get('per_socket_bytes', 0) / 1024:.1f} KiB "
            f"| {'met' if per <= 8 else '**missed**'} |"
        )
    if limit.get("skipped"):
        out += [
            "",
            f"Not measured here: {limit['skipped'].replace(',', ', ')} sockets. This machine's hard limit",
            f"on open files is {limit['open_files_hard_limit']:,} per process and the sandbox lacks",
            "CAP_SYS_RESOURCE to raise it; bench/run.sh measures every count the limit allows",
            "and reports the others as not measured.",
        ]
    out.append("")
    return out


def persist_section(runs):
    r = runs["persist/switchboard"]
    goal = 20000
    out = [
        f"### 5. Persisted messages: {r['visitors']} visitors, one message in flight each",
        "",
        "`loadgen persist --visitors 256`: each visitor sends a chat message and waits for it to",
        "come back as `chat.message.new`, which the server sends only after the message is",
        "committed to SQLite (WAL, synchronous=FULL); an agent socket receives every message too.",
        "",
        "| messages/s | server CPU per message | p50 | p99 | server CPU busy | delivered to the agent |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {k(r['per_second'])} | {us(r['server_cpu_us_per_op'])} | {ms(r['p50_us'])} | {ms(r['p99_us'])} "
        f"| {r['server_cpu_share']:.0%} | {r['agent_deliveries_in_all']:,} of {r['stored_in_all']:,} stored |",
        "",
        f"Goal ≥ 20 k/s: {verdict(r['per_second'], goal)}.",
        "",
    ]
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--plot", required=True)
    parser.add_argument("--machine", required=True)
    parser.add_argument("--versions", required=True)
    parser.add_argument("--elapsed", type=int, required=True)
    args = parser.parse_args()
    runs = load(args.results)
    plot(runs, args.plot)
    today = datetime.date.today().isoformat()
    section = [
        BEGIN,
        "",
        f"## `make bench` ({today})",
        "",
        f"- Machine: {args.machine}.",
        f"- Software: {args.versions}.",
        "- Command: `make bench` (bench/run.sh), which builds, installs the peers, runs every figure",
        f"  below in one go and rewrote this section; this run took {args.elapsed // 60} min {args.elapsed % 60} s.",
        "- Method: the server under test pinned to CPU 0, the load generator (bench/loadgen, one",
        "  thread, tokio + tokio-tungstenite) to CPU 1, all on 127.0.0.1. Server CPU is user + system",
        "  time from /proc/PID/stat over the measured window (after a warm-up), divided by the",
        "  operations in it. \"CPU busy\" is that time over the window: a server below ~95 % was",
        "  not the bottleneck.",
        "",
    ]
    section += echo_section(runs)
    section += fanout_section(runs)
    section += latency_section(runs, args.plot)
    section += idle_section(runs)
    section += persist_section(runs)
    section.append(END)
    generated = "\n".join(section)
    with open(args.markdown) as f:
        text = f.read()
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: generated, text, flags=re.S)
    else:
        head, _, rest = text.partition("\n## ")
        text = head.rstrip() + "\n\n" + generated + "\n\n## " + rest
    with open(args.markdown, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
