"""A cluster on one machine: PostgreSQL, N app processes, HAProxy in front (`make cluster`).

    python scripts/cluster.py [--replicas 3] [--port 8500]

- A local PostgreSQL (Debian's binaries) in a temporary folder, durable settings.
- N `streamlit run` processes on their own loopback ports, all with the same
  `server.cookieSecret` (Streamlit signs its XSRF cookie with it, so a page served by one
  process is accepted by another) and the same BOUNCE_BACK_DATABASE_URL.
- HAProxy on one port: cookie-based stickiness (`BBREPLICA`), websockets (HTTP mode
  upgrades them; `timeout tunnel` keeps them open), health checks on `/healthz`, and
  `option redispatch` so a visitor whose process died is sent to a live one.

Ctrl-C (or SIGTERM) stops everything and deletes the temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from pg_local import LocalPostgres, free_port  # noqa: E402

STICKY_COOKIE = "BBREPLICA"
START_TIMEOUT_S = 90

HAPROXY_CONFIG = """\
global
    maxconn 4000
defaults
    mode http
    option http-server-close
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    # A websocket is a tunnel once upgraded: keep it open while the candidate reads.
    timeout tunnel 1h
    retries 2
    option redispatch
    # The visitor's address for the per-client limits: each app process reads it from
    # X-Forwarded-For, which it trusts from a proxy on its own machine.
    option forwardfor
frontend bounce_back
    bind 127.0.0.1:{port}
    default_backend app
backend app
    balance roundrobin
    cookie {cookie} insert indirect nocache httponly
    option httpchk GET /healthz
    http-check expect status 200
{servers}
"""


def haproxy_config(port: int, app_ports: list[int]) -> str:
    servers = "\n".join(
        f"    server app{i + 1} 127.0.0.1:{p} check cookie app{i + 1} inter 1s fall 1 rise 2"
        for i, p in enumerate(app_ports)
    )
    return HAPROXY_CONFIG.format(port=port, cookie=STICKY_COOKIE, servers=servers)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _wait_for(url: str, process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _answers(url):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}):\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer {url} in time:\n{_tail(log)}")
        time.sleep(0.2)


def _tail(path: Path) -> str:
    with contextlib.suppress(OSError):
        return path.read_text(errors="replace")[-3000:]
    return ""


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class Cluster:
    def __init__(self, replicas: int = 3, port: int | None = None) -> None:
        if shutil.which("haproxy") is None:
            raise FileNotFoundError("HAProxy is not installed (Debian: apt-get install haproxy)")
        self.replicas = replicas
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = Path(tempfile.mkdtemp(prefix="bounce-back-cluster-"))
        self.cookie_secret = secrets.token_hex(32)
        self.postgres: LocalPostgres | None = None
        self.database_url = ""
        self.apps: list[subprocess.Popen] = []
        self.app_ports: list[int] = []
        self.haproxy: subprocess.Popen | None = None

    def start(self) -> Cluster:
        try:
            self.postgres = LocalPostgres(durable=True).start()
            self.postgres.psql("CREATE DATABASE bounce_back")
            self.database_url = self.postgres.url_for("bounce_back")
            # Migrate once, before the replicas race to do it.
            from core.store import make_store

            make_store(self.database_url).close()
            for i in range(self.replicas):
                self.start_replica(i)
            for i in range(self.replicas):
                _wait_for(
                    f"http://127.0.0.1:{self.app_ports[i]}/healthz",
                    self.apps[i],
                    f"app{i + 1}",
                    self.folder / f"app{i + 1}.log",
                )
            config = self.folder / "haproxy.cfg"
            config.write_text(haproxy_config(self.port, self.app_ports))
            log = self.folder / "haproxy.log"
            with log.open("wb") as out:
                self.haproxy = subprocess.Popen(
                    ["haproxy", "-f", str(config), "-db"],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            _wait_for(f"{self.url}/healthz", self.haproxy, "haproxy", log)
            return self
        except BaseException:
            self.stop()
            raise

    def start_replica(self, i: int) -> None:
        port = free_port()
        env = {
            **os.environ,
            "BOUNCE_BACK_DATABASE_URL": self.database_url,
            # Streamlit takes the secret only from its config file or the environment.
            "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret,
        }
        command = [sys.executable, "-m", "streamlit", "run", "app.py"]
        command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
        command += ["--server.port", str(port)]
        command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        with (self.folder / f"app{i + 1}.log").open("ab") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if i < len(self.apps):
            self.apps[i], self.app_ports[i] = process, port
        else:
            self.apps.append(process)
            self.app_ports.append(port)

    def kill_replica(self, i: int) -> None:
        """kill -9 one app process, as a crash would."""
        self.apps[i].send_signal(signal.SIGKILL)
        self.apps[i].wait(timeout=10)

    def stop(self) -> None:
        for process in [p for p in (self.haproxy, *self.apps) if p is not None]:
            _stop(process)
        if self.postgres is not None:
            self.postgres.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--port", type=int, default=8500)
    args = parser.parse_args()
    cluster = Cluster(args.replicas, args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        cluster.start()
        ports = ", ".join(str(p) for p in cluster.app_ports)
        print(f"Bounce Back on {cluster.url} (HAProxy) → app processes on ports {ports}")
        print(f"PostgreSQL: {cluster.postgres.url if cluster.postgres else '?'}")
        print("Ctrl-C stops everything.", flush=True)
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping…")
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
