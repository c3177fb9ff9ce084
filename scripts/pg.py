"""A throwaway PostgreSQL cluster on 127.0.0.1 for the project's scripts: installed from Debian's
packages when missing, owned by the postgres user when run as root, removed on stop."""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A throwaway cluster on 127.0.0.1, owned by the postgres user when run as root."""

    def __init__(self):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin")) if Path("/usr/lib/postgresql").exists() else []
        if not bins:
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        self.bin = bins[-1]
        self.dir = Path(tempfile.mkdtemp(prefix="skaffold-e2e-pg-"))
        self.dir.chmod(0o755)
        self.port = free_port()
        self.root = os.geteuid() == 0
        if self.root:
            shutil.chown(self.dir, "postgres")
        self.as_pg([str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust", "--no-sync"])
        self.start_server()
        self.admin_url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def as_pg(self, argv):
        if self.root:
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in argv)]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

    def create_database(self, name):
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.admin_url, "-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"], check=True)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start_server(self):
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c max_connections=200"
        self.as_pg([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-l", str(self.dir / "log"), "-o", options, "start"])

    def stop_server(self):
        self.as_pg([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"])

    def stop(self):
        try:
            self.stop_server()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


