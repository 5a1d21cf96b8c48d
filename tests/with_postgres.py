"""Run a command against a throwaway PostgreSQL 15 cluster.

``python tests/with_postgres.py -- pytest …`` starts a private cluster from the machine's PostgreSQL
server binaries (as the ``postgres`` user when running as root, because ``initdb`` refuses root) on
a free port, sets ``DATABASE_URL`` for the command, and removes the cluster afterwards.
If ``DATABASE_URL`` already points at PostgreSQL, that server is used instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def pg_bindir() -> str:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(os.path.realpath(initdb))
    sys.exit("PostgreSQL server binaries not found: apt-get install postgresql-15")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return subprocess.call(argv)
    bindir = pg_bindir()
    tmp = tempfile.mkdtemp(prefix="lindung-pg-")
    os.chmod(tmp, 0o755)
    data = os.path.join(tmp, "data")
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    port = free_port()
    log = os.path.join(tmp, "server.log")
    try:
        subprocess.run(
            as_postgres(
                [
                    f"{bindir}/initdb",
                    "-D",
                    data,
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        opts = (
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        subprocess.run(
            as_postgres([f"{bindir}/pg_ctl", "-D", data, "-l", log, "-o", opts, "-w", "start"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            if (
                subprocess.call(
                    as_postgres([f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)]),
                    stdout=subprocess.DEVNULL,
                )
                == 0
            ):
                break
            time.sleep(0.2)
        subprocess.run(
            [f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "lindung"],
            check=True,
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/lindung")
        print(f"PostgreSQL ready on 127.0.0.1:{port} (throwaway cluster in {tmp})", flush=True)
        return subprocess.call(argv, env=env)
    finally:
        subprocess.call(
            as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
