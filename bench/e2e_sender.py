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
the requested corpus, then a close 1000, then it reads the client's frames
until its close reply (or EOF). TLS runs through ssl.SSLObject and a pair
of MemoryBIOs over the plain socket (class Conn), so that the ciphertext
can be made ahead of time.

The request path picks the corpus and the count: /NAME?n=N (all messages
without n), and how they go out:
  &rec=msg      as real servers send: one OpenSSL write() per message, so
                each message is its own TLS record (a frame over 16 KB in
                as many records as it needs). The whole stream is encrypted
                before its first byte goes out, and the sender checks the
                records of its ciphertext (5-byte headers, type 23): every
                message exactly ceil(frame/16 KB) records whose plaintext
                lengths add up to the frame's. Then it goes out in
                --chunk slices (256 KB sendall()s of ciphertext): the
                client, not this Python sender, is the bottleneck;
                &send=sendfile sends it at once from a memfd instead (see
                bench/E2E.md: the client is then charged for loopback
                TCP's sending side too);
  &rate=R&burst=B  (with rec=msg) the same records in bursts of B
                messages, R messages per second, like a live feed;
  otherwise     --chunk pieces of 256 KB, each one write(): full 16 KB
                records, the cheapest case for a client.
&hold=S waits S seconds before the close (after printing {"event":
"hold"}), so that the harness can look at the running client.

After each connection one JSON line on stdout: path, messages, bytes,
the negotiated version and suite, the streaming wall time and the sender's
own CPU (getrusage(RUSAGE_SELF), the sender is single-threaded)
during streaming (after the encryption ahead, reported apart as
encrypt_s / encrypt_cpu_s), the record count (records, split_messages, extra_records),
whether the client answered the close, and any error.
Runs until killed.
"""
import argparse
import base64
import hashlib
import json
import os
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


class Conn:
    """A server TLS connection driven through ssl.SSLObject and a pair of
    MemoryBIOs over a plain socket: every write() of plaintext lands in
    `out` as TLS records, so the ciphertext can be made ahead of time and
    sent in any slices, each message still in its own record(s)."""

    def __init__(self, sock, ctx):
        self.sock = sock
        self.inc = ssl.MemoryBIO()
        self.out = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.inc, self.out, server_side=True)

    def flush(self):
        d = self.out.read()
        if d:
            self.sock.sendall(d)

    def pump(self):
        d = self.sock.recv(65536)
        if d:
            self.inc.write(d)
        else:
            self.inc.write_eof()
        return bool(d)

    def handshake(self):
        while True:
            try:
                self.obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                self.flush()
                if not self.pump():
                    raise ConnectionError("EOF in the TLS handshake")
        self.flush()

    def recv(self, n=65536):
        """Plaintext, b"" at the end of the stream."""
        while True:
            try:
                return self.obj.read(n)
            except ssl.SSLWantReadError:
                self.flush()
                if not self.pump():
                    return b""
            except ssl.SSLZeroReturnError:
                return b""

    def sendall(self, data):
        self.obj.write(data)
        self.flush()

    def encrypt(self, data):
        """The TLS records of data (OpenSSL: one record per 16 KB of
        plaintext), not sent."""
        self.obj.write(data)
        return self.out.read()


TLS_GCM_OVERHEAD = 8 + 16     # TLS 1.2 AES-GCM: explicit nonce + tag
TLS_MAX_PLAIN = 16384


def records(ct):
    """(count, plaintext lengths) of the TLS records in ciphertext ct;
    raises ValueError if ct is not whole application-data records."""
    lens, i = [], 0
    while i < len(ct):
        if i + 5 > len(ct) or ct[i] != 23:
            raise ValueError("not an application-data record at %d" % i)
        ln = int.from_bytes(ct[i + 3:i + 5], "big")
        lens.append(ln - TLS_GCM_OVERHEAD)
        i += 5 + ln
    if i != len(ct):
        raise ValueError("a record runs past the end")
    return lens


def frame_len(buf, i):
    """Header + payload length of the unmasked frame at buf[i:]."""
    ln = buf[i + 1] & 0x7F
    if ln == 126:
        return 4 + int.from_bytes(buf[i + 2:i + 4], "big")
    if ln == 127:
        return 10 + int.from_bytes(buf[i + 2:i + 10], "big")
    return 2 + ln


def pre_encrypt(c, blob, ends, n):
    """Encrypt the first n frames of a corpus, one write() per message:
    returns the ciphertext, the end offset of each message's records in it,
    and the record check: every write() must be exactly one websocket
    frame, and become exactly ceil(len/16 KB) records whose plaintext
    lengths add up to the frame's length."""
    mv = memoryview(blob)
    parts, cends, off, start = [], [], 0, 0
    nrec = split = extra = 0
    for e in ends[:n]:
        if frame_len(blob, start) != e - start:
            raise ValueError("the write at %d is not one frame" % start)
        ct = c.encrypt(mv[start:e])
        lens = records(ct)
        want = max(1, -(-(e - start) // TLS_MAX_PLAIN))
        if len(lens) != want or sum(lens) != e - start:
            raise ValueError("message at %d: %d records of %s bytes, want "
                             "%d records of %d" % (start, len(lens), lens,
                                                   want, e - start))
        nrec += len(lens)
        extra += len(lens) - 1
        split += len(lens) > 1
        parts.append(ct)
        off += len(ct)
        cends.append(off)
        start = e
    return b"".join(parts), cends, {"records": nrec, "split_messages":
                                     split, "extra_records": extra}


def to_memfd(data):
    """data in an anonymous in-memory file, as a file object."""
    fd = os.memfd_create("e2e-ciphertext")
    mv, off = memoryview(data), 0
    while off < len(mv):
        off += os.write(fd, mv[off:off + (1 << 24)])
    return open(fd, "rb")


def wait_close(c):
    """Read the client's (masked) frames until its close frame; True if it
    came, False on EOF first."""
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
        d = c.recv(65536)
        if not d:
            return False
        buf += d


def serve(conn, ctx, corpora, chunk):
    st = {"path": None, "messages": 0, "bytes": 0, "error": None,
          "close_reply": False}
    c = Conn(conn, ctx)
    conn.settimeout(60.0)
    try:
        c.handshake()
    except (ssl.SSLError, OSError) as e:
        st["error"] = "TLS handshake: %s" % e
        conn.close()
        return st
    try:
        st["version"] = c.obj.version()
        st["cipher"] = c.obj.cipher()[0]
        method, target, hdrs = read_request(c)
        st["path"] = target
        u = urllib.parse.urlsplit(target)
        name = u.path.strip("/")
        q = urllib.parse.parse_qs(u.query)
        key = hdrs.get("sec-websocket-key")
        if name not in corpora or key is None or method != "GET":
            c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            st["error"] = "bad request %r" % target
            return st
        blob, ends = corpora[name]
        n = int(q["n"][0]) if "n" in q else len(ends)
        n = min(n, len(ends))
        end = ends[n - 1] if n > 0 else 0
        acc = base64.b64encode(
            hashlib.sha1(key.encode() + GUID).digest()).decode()
        c.sendall(("HTTP/1.1 101 Switching Protocols\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: %s\r\n\r\n" % acc).encode())
        mv = memoryview(blob)
        mode = q.get("rec", ["packed"])[0]
        rate = float(q["rate"][0]) if "rate" in q else 0.0
        burst = int(q["burst"][0]) if "burst" in q else 100
        if mode == "msg":
            # as servers send: each message in its own TLS record(s),
            # encrypted ahead (the client waits in poll() meanwhile), then
            # sent in large slices so that the sender is never the
            # bottleneck; or, with &rate=R, in bursts of &burst=B messages
            # at R messages per second, like a live feed
            t0, c0 = time.perf_counter(), cpu()
            ct, cends, chk = pre_encrypt(c, blob, ends, n)
            f = None
            if rate <= 0 and q.get("send", [""])[0] == "sendfile":
                f = to_memfd(ct)
            st.update(chk, encrypt_s=time.perf_counter() - t0,
                      encrypt_cpu_s=cpu() - c0)
            cmv = memoryview(ct)
            t0, c0 = time.perf_counter(), cpu()
            if rate > 0:
                start = 0
                for i in range(burst - 1, n + burst - 1, burst):
                    e = cends[min(i, n - 1)]
                    due = t0 + (i + 1 - burst) / rate
                    wait = due - time.perf_counter()
                    if wait > 0:
                        time.sleep(wait)
                    conn.sendall(cmv[start:e])
                    start = e
            elif f is None:
                for i in range(0, len(ct), chunk):
                    conn.sendall(cmv[i:i + chunk])
            else:
                # sendfile() from a memfd: no copy from here, the sender
                # queues the whole stream at once; loopback TCP then sends
                # it from the client's ACKs, in the client's process, so
                # the client is charged for the sender's side as well
                conn.sendfile(f, 0, len(ct))
                f.close()
            st["ct_bytes"] = len(ct)
        else:
            t0, c0 = time.perf_counter(), cpu()
            for i in range(0, end, chunk):
                c.sendall(mv[i:min(i + chunk, end)])
        t1, c1 = time.perf_counter(), cpu()
        hold = float(q["hold"][0]) if "hold" in q else 0.0
        if hold > 0:
            # all frames are in the socket: the harness may look at the
            # client (/proc/PID/smaps) before the close goes out
            print(json.dumps({"event": "hold", "seconds": hold}), flush=True)
            time.sleep(hold)
        c.sendall(CLOSE_1000)
        st.update(messages=n, bytes=end, send_s=t1 - t0, send_cpu_s=c1 - c0,
                  mode=mode)
        st["close_reply"] = wait_close(c)
    except (OSError, ValueError, ssl.SSLError) as e:
        st["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        try:
            conn.close()
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
