"""Local receivers for alert delivery tests: an HTTP webhook endpoint and a tiny SMTP server (sockets only;
Python 3.11 has smtpd but it is deprecated, and aiosmtpd is not installed here)."""

from __future__ import annotations

import base64
import json
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SMTP_USER, SMTP_PASSWORD = "alerts@example.test", "s3cret-smtp-Passw0rd"
WEBHOOK_TOKEN = "T0000/B0000/XyZsecretWebhookToken"


class WebhookReceiver:
    """Records every POST; answers with the next status of `statuses` (the last one repeats)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = [200]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"invalid_token")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """Enough SMTP for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. Records delivered messages.

    `mail_replies` answers MAIL FROM in turn (the last repeats), e.g. ["451 try later", "250 OK"]. A failed
    AUTH echoes the credentials back, as careless servers do, so tests can prove errors are redacted.
    """

    def __init__(self, user: str | None = None, password: str | None = None):
        self.messages: list[dict] = []
        self.mail_replies: list[str] = ["250 OK"]
        self.user, self.password = user, password
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                self.wfile.write((line + "\r\n").encode())

            def handle(self):
                self.reply("220 test-smtp ready")
                sender, recipients, authed = None, [], receiver.user is None
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    line = raw.decode(errors="replace").rstrip("\r\n")
                    verb = line.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250-test-smtp")
                        self.reply("250 AUTH PLAIN")
                    elif verb == "AUTH":
                        parts = line.split()
                        decoded = base64.b64decode(parts[2]).split(b"\0") if len(parts) > 2 else []
                        given = [p.decode() for p in decoded[1:]]
                        if given == [receiver.user, receiver.password]:
                            authed = True
                            self.reply("235 2.7.0 Authentication successful")
                        else:
                            self.reply(f"535 5.7.8 Authentication failed for {':'.join(given)}")
                    elif verb == "MAIL":
                        if not authed:
                            self.reply("530 5.7.0 Authentication required")
                            continue
                        reply = receiver.mail_replies.pop(0) if len(receiver.mail_replies) > 1 else receiver.mail_replies[0]
                        if reply.startswith("250"):
                            sender, recipients = line[10:].strip("<> "), []
                        self.reply(reply)
                    elif verb == "RCPT":
                        recipients.append(line[8:].strip().strip("<>"))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        lines = []
                        while True:
                            data = self.rfile.readline().decode(errors="replace")
                            if data in (".\r\n", ".\n", ""):
                                break
                            lines.append(data[1:] if data.startswith("..") else data)
                        receiver.messages.append({"from": sender, "to": recipients, "data": "".join(lines)})
                        self.reply("250 OK queued")
                    elif verb in ("RSET", "NOOP"):
                        self.reply("250 OK")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    """A port nothing listens on (for connection failures)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
