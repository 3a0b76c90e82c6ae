"""Disposable servers for the fault tests: a private PostgreSQL cluster, a private Redis, and
LAPOR itself in production mode (gunicorn and Celery workers as subprocesses), all on free
loopback ports, so that a test may stop and start them without touching the shared services.

Every process is started in its own session (process group) and killed with its children,
by process id, when the test ends."""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin: gunicorn and celery live there


def _newest_pg_bin() -> Path:
    """The server binaries of the newest PostgreSQL installed (as .ci/run starts the newest)."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name or 0)
    )
    return versions[-1] if versions else Path("/usr/lib/postgresql/15/bin")


PG_BIN = Path(os.environ.get("LAPOR_PG_BIN") or _newest_pg_bin())
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def missing_tools() -> str | None:
    """Why the fault tests cannot run here, or None."""
    for tool in (PG_BIN / "initdb", PG_BIN / "pg_ctl", Path(REDIS_SERVER)):
        if not tool.exists():
            return f"needs {tool} (PostgreSQL 15 server binaries and redis-server)"
    for tool in ("gunicorn", "celery"):
        if not (BIN / tool).exists():
            return f"needs {BIN / tool} (pip install -e .[dev])"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "runs initdb as the postgres user when root: needs runuser"
    return None


_next_port = [0]  # where the next free_port looks in this worker's slice (round robin)


def _port_range() -> range | None:
    """This xdist worker's share of LAPOR_TEST_PORTS ("19100-19299"), or None (ask the OS)."""
    spec = os.environ.get("LAPOR_TEST_PORTS")
    if not spec:
        return None
    low, high = (int(p) for p in spec.split("-"))
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    number = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
    share = (high - low + 1) // workers
    return range(low + number * share, low + (number + 1) * share)


