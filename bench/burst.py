"""Many requests at the same moment, each on its own connection, timed one by one.

One thread drives every connection through a selector: the connections are opened
first, then every request is written in one pass and the answers are read as they come.
A thread per request (as this module's first version had) spends the two cores on the
client's own switching: 200 threads made the trivial view look three times slower than
it is, which is the client's delay, not the server's.
"""

import selectors
import socket
import time
from urllib.parse import urlsplit


def burst(requests, timeout=60):
    """Send every (method, url, headers, body) at once; returns p50 and p99 in ms from
    each request's send to the end of its answer, the wall time and the statuses."""
    connections = [_Connection(*request) for request in requests]
    selector = selectors.DefaultSelector()
    began = time.perf_counter()
    for connection in connections:
        connection.send()
        selector.register(connection.socket, selectors.EVENT_READ, connection)
    waiting = len(connections)
    deadline = time.monotonic() + timeout
    while waiting:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{waiting} of {len(connections)} answers still missing")
        for key, _ in selector.select(timeout=1):
            connection = key.data
            if connection.receive():
                selector.unregister(connection.socket)
                waiting -= 1
    wall = (time.perf_counter() - began) * 1000
    selector.close()
    timings = sorted(connection.elapsed for connection in connections)
    statuses = {}
    for connection in connections:
        statuses[connection.status] = statuses.get(connection.status, 0) + 1
    return {"p50": round(timings[len(timings) // 2], 1),
            "p99": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))], 1),
            "wall": round(wall, 1), "statuses": statuses}


class _Connection:
    """One request on a connection of its own, opened before the burst; the answer ends
    when the server closes the connection (the request asks it to)."""

    def __init__(self, method, url, headers, body):
        parts = urlsplit(url)
        body = body.encode() if isinstance(body, str) else (body or b"")
        lines = [f"{method} {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1",
                 f"Host: {parts.netloc}", "Connection: close",
                 f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()
                  if name.lower() not in ("host", "connection", "content-length")]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        self.socket = socket.create_connection((parts.hostname, parts.port))
        self.answer = bytearray()
        self.sent_at = self.elapsed = None
        self.status = None

    def send(self):
        self.sent_at = time.perf_counter()
        self.socket.sendall(self.request)
        self.socket.setblocking(False)

    def receive(self):
        """Reads what has come; True once the answer is whole."""
        try:
            chunk = self.socket.recv(65536)
        except BlockingIOError:
            return False
        if chunk:
            self.answer += chunk
            return False
        self.elapsed = (time.perf_counter() - self.sent_at) * 1000
        self.socket.close()
        status_line = bytes(self.answer.split(b"\r\n", 1)[0]).split()
        self.status = int(status_line[1]) if len(status_line) > 1 else 0
        return True
