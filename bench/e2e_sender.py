#!/usr/bin/env python3
"""bench/e2e_sender.py - the TLS websocket sender of bench/e2e.sh.

    e2e_sender.py --cert CERT --key KEY --corpus NAME=FILE [--corpus ...]
                  [--chunk BYTES] [--ciphers SUITE]

Loads each NDJSON corpus and frames every line (its '\\n' left out) as one
server websocket message: FIN, text, unmasked. The frames of a corpus are
one contiguous buffer, so any first-N-messages prefix is one slice.

Listens on 127.0.0.1 (an ephemeral port, printed as "PORT n"), serves one
connection at a time: TLS 1.2 (one suite, ECDHE-ECDSA-AES128-GCM-SHA256 by
default), the websocket handshake (Sec-WebSocket-Accept), then the frames of
the requested corpus (per message, or in --chunk pieces of 256 KB), then a close
1000, then it reads the client's frames until its close reply (or EOF).

The request path picks the corpus and the count: /NAME?n=N (all messages
without n); &rec=msg sends each message with its own sendall(), so that
each goes out in its own TLS record as real servers send them (one
websocket message per write), instead of --chunk pieces packed into full
16 KB records; &hold=S waits S seconds before the close (after printing
{"event": "hold"}), so that the harness can look at the running client.

After each connection one JSON line on stdout: path, messages, bytes,
the negotiated version and suite, the streaming wall time and the sender's
own CPU (getrusage(RUSAGE_SELF), the sender is single-threaded)
during streaming, whether the client answered the close, and any error.
Runs until killed.
"""
import argparse
import base64
import hashlib
import json
import resource
import socket
import ssl
import time
import urllib.parse

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CLOSE_1000 = b"\x88\x02\x03\xe8"


def frame_header(n):
    if n < 126:
        return bytes((0x81, n))
    if n < 65536:
        return bytes((0x81, 126)) + n.to_bytes(2, "big")
    return bytes((0x81, 127)) + n.to_bytes(8, "big")


def load(path):
    """All frames of a corpus in one buffer, and the end offset of each."""
    parts, ends, off = [], [], 0
    with open(path, "rb") as f:
        for line in f:
            if line.endswith(b"\n"):
                line = line[:-1]
            h = frame_header(len(line))
            parts.append(h)
            parts.append(line)
            off += len(h) + len(line)
            ends.append(off)
    return b"".join(parts), ends


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def read_request(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            raise ConnectionError("EOF before the end of the request")
        buf += d
        if len(buf) > 65536:
            raise ConnectionError("request too large")
    head = buf.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return method, target, hdrs


def wait_close(s, timeout=30.0):
    """Read the client's (masked) frames until its close frame; True if it
    came, False on EOF first."""
    s.settimeout(timeout)
    buf = b""
    while True:
        # parse what is buffered
        while len(buf) >= 2:
            op = buf[0] & 0x0F
            ln = buf[1] & 0x7F
            hl = 2
            if ln == 126:
                hl = 4
            elif ln == 127:
                hl = 10
            if len(buf) < hl:
                break
            if ln == 126:
                ln = int.from_bytes(buf[2:4], "big")
            elif ln == 127:
                ln = int.from_bytes(buf[2:10], "big")
            if buf[1] & 0x80:
                hl += 4
            if len(buf) < hl + ln:
                break
            buf = buf[hl + ln:]
            if op == 8:
                return True
        d = s.recv(65536)
        if not d:
            return False
        buf += d


def serve(conn, ctx, corpora, chunk):
    st = {"path": None, "messages": 0, "bytes": 0, "error": None,
          "close_reply": False}
    try:
        s = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as e:
        st["error"] = "TLS handshake: %s" % e
        return st
    try:
        st["version"] = s.version()
        st["cipher"] = s.cipher()[0]
        method, target, hdrs = read_request(s)
        st["path"] = target
        u = urllib.parse.urlsplit(target)
        name = u.path.strip("/")
        q = urllib.parse.parse_qs(u.query)
        key = hdrs.get("sec-websocket-key")
        if name not in corpora or key is None or method != "GET":
            s.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            st["error"] = "bad request %r" % target
            return st
        blob, ends = corpora[name]
        n = int(q["n"][0]) if "n" in q else len(ends)
        n = min(n, len(ends))
        end = ends[n - 1] if n > 0 else 0
        acc = base64.b64encode(
            hashlib.sha1(key.encode() + GUID).digest()).decode()
        s.sendall(("HTTP/1.1 101 Switching Protocols\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: %s\r\n\r\n" % acc).encode())
        mv = memoryview(blob)
        per_msg = q.get("rec", ["packed"])[0] == "msg"
        t0, c0 = time.perf_counter(), cpu()
        if per_msg:
            # as servers send: each message in its own TLS record(s)
            start = 0
            for e in ends[:n]:
                s.sendall(mv[start:e])
                start = e
        else:
            for i in range(0, end, chunk):
                s.sendall(mv[i:min(i + chunk, end)])
        t1, c1 = time.perf_counter(), cpu()
        hold = float(q["hold"][0]) if "hold" in q else 0.0
        if hold > 0:
            # all frames are in the socket: the harness may look at the
            # client (/proc/PID/smaps) before the close goes out
            print(json.dumps({"event": "hold", "seconds": hold}), flush=True)
            time.sleep(hold)
        s.sendall(CLOSE_1000)
        st.update(messages=n, bytes=end, send_s=t1 - t0, send_cpu_s=c1 - c0)
        st["close_reply"] = wait_close(s)
    except (OSError, ValueError, ssl.SSLError) as e:
        st["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        try:
            s.close()
        except OSError:
            pass
    return st


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--corpus", action="append", default=[],
                    help="NAME=FILE (repeatable)")
    ap.add_argument("--chunk", type=int, default=256 * 1024)
    ap.add_argument("--ciphers", default="ECDHE-ECDSA-AES128-GCM-SHA256")
    a = ap.parse_args()

    corpora = {}
    for c in a.corpus:
        name, _, path = c.partition("=")
        corpora[name] = load(path)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2   # BearSSL 0.6: no 1.3
    ctx.set_ciphers(a.ciphers)
    ctx.options |= ssl.OP_NO_COMPRESSION
    ctx.load_cert_chain(a.cert, a.key)

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    print("PORT %d" % ls.getsockname()[1], flush=True)
    while True:
        conn, _ = ls.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        st = serve(conn, ctx, corpora, a.chunk)
        print(json.dumps(st), flush=True)


if __name__ == "__main__":
    main()
