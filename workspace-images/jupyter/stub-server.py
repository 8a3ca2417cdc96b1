#!/usr/bin/python3
"""Tiny stand-in for Jupyter inside a room, for tests and benchmarks (room program `stub`).

Runs in the same sandbox as Jupyter, listens on the same unix socket and checks the same token
(JUPYTER_TOKEN; `Authorization: token T` or `?token=T`), so the driver, the proxy and the isolation
tests exercise the real paths while starting in a fraction of a second.

  GET  <base>api        200 {"version": "stub"} without a token, like Jupyter's /api
  GET  <base>...        200 {"ok": true, "path": ...} with the token, else 403
  POST <base>run        with the token: run {"argv": [...], "timeout": s} inside the room and return
                        {"code", "stdout", "stderr"}. This grants nothing a Jupyter kernel would not.

Usage: stub-server.py SOCKET_PATH BASE_URL
"""
import json
import os
import socket
import socketserver
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

SOCK, BASE = sys.argv[1], sys.argv[2]
TOKEN = os.environ.get("JUPYTER_TOKEN", "")


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    # socketserver's default backlog is 5: a burst of a dozen connections (two control planes
    # opening a member's first requests at once) overflowed it, and a unix socket refuses a
    # connect past its backlog at once (EAGAIN). Jupyter's server (tornado) listens with 128.
    request_queue_size = 128


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def address_string(self):
        return "unix"

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self):
        auth = self.headers.get("Authorization", "")
        if TOKEN and auth == "token " + TOKEN:
            return True
        query = parse_qs(urlsplit(self.path).query)
        return bool(TOKEN) and query.get("token", [""])[0] == TOKEN

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == BASE + "api":
            return self._send(200, {"version": "stub"})
        if not path.startswith(BASE):
            return self._send(404, {"message": "not found"})
        if not self._authorised():
            return self._send(403, {"message": "forbidden"})
        self._send(200, {"ok": True, "path": path})

    def do_POST(self):
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        if not path.startswith(BASE):
            return self._send(404, {"message": "not found"})
        if not self._authorised():
            return self._send(403, {"message": "forbidden"})
        if path != BASE + "run":
            return self._send(200, {"ok": True, "path": path, "received": len(body)})
        req = json.loads(body or b"{}")
        try:
            proc = subprocess.run(req["argv"], capture_output=True, timeout=req.get("timeout", 30))
            result = {"code": proc.returncode, "stdout": proc.stdout.decode(errors="replace"),
                      "stderr": proc.stderr.decode(errors="replace")}
        except Exception as exc:  # e.g. fork refused by the pids limit
            result = {"code": -1, "stdout": "", "stderr": repr(exc)}
        self._send(200, result)


if os.path.exists(SOCK):
    os.unlink(SOCK)
os.umask(0o077)
server = Server(SOCK, Handler)
server.serve_forever()