def free_port() -> int:
    """A loopback port nothing listens on, for a server started later. With LAPOR_TEST_PORTS
    set, from this xdist worker's own slice of that range (no other worker picks the same
    port between this call and the server's bind); otherwise one the OS chooses."""
    ports = _port_range()
    for _ in ports or ():
        port = ports[_next_port[0] % len(ports)]
        _next_port[0] += 1
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    if ports is not None:
        raise RuntimeError(f"no free port left in {ports} (LAPOR_TEST_PORTS)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float, interval: float = 0.2):
    """Polls ``predicate`` until it returns something true or ``timeout`` seconds pass;
    returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


def kill_group(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Stops a process started with ``start_new_session`` and everything it forked."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    # Children (gunicorn or Celery pool processes) may outlive their parent: kill the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


# --- Redis ------------------------------------------------------------------------------------


class RedisServer:
    """``redis-server`` on a free port with no persistence: a stop loses every queued message,
    as a crash of an unpersisted broker would."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        log = open(self.workdir / "redis.log", "ab")  # kept open by the process
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if not wait_for(lambda: _port_open(self.port), 15):
            raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            kill_group(self.process, signal.SIGTERM)
            self.process = None


# --- PostgreSQL -------------------------------------------------------------------------------


class PostgresCluster:
    """A private cluster in a temporary folder (trust authentication, loopback only). initdb
    refuses to run as root, so as root the cluster belongs to the ``postgres`` user."""

    def __init__(self):
        # Not under pytest's tmp_path: that is private to root, and the server may run as
        # the postgres user.
        self.root = Path(tempfile.mkdtemp(prefix="lapor-faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.log = self.root / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def _as_owner(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    def _run(self, *args: str, timeout: float = 120) -> None:
        subprocess.run(self._as_owner(*args), check=True, capture_output=True, timeout=timeout)

    def init(self) -> None:
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            # A disposable cluster: durability against a machine crash is not under test (a
            # fast shutdown still writes everything), speed on a shared machine is welcome.
            conf.write(
                "\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 100\nshared_buffers = 32MB\n"
            )

    def start(self) -> None:
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1",
            "start",
        )

    def stop(self) -> None:
        """A fast shutdown: open transactions roll back, clients are disconnected."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def crash(self) -> None:
        """An immediate shutdown: the server stops as if it died (no checkpoint)."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def running(self) -> bool:
        result = subprocess.run(
            self._as_owner(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"),
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, database: str, query: str) -> str:
        result = subprocess.run(
            [
                str(PG_BIN / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-tAc",
                query,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.strip()

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            if self.running():
                self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class StandbyCluster(PostgresCluster):
    """A hot streaming standby of ``primary`` in its own folder and port: a base backup
    (pg_basebackup -R writes standby.signal and the primary's address), then replaying the
    primary's WAL as it streams; it answers reads."""

    def __init__(self, primary: PostgresCluster):
        super().__init__()
        self.primary = primary

    def init(self) -> None:
        self._run(
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.data),
            "-R",  # a standby: standby.signal and primary_conninfo
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        )


# --- LAPOR ------------------------------------------------------------------------------------

FILING_RATE = "1000000000"


def production_env(*, database_url: str, redis_url: str, workdir: Path, static_root: Path):
    """The environment of a production deployment on loopback (see the README's table)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "LAPOR_", "PYTEST", "CELERY_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lapor.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "LAPOR_STATIC_ROOT": str(static_root),
            "LAPOR_MEDIA_ROOT": str(workdir / "media"),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(workdir / "mail"),
            "LAPOR_RATE_FILE": FILING_RATE,
            "LAPOR_RATE_TRACK": FILING_RATE,
            "LAPOR_RATE_LOGIN": FILING_RATE,
            "LAPOR_RATE_API": FILING_RATE,
            "LAPOR_LOG_LEVEL": "WARNING",
            "LAPOR_REQUEST_LOG_LEVEL": "WARNING",
            # The webhook receiver of these tests runs on 127.0.0.1 (integrations.urlsafety).
            "LAPOR_WEBHOOK_ALLOW_PRIVATE": "1",
            "LAPOR_WEBHOOK_TIMEOUT": "30",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class Lapor:
    """LAPOR's processes for one test: gunicorn and Celery workers, their logs in ``workdir``."""

    def __init__(self, env: dict, workdir: Path):
        self.env = env
        self.workdir = workdir
        (workdir / "mail").mkdir(exist_ok=True)
        (workdir / "media").mkdir(exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.web: subprocess.Popen | None = None

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")  # kept open by the process
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def python(self, code: str, timeout: float = 120):
        """Runs ``code`` in a Django shell of this deployment; it prints one JSON value,
        which is returned."""
        out = self.manage("shell", "-c", code, timeout=timeout)
        return json.loads(out.strip().splitlines()[-1])

    def start_web(self, workers: int = 2, threads: int = 4) -> None:
        self.web = self._spawn(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "lapor.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                "-k",
                "gthread",
                "--threads",
                str(threads),
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
        )
        if not wait_for(lambda: self.get("/healthz")[0] == 200, 60, 0.3):
            raise RuntimeError(f"gunicorn did not start:\n{self.log_tail('gunicorn')}")

    def start_worker(self, name: str = "worker", concurrency: int = 2) -> subprocess.Popen:
        """A prefork Celery worker (the production pool); ready when it answers a ping."""
        process = self._spawn(
            name,
            [
                str(BIN / "celery"),
                "-A",
                "lapor",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "-n",
                f"{name}-{secrets.token_hex(3)}@127.0.0.1",
            ],
        )
        log = self.workdir / f"{name}.log"
        if not wait_for(lambda: b"ready." in log.read_bytes(), 60, 0.3):
            raise RuntimeError(f"the Celery worker did not start:\n{self.log_tail(name)}")
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            kill_group(process, signal.SIGTERM, timeout=10)
        self.processes.clear()

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / f"{name}.log"
        if not path.exists():
            return ""
        text = path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(line[:300] for line in text)

    # --- HTTP ---------------------------------------------------------------------------------

    def request(self, method: str, path: str, body=None, headers=None, timeout: float = 30):
        """One request, no redirects followed. Returns (status, headers, body); status 0 and
        the error text as body when no HTTP answer came back."""
        request = urllib.request.Request(  # noqa: S310  (loopback only)
            self.base + path, data=body, method=method, headers=headers or {}
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, _headers(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, _headers(exc.headers), exc.read()
        except (OSError, urllib.error.URLError) as exc:
            return 0, {}, str(exc).encode()

    def get(self, path: str, headers=None):
        return self.request("GET", path, headers=headers)

    def file_api(self, n: int, key: str | None = None):
        """Files report ``n`` through POST /api/v1/reports/ (with an agency key if given).
        Returns (status, headers, tracking number if accepted, body)."""
        body = json.dumps(new_report(n, "api" if key is None else "key")).encode()
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        status, headers, text = self.request("POST", "/api/v1/reports/", body, headers)
        tracking = json.loads(text).get("tracking") if status == 201 else None
        return status, headers, tracking, text

    def file_form(self, n: int):
        """Files report ``n`` through the web form: GET for the CSRF token, then POST."""
        status, headers, html = self.get("/lapor/")
        if status != 200:
            return status, headers, None, html
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
        fields = {k: v for k, v in new_report(n, "form").items() if not isinstance(v, bool)}
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.decode(), **fields})
        status, headers, text = self.request(
            "POST",
            "/lapor/",
            form.encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
            },
        )
        match = re.search(r"/([A-Z0-9-]+)/?$", headers.get("Location", ""))
        return status, headers, match.group(1) if status == 302 and match else None, text

    # --- what was sent --------------------------------------------------------------------------

    def mails(self) -> list[str]:
        """Every message the file e-mail backend wrote (one file per connection)."""
        texts = [p.read_text(errors="replace") for p in (self.workdir / "mail").glob("*.log")]
        return [m for t in texts for m in t.split("-" * 79) if m.strip()]

    def mails_to(self, address: str) -> int:
        return sum(f"To: {address}\n" in m for m in self.mails())


def _headers(message) -> dict:
    """The response's headers as a dict; several Set-Cookie headers one per line."""
    headers = dict(message)
    cookies = message.get_all("Set-Cookie") or []
    if cookies:
        headers["Set-Cookie"] = "\n".join(cookies)
    return headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def reporter_email(n: int, channel: str) -> str:
    return f"pelapor.{channel}.{n}@example.id"


def new_report(n: int, channel: str) -> dict:
    """A report in Kota Bandung whose text passes automatic verification."""
    return {
        "kind": "complaint",
        "title": f"Jalan rusak di depan sekolah nomor {n}",
        "description": (
            "Jalan di depan sekolah dasar berlubang besar sejak bulan lalu dan membahayakan "
            f"anak-anak yang berangkat sekolah setiap pagi (laporan uji {channel} {n})."
        ),
        "province": "32",
        "regency": "3273",
        "reporter_name": f"Pelapor Uji {n}",
        "reporter_email": reporter_email(n, channel),
        "is_anonymous": False,
    }


# --- a webhook receiver -----------------------------------------------------------------------


class Receiver:
    """An agency's HTTP endpoint on 127.0.0.1: counts each delivery id it answered 200 to.
    With ``hold`` set, it keeps the first request open (no answer) until ``release`` is set,
    so that a test can act while a worker is in the middle of the POST."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answered: list[str] = []  # X-Lapor-Delivery of every request answered 200
        self.seen: list[str] = []  # every request received, answered or not
        self.hold = False
        self.holding = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                delivery = self.headers.get("X-Lapor-Delivery", "")
                with receiver.lock:
                    receiver.seen.append(delivery)
                    hold, receiver.hold = receiver.hold, False
                if hold:
                    receiver.holding.set()
                    receiver.release.wait(60)
                    return  # no answer: the connection closes
                self.send_response(200)
                self.end_headers()
                with receiver.lock:
                    receiver.answered.append(delivery)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/lapor-hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


# --- an SMTP server -------------------------------------------------------------------------


class SmtpReceiver:
    """A minimal SMTP server on 127.0.0.1 (no TLS, no auth) that records the recipients of
    each message it accepted (answered 250 after DATA). With ``hold`` set, it keeps the first
    message unanswered until ``release`` is set: the sender is in the middle of sending."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted: list[str] = []
        self.hold = False
        self.holding = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 faults ESMTP\r\n")
                recipients: list[str] = []
                for raw in self.rfile:
                    command = raw.decode(errors="replace").strip()
                    verb = command[:4].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-faults\r\n250 8BITMIME\r\n")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip(" <>"))
                        self.wfile.write(b"250 OK\r\n")
                    elif verb == "DATA":
                        self.wfile.write(b"354 go ahead\r\n")
                        for line in self.rfile:
                            if line in (b".\r\n", b".\n"):
                                break
                        if not receiver._answer(recipients):
                            return  # held, then dropped without an answer
                        self.wfile.write(b"250 OK\r\n")
                        recipients = []
                    elif verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:  # HELO, MAIL, RSET, NOOP
                        self.wfile.write(b"250 OK\r\n")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _answer(self, recipients: list[str]) -> bool:
        with self.lock:
            hold, self.hold = self.hold, False
        if hold:
            self.holding.set()
            self.release.wait(60)
            return False
        with self.lock:
            self.accepted.extend(recipients)
        return True

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
