# The app behind tests/integration/proxy.test.mjs and bench/proxy_vs_nginx.sh: a Python
# standard-library HTTP/1.1 server (keep-alive) with one endpoint per proxy behaviour under test.
# It listens on $PORT (inside its Space) or on the port given as argv[1] (the bench's host run).
import base64
import hashlib
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

# Gates for streamed answers (?gate=KEY): the rest of the answer is written only once the visitor,
# having received the first piece, calls /release?gate=KEY. A proxy that buffers never lets that
# happen: the answer then says "unreleased" (after a minute) instead of passing on timing luck.
_gates = {}
_gates_lock = threading.Lock()


def _gate(key):
    with _gates_lock:
        return _gates.setdefault(key, threading.Event())


def wait_for_release(path):
    """Blocks until the gate named in `path` is released; True when there is none."""
    key = parse_qs(urlsplit(path).query).get("gate", [None])[0]
    return key is None or _gate(key).wait(60)


def gated(path):
    return "gate" in parse_qs(urlsplit(path).query)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # header and body are separate writes

    def log_message(self, *args):
        pass

    def send_text(self, status, text, ctype="text/plain"):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        h = hashlib.sha256()
        size = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                line = self.rfile.readline()
                n = int(line.split(b";")[0].strip(), 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                left = n
                while left:
                    piece = self.rfile.read(min(left, 1 << 16))
                    if not piece:
                        raise ConnectionError("short chunk")
                    h.update(piece)
                    size += len(piece)
                    left -= len(piece)
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length", "0"))
            while left:
                piece = self.rfile.read(min(left, 1 << 16))
                if not piece:
                    raise ConnectionError("short body")
                h.update(piece)
                size += len(piece)
                left -= len(piece)
        return size, h.hexdigest()

    def do_POST(self):
        if self.path.startswith("/upload"):
            size, digest = self.read_body()
            self.send_text(200, json.dumps({"size": size, "sha256": digest}), "application/json")
        else:
            self.send_text(404, "no such endpoint")

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "19")
        self.end_headers()

    def do_GET(self):
        p = self.path
        if p.startswith("/headers"):
            self.send_text(200, json.dumps({"path": p, "headers": dict(self.headers.items())}),
                           "application/json")
        elif p.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(5):
                piece = ("part %d\n" % i).encode()
                if i == 1 and not wait_for_release(p):
                    piece = b"unreleased\n" + piece
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                if not gated(p):
                    time.sleep(0.1)
            self.wfile.write(b"0\r\n\r\n")
        elif p.startswith("/sse"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for i in range(5):
                if i == 1 and not wait_for_release(p):
                    self.wfile.write(b"data: unreleased\n\n")
                self.wfile.write(("data: %d %f\n\n" % (i, time.time())).encode())
                self.wfile.flush()
                if not gated(p):
                    time.sleep(0.3)
            self.close_connection = True
        elif p.startswith("/release"):
            _gate(parse_qs(urlsplit(p).query)["gate"][0]).set()
            self.send_text(200, "released")
        elif p.startswith("/die"):
            # Promises 100000 bytes, sends 10, then the connection is cut (as when the app dies).
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            self.close_connection = True
        elif p.startswith("/hang"):
            time.sleep(30)
            self.close_connection = True
        elif p.startswith("/garbage"):
            self.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
            self.wfile.flush()
            self.close_connection = True
        elif p.startswith("/split"):
            # The head in three writes, as an app that writes its status line first does.
            for piece in (b"HTTP/1.1 200 OK\r\n", b"Content-Type: text/plain\r\nContent-Len", b"gth: 5\r\n\r\nsplit"):
                self.wfile.write(piece)
                self.wfile.flush()
                time.sleep(0.05)
        elif p.startswith("/folded"):
            # An obsolete line fold (RFC 9112 §5.2): a proxy passes it on unfolded, or answers 502.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Fold: one\r\n two\r\nContent-Length: 2\r\n\r\nok")
            self.wfile.flush()
        elif p.startswith("/set-cookie"):
            # An app trying to plant the hub's session cookie beside its own.
            self.send_response(200)
            self.send_header("Set-Cookie", "spacehub_session=planted; Domain=localhost; Path=/")
            self.send_header("Set-Cookie", "app=1; Path=/")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        elif p.startswith("/ws"):
            self.websocket()
        else:
            self.send_text(200, "hello from the app\n")

    def websocket(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return
            opcode = head[0] & 0x0F
            n = head[1] & 0x7F
            if n == 126:
                n = int.from_bytes(self.rfile.read(2), "big")
            elif n == 127:
                n = int.from_bytes(self.rfile.read(8), "big")
            mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            payload = bytearray(self.rfile.read(n))
            for i in range(len(payload)):
                payload[i] ^= mask[i % 4]
            if opcode == 8:  # close: answer and end
                self.wfile.write(b"\x88\x00")
                self.wfile.flush()
                return
            if payload == b"drop":
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if payload == b"headers":  # what the upgrade request carried
                payload = bytearray(json.dumps(dict(self.headers.items())).encode())
            out = bytes([0x80 | opcode])
            if len(payload) < 126:
                out += bytes([len(payload)])
            else:
                out += bytes([126]) + len(payload).to_bytes(2, "big")
            self.wfile.write(out + bytes(payload))
            self.wfile.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("PORT", "7860"))
Server(("127.0.0.1" if len(sys.argv) > 1 else "0.0.0.0", port), Handler).serve_forever()
