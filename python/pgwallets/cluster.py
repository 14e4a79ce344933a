"""The project-local PostgreSQL cluster used by `make test`, `make demo` and `pgwallets db`.

Data lives in `<project>/.pgwallets` (git-ignored). The server always runs as the `postgres`
user: initdb refuses root, and that user must reach the data directory, so when the project sits
where it cannot (a clone under /root), `.pgwallets` becomes a symlink into /var/tmp.

Setting DATABASE_URL skips the local cluster: every command then uses that server.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from psycopg.conninfo import conninfo_to_dict, make_conninfo

PORT = int(os.environ.get("PGWALLETS_PORT", "54329"))
SERVER_USER = "postgres"
SETTINGS = {
    "port": str(PORT),
    "listen_addresses": "'127.0.0.1'",
    "shared_preload_libraries": "'pg_cron'",
    "cron.database_name": "'postgres'",
    "max_connections": "200",
    "log_min_messages": "warning",
}


def shared_buffers_mb() -> int:
    """A quarter of the machine's memory, between 128 MB and 8 GB: PostgreSQL's own advice for a
    dedicated server. Measured on the 2-core, 24 GB machine: at 256 MB a uniform transfer over
    10,000 wallets missed the buffer cache once every few calls once the ledger held a few million
    entries (each transfer touches about seven index leaves of its two wallets), and ran 0.40x the
    minimal write; at 2 GB the same database ran it at 0.50x (docs/scaling.md)."""
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    return max(128, min(8192, memory_mb // 4))


class ClusterError(RuntimeError):
    """The local cluster could not be set up or reached."""


def project_root() -> Path:
    """The project folder: PGWALLETS_ROOT, else the current directory."""
    return Path(os.environ.get("PGWALLETS_ROOT", os.getcwd())).resolve()


def bindir() -> Path:
    configured = os.environ.get("PG_BINDIR")
    if configured:
        return Path(configured)
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "pg_ctl").exists():
            return candidate
    raise ClusterError("PostgreSQL server binaries not found; run `make deps` (Debian package postgresql-15)")


@dataclass(frozen=True)
class Cluster:
    home: Path

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def socket_dir(self) -> Path:
        return self.home / "run"

    @property
    def log(self) -> Path:
        return self.home / "postgresql.log"

    def server_url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{PORT}/{dbname}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(as_server_user([str(bindir() / args[0]), *args[1:]]), check=check, text=True,
                              capture_output=True)

    def is_running(self) -> bool:
        if not (self.data / "PG_VERSION").exists():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def start(self) -> None:
        """Create the cluster if needed and start it; a running cluster is reused."""
        self._prepare_home()
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        if self.is_running():
            return
        # Memory is sized at each start, for the machine the cluster runs on.
        result = self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log),
                           "-o", f"-c shared_buffers={shared_buffers_mb()}MB", check=False)
        if result.returncode != 0:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise ClusterError(f"pg_ctl start failed: {result.stdout}{result.stderr}\n{tail}")

    def stop(self) -> bool:
        if not self.is_running():
            return False
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))
        return True

    def _prepare_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            server = pwd.getpwnam(SERVER_USER)
            for path in (self.home, self.socket_dir):
                os.chown(path, server.pw_uid, server.pw_gid)
            os.chmod(self.home, 0o700)

    def _initdb(self) -> None:
        if self.data.exists():
            shutil.rmtree(self.data)
        self._run("initdb", "-D", str(self.data), "-U", SERVER_USER, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        lines = [f"{name} = {value}" for name, value in SETTINGS.items()]
        lines.append(f"unix_socket_directories = '{self.socket_dir}'")
        conf = self.data / "postgresql.conf"
        # Written through the server user, who owns the data directory.
        subprocess.run(
            as_server_user(["tee", "-a", str(conf)]),
            input="\n# pgwallets\n" + "\n".join(lines) + "\n",
            text=True,
            check=True,
            capture_output=True,
        )


def as_server_user(command: Sequence[str]) -> list[str]:
    """The command to run a program as the server user: through runuser when we are root (initdb
    and postgres refuse root), as it is otherwise."""
    return ["runuser", "-u", SERVER_USER, "--", *command] if os.geteuid() == 0 else list(command)


def local_cluster(root: Path | None = None) -> Cluster:
    """The cluster of a project folder, relocated to /var/tmp when the server user cannot reach it."""
    root = root or project_root()
    link = root / ".pgwallets"
    if link.is_symlink() or os.geteuid() != 0 or _server_user_reaches(root):
        return Cluster(link)
    target = Path("/var/tmp") / ("pgwallets-" + hashlib.sha1(str(root).encode()).hexdigest()[:10])
    target.mkdir(parents=True, exist_ok=True)
    if link.exists():
        shutil.rmtree(link)
    link.symlink_to(target)
    return Cluster(link)


def _server_user_reaches(folder: Path) -> bool:
    probe = subprocess.run(["runuser", "-u", SERVER_USER, "--", "test", "-x", str(folder)], capture_output=True)
    return probe.returncode == 0


def server_url() -> str:
    """The server every command talks to: DATABASE_URL, else the local cluster (started on demand)."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    cluster = local_cluster()
    if not cluster.is_running():
        cluster.start()
    return cluster.server_url()


def database_url(dbname: str, base: str | None = None) -> str:
    """The same server as `base` (default: server_url()), another database. A URL stays a URL,
    which every tool here accepts (pg_prove mangles key=value strings)."""
    base = base or server_url()
    if base.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(base)
        return urlunsplit(parts._replace(path="/" + quote(dbname)))
    return make_conninfo(base, dbname=dbname)


def sqitch_target(url: str) -> str:
    """A sqitch target URI (db:pg://user:password@host:port/dbname) for a libpq connection string."""
    params = conninfo_to_dict(url)
    credentials = str(params.get("user", ""))
    if params.get("password"):
        credentials += f":{params['password']}"
    host = str(params.get("host", ""))
    if host.startswith("/"):
        host = ""  # sqitch reads PGHOST for sockets
    port = f":{params['port']}" if params.get("port") else ""
    at = "@" if credentials else ""
    return f"db:pg://{credentials}{at}{host}{port}/{params.get('dbname', '')}"
