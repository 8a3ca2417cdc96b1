#!/usr/bin/env python3
"""The room's channel on Kubernetes: a relay that never dials out.

A room pod has no egress at all (its NetworkPolicy has no egress rule), so the room cannot call the
control plane. Instead the control plane dials IN, like its proxy does: it keeps a few connections
open to this relay's TCP port, each opened with the line `ANALYSEROM-RELAY <secret>\\n`. When code in
the room connects to the unix socket (`/run/analyserom/api.sock`, in a volume the Jupyter container
mounts read-only), the relay pairs that connection with one parked control-plane connection and
copies bytes both ways until either side closes. The control plane then treats the connection
exactly like a local room's API socket (control-plane/src/rooms/channel.ts): it vouches for the
room's owner and admits only the table check for the room's project.

    channel-relay.py tcp:HOST:PORT SOCKET_PATH      (secret in ANALYSEROM_RELAY_SECRET)

Python standard library only. Runs in its own container of the room pod, as the room's user.
"""

import asyncio
import hmac
import os
import sys

HELLO = b"ANALYSEROM-RELAY "
MAX_PARKED = 16
HELLO_TIMEOUT_S = 5
# How long code in the room waits for a control-plane connection before it is told 503.
WAIT_FOR_CONTROL_PLANE_S = float(os.environ.get("ANALYSEROM_RELAY_WAIT_S", "10"))


def log(*parts):
    print("channel-relay:", *parts, file=sys.stderr, flush=True)


class Relay:
    def __init__(self, secret):
        self.secret = secret.encode()
        self.parked = asyncio.Queue()

    async def control_plane(self, reader, writer):
        """A connection from the control plane: check its hello line, then park it."""
        try:
            line = await asyncio.wait_for(reader.readline(), HELLO_TIMEOUT_S)
        except (asyncio.TimeoutError, ConnectionError):
            writer.close()
            return
        if not (line.startswith(HELLO) and hmac.compare_digest(line[len(HELLO):].rstrip(b"\n"), self.secret)):
            log("refused a connection without the secret")
            writer.close()
            return
        if self.parked.qsize() >= MAX_PARKED:
            writer.close()
            return
        await self.parked.put((reader, writer))

    async def room_client(self, reader, writer):
        """A connection from code in the room: hand it to a parked control-plane connection."""
        deadline = asyncio.get_running_loop().time() + WAIT_FOR_CONTROL_PLANE_S
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                up_reader, up_writer = await asyncio.wait_for(self.parked.get(), max(remaining, 0.01))
            except asyncio.TimeoutError:
                writer.write(b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nconnection: close\r\n"
                             b"content-length: 40\r\n\r\nthe control plane has not connected yet\n")
                await writer.drain()
                writer.close()
                return
            if not up_writer.is_closing() and not up_reader.at_eof():
                break
        await asyncio.gather(self.pipe(reader, up_writer), self.pipe(up_reader, writer))

    @staticmethod
    async def pipe(reader, writer):
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                writer.write(chunk)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            try:
                writer.close()
            except ConnectionError:
                pass


async def main(argv):
    if len(argv) != 3 or not argv[1].startswith("tcp:"):
        print(__doc__, file=sys.stderr)
        return 2
    secret = os.environ.get("ANALYSEROM_RELAY_SECRET", "")
    if len(secret) < 32:
        log("ANALYSEROM_RELAY_SECRET is missing or short")
        return 2
    host, port = argv[1][4:].rsplit(":", 1)
    relay = Relay(secret)
    tcp = await asyncio.start_server(relay.control_plane, host, int(port))
    if os.path.exists(argv[2]):
        os.unlink(argv[2])
    unix = await asyncio.start_unix_server(relay.room_client, argv[2])
    os.chmod(argv[2], 0o666)
    log("listening", argv[1], argv[2])
    async with tcp, unix:
        await asyncio.gather(tcp.serve_forever(), unix.serve_forever())
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main(sys.argv)))
    except KeyboardInterrupt:
        sys.exit(0)
