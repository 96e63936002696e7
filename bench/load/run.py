"""`make bench-load`: Concierge's REST channel under load, side by side with a bare `rasa init` bot.

Usage: python -m bench.load.run [--systems ours,bare] [--conversations 200] [--duration 60]
                                [--levels 10,20,50,100] [--level-duration 30] [--profile]

Two shapes per system:
- realistic: `--conversations` scripted conversations starting uniformly over `--duration`
  seconds, each turn followed by an exponential think time (mean `--think-mean` s);
  `offered_msgs_per_s` counts the messages sent while conversations start;
- saturation: closed loops without think time at each concurrency of `--levels`, for
  `--level-duration` s each; the best throughput whose p95 stays within 1 s is reported.

Concierge runs as `make run` starts it: reliable REST channel, SQLite CRM and tracker store,
in-memory lock store, analytics scores and recommendations computed; customers are real demo
customers with signed tokens and their own order numbers.
With `--profile`, py-spy samples Rasa for 20 s during the saturation level `--profile-level`.
Writes bench/results/latency.json. Refuses to start when the machine is already busy.
"""

import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.load.client import LoadClient, bare_script, concierge_script, count_duplicates, summarise
from bench.load.stack import ROOT, BareRasa, concierge_stack, demo_customers
from crm_backend.core.security import issue_customer_token

logger = logging.getLogger("bench.load")

RESULTS = ROOT / "bench" / "results"
P95_BUDGET_MS = 1000.0
BARE_MODEL_CACHE = ROOT / "var" / "bench" / "bare_rasa.tar.gz"


async def realistic(client: LoadClient, make_script, *, conversations: int, duration: float, think_mean: float):
    """`conversations` customers arrive uniformly over `duration` s; each talks through one
    script with exponential think times. 200 with a 10 s mean offer ~11 messages/s while
    they arrive (the issue's shape)."""
    rng = random.Random(7)
    started = time.monotonic()
    stop_at = started + duration + 120  # conversations that start late may finish; bounded
    senders = [f"real-{i}-{rng.getrandbits(32):x}" for i in range(conversations)]

    async def one(index: int, sender: str) -> None:
        await asyncio.sleep(rng.uniform(0, duration))
        local = random.Random(index)
        await client.converse(sender, make_script(local), lambda: local.expovariate(1 / think_mean), stop_at)

    await asyncio.gather(*(one(i, s) for i, s in enumerate(senders)))
    return senders, time.monotonic() - started


async def saturation(client: LoadClient, make_script, *, concurrency: int, duration: float):
    senders: list[str] = []
    stop_at = time.monotonic() + duration
    started = time.monotonic()

    async def worker(index: int) -> None:
        rng = random.Random(index)
        for round_ in range(10_000):  # bounded by count and by time
            if time.monotonic() >= stop_at:
                return
            sender = f"sat{concurrency}-{index}-{round_}"
            senders.append(sender)
            await client.converse(sender, make_script(rng), None, stop_at)

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return senders, time.monotonic() - started


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in the process group `pgid`."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class CpuMeter:
    """CPU milliseconds per answered message of each process group (Rasa, actions, CRM)."""

    def __init__(self, pgids: dict[str, int]) -> None:
        self.pgids = pgids
        self.before = {name: group_cpu_seconds(pgid) for name, pgid in pgids.items()}

    def per_message(self, messages: int) -> dict[str, float]:
        if not messages:
            return {}
        return {
            name: round((group_cpu_seconds(pgid) - self.before[name]) * 1000 / messages, 1)
            for name, pgid in self.pgids.items()
        }


