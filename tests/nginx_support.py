"""Run the shipped nginx site (deploy/nginx/warta.conf) for real, on loopback ports.

Used by tests/test_nginx.py and `bench/http_bench.py --via-nginx`. `render()` changes only the
lines that name this machine (listen ports, the upstream's port, server_name, the certificate)
and checks that each of them is in the shipped file exactly as often as expected, so every other
directive runs as shipped and a changed shipped file fails loudly instead of being half-tested.
`start_nginx()` wraps the rendered site in a minimal main config (the shipped file is meant to sit
inside Debian's http { }), makes a throw-away self-signed certificate for ``localhost`` and runs
Debian's /usr/sbin/nginx in the foreground (``daemon off``) until `NginxProcess.stop()`.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
SHIPPED = REPO / "deploy" / "nginx" / "warta.conf"
HOST = "localhost"          # the name the rendered site answers to (server_name, certificate)
START_SECONDS = 15


def nginx_skip_reason() -> str | None:
    """Why nginx tests cannot run here, or None when they can."""
    if not NGINX.exists():
        return f"nginx tests need Debian's nginx at {NGINX} (apt-get install nginx; scripts/test does)"
    if not Path(OPENSSL).exists():
        return "nginx tests need the openssl command for a test certificate (apt-get install openssl)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render(text: str, *, upstream_port: int, https_port: int, http_port: int, cert: Path, key: Path,
           unlimited: tuple[str, ...] = (), upstream_keepalive: int = 0) -> str:
    """The shipped site with this machine's ports, name and certificate. ``unlimited``: addresses
    added to the geo block that exempts clients from the /api/ rate limit (the benchmark's client).
    ``upstream_keepalive``: a pool of that many kept-alive connections to gunicorn (the
    alternative the shipped file decides against; bench/http_bench.py --nginx-keepalive)."""
    geo_default = "default 0;" + "".join(f"\n    {address} 1;" for address in unlimited)
    upstream = f"server 127.0.0.1:{upstream_port};"
    http_version = "proxy_http_version 1.1;"
    if upstream_keepalive:
        upstream += f"\n    keepalive {upstream_keepalive};"
        http_version += '\n    proxy_set_header Connection "";'
    table = {   # directive (whitespace collapsed) -> (replacement, times it must occur)
        "server 127.0.0.1:8000;": (upstream, 1),
        "proxy_http_version 1.1;": (http_version, 1),
        "listen 443 ssl http2;": (f"listen 127.0.0.1:{https_port} ssl http2;", 1),
        "listen 443 ssl default_server;": (f"listen 127.0.0.1:{https_port} ssl default_server;", 1),
        "listen 80;": (f"listen 127.0.0.1:{http_port};", 1),
        "listen [::]:443 ssl http2;": ("", 1),
        "listen [::]:443 ssl default_server;": ("", 1),
        "listen [::]:80;": ("", 1),
        "server_name warta.example;": (f"server_name {HOST};", 2),
        "ssl_certificate /etc/letsencrypt/live/warta.example/fullchain.pem;": (f"ssl_certificate {cert};", 1),
        "ssl_certificate_key /etc/letsencrypt/live/warta.example/privkey.pem;": (f"ssl_certificate_key {key};", 1),
        "default 0;": (geo_default, 1),
    }
    seen = dict.fromkeys(table, 0)
    out = []
    for line in text.splitlines():
        directive = " ".join(line.split("#", 1)[0].split())
        if directive in table:
            seen[directive] += 1
            indent = line[: len(line) - len(line.lstrip())]
            line = indent + table[directive][0] if table[directive][0] else ""
        out.append(line)
    wrong = {d: n for d, n in seen.items() if n != table[d][1]}
    if wrong:
        raise AssertionError(f"{SHIPPED.relative_to(REPO)} changed: expected directives occur "
                             f"{wrong} times (expected {({d: table[d][1] for d in wrong})})")
    return "\n".join(out) + "\n"


def main_config(folder: Path, site: Path, workers: int | str = 1) -> str:
    """Just the main-context frame Debian's nginx.conf gives a site, with everything in ``folder``."""
    temp = "".join(f"    {name}_temp_path {folder / name};\n"
                   for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (("user root;\n" if os.geteuid() == 0 else "")   # workers must reach the temp folders here
            + f"daemon off;\nworker_processes {workers};\npid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'} warn;\n"
            "events {\n    worker_connections 1024;\n}\n"
            "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            f"    access_log {folder / 'access.log'};\n{temp}    include {site};\n}}\n")


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "localhost.pem", folder / "localhost.key"
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
                    "-addext", f"subjectAltName=DNS:{HOST}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class NginxProcess:
    """A foreground nginx master (own process group), its folder and the site's addresses."""

    def __init__(self, proc: subprocess.Popen, folder: Path, https_port: int, http_port: int, cert: Path):
        self.proc, self.folder, self.cert = proc, folder, cert
        self.https_port, self.http_port = https_port, http_port
        self.url = f"https://{HOST}:{https_port}"

    def ssl_context(self) -> ssl.SSLContext:
        """Verifies the server against the test certificate (as a browser would with a real one)."""
        return ssl.create_default_context(cafile=str(self.cert))

    def output(self) -> str:
        parts = []
        for name in ("error.log", "stderr"):
            path = self.folder / name
            if path.exists():
                parts.append(f"--- nginx {name} ---\n" + path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self, remove: bool = True) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)          # graceful: finish open requests, then exit
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_nginx(upstream: str, *, workers: int | str = 1, unlimited: tuple[str, ...] = (),
                upstream_keepalive: int = 0, folder: Path | None = None) -> NginxProcess:
    """Run the shipped site in front of ``upstream`` (``http://127.0.0.1:PORT``) on free loopback
    ports. Raises RuntimeError with nginx's output when it does not come up."""
    folder = Path(folder or tempfile.mkdtemp(prefix="warta-nginx-"))
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = make_certificate(folder)
    https_port, http_port = free_port(), free_port()
    site = folder / "warta.conf"
    site.write_text(render(SHIPPED.read_text(encoding="utf-8"), upstream_port=int(upstream.rsplit(":", 1)[1]),
                           https_port=https_port, http_port=http_port, cert=cert, key=key, unlimited=unlimited,
                           upstream_keepalive=upstream_keepalive))
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site, workers))
    with open(folder / "stderr", "wb") as err:
        proc = subprocess.Popen([str(NGINX), "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
                                stdin=subprocess.DEVNULL, stdout=err, stderr=err, start_new_session=True)
    nginx = NginxProcess(proc, folder, https_port, http_port, cert)
    deadline = time.monotonic() + START_SECONDS
    while True:
        if proc.poll() is not None:
            message = f"nginx exited with status {proc.returncode}\n{nginx.output()}"
            nginx.stop()
            raise RuntimeError(message)
        try:
            with socket.create_connection(("127.0.0.1", https_port), timeout=1):
                return nginx
        except OSError:
            pass
        if time.monotonic() > deadline:
            message = f"nginx not listening after {START_SECONDS} s\n{nginx.output()}"
            nginx.stop()
            raise RuntimeError(message)
        time.sleep(0.05)
