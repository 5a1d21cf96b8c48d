"""Load test: 50 concurrent users for 60 s against ``lindung serve`` (gunicorn + worker) on the
demo programme, while an import runs in the background.

``python -m bench.load [--users 50] [--seconds 60] [--database sqlite|postgres]``

Builds the demo in a temporary ``LINDUNG_VAR_DIR`` (PostgreSQL: the database of
``DATABASE_URL``, or a throwaway cluster via ``tests/with_postgres.py``), serves it on a free
loopback port, logs in the demo users (round-robin over the roles that see the pages) and lets
each virtual user request the dashboard, the participant list (with a search), the claims list
and the invoice list in a loop; one Operator uploads a 20,000-row participant list at the start
and commits it (the running import). Prints requests, errors (target 0) and p50/p95 per page,
and as the baseline measured in the same run the p50/p95 of a static file from the same server.
Traffic goes to 127.0.0.1 only; the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CODE = "kota-madiun"
PASSWORD = "lindung-demo"
PAGES = {
    "dasbor": f"/p/{CODE}/dasbor/",
    "peserta": f"/p/{CODE}/peserta/?q=SRI",
    "klaim": f"/p/{CODE}/klaim/",
    "tagihan": f"/p/{CODE}/iuran/tagihan/",
}
USERS = {  # who may open which page
    "admin": list(PAGES),
    "pimpinan": ["dasbor", "peserta", "klaim", "tagihan"],
    "operator": ["peserta", "klaim", "tagihan"],
    "auditor": ["dasbor", "peserta", "klaim", "tagihan"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def login(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/masuk/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = await client.post(
        "/masuk/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": str(client.base_url) + "/masuk/"},
    )
    if r.status_code not in (200, 302) or "sessionid" not in client.cookies:
        raise RuntimeError(f"login {username} failed: {r.status_code}")


async def running_import(base: str, path: Path, stats: dict) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=600, follow_redirects=True) as c:
        await login(c, "operator")
        page = await c.get(f"/p/{CODE}/impor/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        with path.open("rb") as fh:
            r = await c.post(
                f"/p/{CODE}/impor/",
                data={"csrfmiddlewaretoken": token, "kind": "participants"},
                files={"file": (path.name, fh, "text/csv")},
                headers={"Referer": base + f"/p/{CODE}/impor/"},
            )
        stats["import_upload"] = r.status_code
        stats["import_url"] = str(r.url)


async def user(base: str, username: str, pages: list[str], until: float, out: dict) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        await login(c, username)
        i = 0
        while time.monotonic() < until:
            name = pages[i % len(pages)]
            i += 1
            start = time.perf_counter()
            try:
                r = await c.get(PAGES[name])
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            out.setdefault(name, []).append(time.perf_counter() - start)
            if not ok:
                out.setdefault("errors", []).append(name)


async def baseline(base: str, until: float, out: list) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        while time.monotonic() < until:
            start = time.perf_counter()
            await c.get("/static/lindung/lindung.css")
            out.append(time.perf_counter() - start)
            await asyncio.sleep(0.2)


async def run(base: str, users: int, seconds: int, import_file: Path) -> dict:
    out: dict = {}
    stats: dict = {}
    base_times: list[float] = []
    names = list(USERS)
    until = time.monotonic() + seconds
    tasks = [running_import(base, import_file, stats), baseline(base, until, base_times)]
    for n in range(users):
        who = names[n % len(names)]
        tasks.append(user(base, who, USERS[who], until, out))
    await asyncio.gather(*tasks)
    out["_baseline"] = base_times
    out["_stats"] = stats
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    opts = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="lindung-load-"))
    env = dict(os.environ, LINDUNG_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="lindung.settings")
    env.setdefault("DATABASE_URL", f"sqlite:///{var / 'lindung.sqlite3'}")
    engine = "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
    lindung = [sys.executable, "-m", "lindung"]
    print(f"Building the demo ({engine}) in {var} …", flush=True)
    subprocess.run([*lindung, "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
    import_file = var / "impor.csv"
    subprocess.run(
        [sys.executable, "-c",
         "import sys; from lindung.registry import synthetic as s; "
         "s.write_csv(s.clean_rows(20000, seed=99, start=900000), sys.argv[1])", str(import_file)],
        env=env, check=True,
    )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [*lindung, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "4", "--threads", "4"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(base + "/masuk/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        out = asyncio.run(run(base, opts.users, opts.seconds, import_file))
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = out.pop("errors", [])
    base_times = out.pop("_baseline")
    stats = out.pop("_stats")
    total = sum(len(v) for v in out.values())
    b50, b95 = pct(base_times, 50) * 1000, pct(base_times, 95) * 1000
    print(f"\nLoad test, {engine}: {opts.users} users, {opts.seconds} s, import upload "
          f"{stats.get('import_upload')}")  # fmt: skip
    print(f"requests {total}, errors {len(errors)}, {total / opts.seconds:.1f} req/s")
    print(f"{'page':10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p95/static':>11}")
    for name, times in sorted(out.items()):
        p50, p95 = pct(times, 50) * 1000, pct(times, 95) * 1000
        print(f"{name:10} {len(times):6d} {p50:8.0f} {p95:8.0f} {p95 / b95:10.1f}×")
    print(f"{'static':10} {len(base_times):6d} {b50:8.0f} {b95:8.0f}   (baseline)")
    if errors:
        print("errors on:", {n: errors.count(n) for n in set(errors)})
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