def start_profiler(pid: int, out: Path, seconds: int = 20) -> subprocess.Popen | None:
    py_spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    if not Path(py_spy).exists():
        logger.warning("py-spy is not installed; no profile")
        return None
    return subprocess.Popen(
        [py_spy, "record", "-d", str(seconds), "--pid", str(pid), "-o", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


async def bench_system(
    name: str, url: str, make_script, token: str | None, args, pgids: dict[str, int], headers: dict | None = None
) -> dict:
    """Both shapes against one system; `pgids` are its processes' groups (for CPU per message)."""
    webhook = f"{url}/webhooks/rest/webhook"
    out: dict = {}
    client = LoadClient(webhook, headers=headers or {})
    for _ in range(3):  # warm-up: first turns load lazily
        await client.converse("warmup", make_script(random.Random(0)), None, time.monotonic() + 60)
    await client.close()

    client = LoadClient(webhook, headers=headers or {})
    meter = CpuMeter(pgids)
    senders, elapsed = await realistic(
        client, make_script, conversations=args.conversations, duration=args.duration, think_mean=args.think_mean
    )
    out["realistic"] = summarise(client.results, elapsed)
    out["realistic"]["cpu_ms_per_message"] = meter.per_message(out["realistic"]["answered"])
    first = min((r.started for r in client.results), default=0.0)
    in_window = sum(1 for r in client.results if r.started - first <= args.duration)
    out["realistic"]["offered_msgs_per_s"] = round(in_window / args.duration, 2)  # while customers arrive
    out["realistic"].update(await count_duplicates(url, set(senders), token, {r.msg_id for r in client.results}))
    await client.close()
    logger.info("%s realistic: %s", name, out["realistic"])

    levels = {}
    for level in args.levels:
        client = LoadClient(webhook, headers=headers or {})
        profiler = None
        if args.profile and name == "ours" and level == args.profile_level:
            profiler = start_profiler(pgids["rasa"], RESULTS / "profile_rasa.svg")
        meter = CpuMeter(pgids)
        senders, elapsed = await saturation(client, make_script, concurrency=level, duration=args.level_duration)
        summary = summarise(client.results, elapsed)
        summary["cpu_ms_per_message"] = meter.per_message(summary["answered"])
        summary.update(await count_duplicates(url, set(senders), token, {r.msg_id for r in client.results}))
        levels[str(level)] = summary
        await client.close()
        if profiler is not None:
            profiler.wait(timeout=120)
        logger.info("%s saturation %d: %s", name, level, summary)
        await asyncio.sleep(3)
    ok = {lvl: s for lvl, s in levels.items() if s["p95_ms"] is not None and s["p95_ms"] <= P95_BUDGET_MS}
    best = max(ok.items(), key=lambda item: item[1]["throughput_msgs_per_s"], default=(None, None))
    out["saturation"] = {
        "levels": levels,
        "best_concurrency_with_p95_le_1s": int(best[0]) if best[0] else None,
        "max_throughput_msgs_per_s": best[1]["throughput_msgs_per_s"] if best[1] else None,
        "messages": sum(s["messages"] for s in levels.values()),
        "lost": sum(s["lost"] for s in levels.values()),
        "duplicated": sum(s["duplicated"] for s in levels.values()),
    }
    if best[1]:
        out["saturation"].update({k: best[1][k] for k in ("p50_ms", "p95_ms", "p99_ms", "throughput_msgs_per_s")})
    return out


def machine_busy(max_load: float) -> float | None:
    load = os.getloadavg()[0]
    return load if load > max_load else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--systems", default="ours,bare")
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think-mean", type=float, default=10.0)
    parser.add_argument("--levels", default="10,20,50,100")
    parser.add_argument("--level-duration", type=float, default=30.0)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-level", type=int, default=50)
    parser.add_argument("--max-load", type=float, default=1.5, help="refuse to run above this 1-min load average")
    parser.add_argument("--out", type=Path, default=RESULTS / "latency.json")
    args = parser.parse_args(argv)
    args.levels = [int(x) for x in args.levels.split(",")]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    results: dict = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}}
    systems = args.systems.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        if "ours" in systems:
            stack = concierge_stack(Path(tmp) / "ours", with_insights=True)
            with stack:
                stack.start()
                env = stack.config.env
                customers = demo_customers(env["DATABASE_URL"], limit=50)
                secret = env["CUSTOMER_TOKEN_SECRET"]
                tokens = {c.id: issue_customer_token(c.id, secret=secret, ttl_seconds=7200) for c in customers}

                def make_ours(rng: random.Random):
                    customer = rng.choice(customers)
                    return concierge_script(customer, tokens[customer.id], rng)

                if (busy := machine_busy(args.max_load)) is not None:
                    raise SystemExit(f"load average {busy:.1f} > {args.max_load}: the machine is busy; try later")
                results["ours"] = asyncio.run(
                    bench_system(
                        "ours",
                        stack.config.rasa_url,
                        make_ours,
                        env["RASA_API_TOKEN"],
                        args,
                        {name: process.pid for name, process in stack.processes.items()},
                        {"Authorization": f"Bearer {stack.child_env()['REST_CHANNEL_TOKEN']}"},
                    )
                )
        if "bare" in systems:
            bare = BareRasa(workdir=Path(tmp) / "bare")
            bare.workdir.mkdir(parents=True, exist_ok=True)
            model = bare.prepare(cache=BARE_MODEL_CACHE)
            try:
                bare.start(model)
                if (busy := machine_busy(args.max_load)) is not None:
                    raise SystemExit(f"load average {busy:.1f} > {args.max_load}: the machine is busy; try later")
                results["bare"] = asyncio.run(
                    bench_system(
                        "bare", bare.url, lambda rng: bare_script(None, "", rng), None, args, {"rasa": bare.process.pid}
                    )
                )
            finally:
                bare.stop()
    if "ours" in results and "bare" in results:
        ours, bare_ = results["ours"], results["bare"]
        results["ratio_realistic_p95"] = _ratio(ours["realistic"]["p95_ms"], bare_["realistic"]["p95_ms"])
        results["ratio_max_throughput"] = _ratio(
            ours["saturation"]["max_throughput_msgs_per_s"], bare_["saturation"]["max_throughput_msgs_per_s"]
        )
    results["targets"] = {"realistic_p95_ms": 150, "max_throughput_ratio": 1.5, "lost": 0, "duplicated": 0}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


if __name__ == "__main__":
    raise SystemExit(main())
