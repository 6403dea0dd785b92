#!/usr/bin/python3
"""demo_server.py - a local, offline CertStream server for the demo.

Serves a generated feed (tests/gen_feed.py output, one message a line) over
ws:// on 127.0.0.1 with Debian's python3-websockets, on the three paths
every CertStream server has: / (lite), /full-stream and /domains-only.
Each client gets the feed from the start, RATE messages a second, in
bursts as the real servers send them (CT logs are polled in batches).

  demo_server.py --feed-dir DIR [--port 0] [--rate 300] [--loop]
                 [--cert CERT.pem --key KEY.pem]   (wss:// instead of ws://)

DIR holds lite.ndjson, full.ndjson and domains.ndjson. The chosen port is
printed on stdout as "port N" once the server listens.
"""
import argparse
import asyncio
import os
import ssl
import sys

import websockets

PATHS = {'/': 'lite', '/full-stream': 'full', '/domains-only': 'domains'}


def load(d):
    feeds = {}
    for kind in set(PATHS.values()):
        with open(os.path.join(d, kind + '.ndjson'), encoding='utf-8') as f:
            feeds[kind] = [line.rstrip('\n') for line in f if line.strip()]
    return feeds


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--feed-dir', required=True)
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--rate', type=float, default=300)
    ap.add_argument('--loop', action='store_true')
    ap.add_argument('--cert')
    ap.add_argument('--key')
    a = ap.parse_args()
    tls = None
    if a.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        tls.load_cert_chain(a.cert, a.key)
    feeds = load(a.feed_dir)
    burst = max(1, int(a.rate / 10))

    async def client(ws, path=None):
        path = path or ws.path
        kind = PATHS.get(path.split('?')[0].rstrip('/') or '/', 'lite')
        msgs = feeds[kind]
        i = 0
        try:
            while i < len(msgs) or a.loop:
                for _ in range(burst):
                    await ws.send(msgs[i % len(msgs)])
                    i += 1
                await asyncio.sleep(burst / a.rate)
            await ws.close(1000, 'end of the demo feed')
        except websockets.ConnectionClosed:
            pass

    async with websockets.serve(client, '127.0.0.1', a.port,
                                max_size=None, ssl=tls) as srv:
        port = srv.sockets[0].getsockname()[1]
        print('port', port, flush=True)
        await asyncio.Future()


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
