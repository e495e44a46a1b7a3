"""A throwaway local PostgreSQL server in a temporary folder (tests, `make cluster`).

Debian's binaries live in /usr/lib/postgresql/<version>/bin. PostgreSQL refuses to run as
root (CI runs as root), so then the folder is given to the `postgres` user and the server
runs as that user. The server listens on 127.0.0.1 only, trusts local connections, and
is stopped and its folder deleted by `stop()`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def bin_dir() -> Path | None:
    """Where Debian's (or any installed) PostgreSQL server binaries are, if anywhere."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    def __init__(self, port: int | None = None, *, durable: bool = False) -> None:
        self.bin = bin_dir()
        if self.bin is None:
            raise FileNotFoundError("PostgreSQL server binaries are not installed")
        self.port = port or free_port()
        self.durable = durable
        self.folder = Path(tempfile.mkdtemp(prefix="bounce-back-pg-"))
        self.data = self.folder / "data"
        self.process: subprocess.Popen | None = None
        self._as: dict[str, str] = {}
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self._as = {"user": "postgres", "group": "postgres"}

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 30.0) -> LocalPostgres:
        subprocess.run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
            + ["-E", "UTF8", "--no-locale", "--no-sync"],
            check=True,
            capture_output=True,
            **self._as,
        )
        self._launch(timeout)
        return self

    def _launch(self, timeout: float = 30.0) -> None:
        settings = ["listen_addresses=127.0.0.1", f"unix_socket_directories={self.folder}"]
        settings.append("max_connections=200")
        if not self.durable:
            # Throwaway data: skip the fsyncs that only matter after a power cut.
            settings += ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]
        log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - lives with the server
        command = [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port)]
        for setting in settings:
            command += ["-c", setting]
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **self._as
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL did not start: {self.log_tail()}")
            ready = subprocess.run(
                [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("PostgreSQL did not become ready in time")

    def log_tail(self) -> str:
        try:
            return (self.folder / "server.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def psql(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url_for(database), autocommit=True) as conn:
            conn.execute(sql)

    def kill(self) -> None:
        """Stop the server at once (immediate shutdown), keeping its data."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(3)  # SIGQUIT: immediate shutdown
            self.process.wait(timeout=30)
        self.process = None

    def restart(self) -> None:
        """Start again on the same data, after `kill()`."""
        self.kill()
        self._launch()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: smart shutdown... then fast
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)
