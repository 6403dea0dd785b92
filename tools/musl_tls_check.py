#!/usr/bin/python3
"""A quick end-to-end wss:// check of a certstream binary (tools/musl_static.sh).

  tools/musl_tls_check.py EXE

Makes a test CA and a localhost ECDSA P-256 certificate (SAN DNS:localhost,
IP:127.0.0.1, EKU serverAuth) with the openssl CLI in a temporary folder;
serves a few CertStream JSON messages (a heartbeat, certificate_update,
dns_entries, non-ASCII text, a 40 KB message over several TLS records), then
a close 1000, with the Debian `websockets` over Python's ssl on 127.0.0.1.

  1. EXE --url wss://localhost:PORT/ --ca CA --once --raw
     prints exactly the messages, one per line, and exits 0;
  2. the same without --ca (and no CERTSTREAM_CA): the system trust refuses
     the test CA: exit 8, nothing on stdout.

Prints one line per check; exit status 0 when both pass.
"""
import asyncio
import json
import logging
import os
import ssl
import subprocess
import sys
import tempfile
import threading

import websockets


def openssl(*args, cwd):
    subprocess.run(('openssl',) + args, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_certs(d):
    """ca.pem, leaf.pem, leaf.key in d."""
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt',
            'ec_paramgen_curve:P-256', '-out', 'ca.key', cwd=d)
    openssl('req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '2',
            '-subj', '/CN=certstream musl-static test CA',
            '-addext', 'basicConstraints=critical,CA:TRUE',
            '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
            '-out', 'ca.pem', cwd=d)
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt',
            'ec_paramgen_curve:P-256', '-out', 'leaf.key', cwd=d)
    openssl('req', '-new', '-key', 'leaf.key', '-subj', '/CN=localhost',
            '-out', 'leaf.csr', cwd=d)
    with open(os.path.join(d, 'leaf.ext'), 'w') as f:
        f.write('basicConstraints=critical,CA:FALSE\n'
                'keyUsage=critical,digitalSignature\n'
                'extendedKeyUsage=serverAuth\n'
                'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
    openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey',
            'ca.key', '-CAcreateserial', '-sha256', '-days', '2',
            '-extfile', 'leaf.ext', '-out', 'leaf.pem', cwd=d)


def messages():
    def cert(i, names):
        return {'message_type': 'certificate_update', 'data': {
            'update_type': 'X509LogEntry', 'cert_index': 1000 + i,
            'seen': 1700000000.5 + i,
            'source': {'name': 'Test Log', 'url': 'https://ct.example/'},
            'leaf_cert': {'subject': {'CN': names[0]},
                          'all_domains': names,
                          'not_before': 1700000000, 'not_after': 1731536000,
                          'serial': '%040X' % (i * 7919),
                          'fingerprint': 'AB:CD:%02X' % i}}}
    big = ['host%05d.big.example' % i for i in range(1800)]
    msgs = [
        {'message_type': 'heartbeat', 'timestamp': 1700000000.0},
        cert(1, ['a.example', 'www.a.example']),
        {'message_type': 'dns_entries',
         'data': ['b.example', '*.b.example']},
        cert(2, ['\u00fcml\u00e4ut.example', 'xn--mlut-qra1b.example',
                 '\u4f8b\u3048.example']),
        cert(3, big),
        {'message_type': 'heartbeat', 'timestamp': 1700000001.0},
    ]
    return [json.dumps(m, ensure_ascii=False, separators=(',', ':'))
            for m in msgs]


class Server:
    """websockets over ssl on 127.0.0.1 in a thread: every connection gets
    the messages, then close 1000."""

    def __init__(self, d, msgs):
        self.msgs = msgs
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ctx.load_cert_chain(os.path.join(d, 'leaf.pem'),
                                 os.path.join(d, 'leaf.key'))
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(lambda loop, ctx: None)
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,),
                                       daemon=True)
        self.thread.start()
        if not started.wait(20):
            raise RuntimeError('the server did not start')

    async def _handler(self, ws, path=None):
        for m in self.msgs:
            await ws.send(m)
        await ws.close(1000)

    def _run(self, started):
        asyncio.set_event_loop(self.loop)

        async def main():
            self.server = await websockets.serve(
                self._handler, '127.0.0.1', 0, ssl=self.ctx,
                max_size=None, ping_interval=None)
            self.port = self.server.sockets[0].getsockname()[1]
            started.set()
            self.stop = self.loop.create_future()
            await self.stop
            self.server.close()
            await self.server.wait_closed()
        self.loop.run_until_complete(main())

    def close(self):
        self.loop.call_soon_threadsafe(self.stop.set_result, None)
        self.thread.join(10)


def run(exe, args, env):
    return subprocess.run([exe] + args, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=30)


def last_line(b):
    lines = b.decode('utf-8', 'replace').strip().splitlines()
    return lines[-1] if lines else ''


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: tools/musl_tls_check.py EXE')
    exe = os.path.abspath(sys.argv[1])
    logging.getLogger('websockets').setLevel(logging.CRITICAL)
    logging.getLogger('asyncio').setLevel(logging.CRITICAL)
    env = dict(os.environ)
    env.pop('CERTSTREAM_CA', None)
    env['NO_COLOR'] = '1'
    msgs = messages()
    want = ''.join(m + '\n' for m in msgs).encode()
    ok = True
    with tempfile.TemporaryDirectory(prefix='cs-musl-tls-') as d:
        make_certs(d)
        srv = Server(d, msgs)
        try:
            url = 'wss://localhost:%d/' % srv.port
            ca = os.path.join(d, 'ca.pem')

            p = run(exe, ['--url', url, '--ca', ca, '--once', '--raw',
                          '--verbose'], env)
            if p.returncode == 0 and p.stdout == want:
                print('tls: --ca CA --once --raw: %d messages (%d bytes) '
                      'over wss://, exit 0: PASS' % (len(msgs), len(want)))
            else:
                ok = False
                i = next((i for i in range(min(len(want), len(p.stdout)))
                          if want[i] != p.stdout[i]),
                         min(len(want), len(p.stdout)))
                print('tls: --ca CA --once --raw: FAIL: exit %d (want 0), '
                      'stdout %d bytes (want %d, first difference at %d); '
                      'stderr:\n%s' % (p.returncode, len(p.stdout),
                                       len(want), i,
                                       p.stderr.decode('utf-8', 'replace')))

            p = run(exe, ['--url', url, '--once', '--raw', '--verbose'], env)
            if p.returncode == 8 and p.stdout == b'':
                print('tls: no --ca: refused, exit 8: PASS (%s)'
                      % last_line(p.stderr))
            else:
                ok = False
                print('tls: no --ca: FAIL: exit %d (want 8), stdout %d bytes '
                      '(want 0); stderr:\n%s'
                      % (p.returncode, len(p.stdout),
                         p.stderr.decode('utf-8', 'replace')))
        finally:
            srv.close()
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
