# The trivial app of bench/proxy_vs_nginx.sh: answers every HTTP/1.1 request with a short fixed
# body, keep-alive, as fast as one Python process can (asyncio, no HTTP library), so that the proxy
# in front of it, not the app, is what the benchmark measures. The same file runs as a Space
# (port from $PORT, inside its sandbox) and on host loopback behind nginx (port as argv[1]).
import asyncio
import os
import sys

BODY = b"hello from the app\n"
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(BODY)) + BODY


class Http(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buf = b""

    def data_received(self, data):
        self.buf += data
        out = []
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = self.buf[:end].lower()
            self.buf = self.buf[end + 4:]
            # Bodies are not expected here; a Content-Length one is skipped whole.
            i = head.find(b"content-length:")
            if i >= 0:
                n = int(head[i + 15:].split(b"\r\n", 1)[0])
                self.buf = self.buf[n:]
            out.append(RESPONSE)
        if out:
            self.transport.write(b"".join(out))


async def main():
    host, port = ("127.0.0.1", int(sys.argv[1])) if len(sys.argv) > 1 else ("0.0.0.0", int(os.environ.get("PORT", "7860")))
    server = await asyncio.get_running_loop().create_server(Http, host, port, backlog=4096)
    async with server:
        await server.serve_forever()


asyncio.run(main())
