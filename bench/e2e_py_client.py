#!/usr/bin/env python3
"""bench/e2e_py_client.py - the Python peer of bench/e2e.sh: what a user
would write instead of certstream.h, as certstream-python does it:
websocket-client (Debian python3-websocket, 1.2.x) and json.loads.

    e2e_py_client.py URL CA_FILE [--skip-utf8]

Connects with websocket.create_connection(url, sslopt={"ca_certs": CA})
(certificate and host name checked), receives every message until the
server's close, json.loads each one and takes the fields certstream.h
extracts: message_type; for certificate_update data.leaf_cert.all_domains,
data.cert_index, data.seen, data.source.url and .name; for dns_entries the
data[] list. Nothing is printed per message (certstream.h's human mode does
print a line per certificate, so this favours Python).

--skip-utf8 passes skip_utf8_validation=True: websocket-client then skips
its pure-Python UTF-8 check of every text message (on by default, also
under certstream-python; the wsaccel C extension it would use instead is
not packaged in Debian). json.loads still decodes the text as UTF-8.

Prints one line: "PYCOUNT messages certs dns domains cert_index_sum
loop_cpu_s loop_wall_s": this process's CPU and the wall time from just
before the connection to the end (interpreter start and imports left out).
"""
import resource
import sys
import time


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    import json
    import websocket

    url, ca = sys.argv[1], sys.argv[2]
    skip = "--skip-utf8" in sys.argv[3:]
    c0, t0 = cpu(), time.perf_counter()
    ws = websocket.create_connection(url, sslopt={"ca_certs": ca},
                                     skip_utf8_validation=skip)
    loads = json.loads
    msgs = certs = dns = ndom = idx_sum = 0
    last = None
    while True:
        op, data = ws.recv_data()          # what ws.recv() does, plus the
        if op == websocket.ABNF.OPCODE_CLOSE:   # opcode to see the close
            break
        if op != websocket.ABNF.OPCODE_TEXT:
            continue
        m = loads(data.decode("utf-8"))    # ws.recv() decodes the same way
        msgs += 1
        t = m.get("message_type")
        if t == "certificate_update":
            d = m["data"]
            src = d["source"]
            # the fields, as they would be handed to a callback
            last = (t, d["leaf_cert"]["all_domains"], d["cert_index"],
                    d["seen"], src["url"], src.get("name"))
            certs += 1
            ndom += len(last[1])
            idx_sum += last[2]
        elif t == "dns_entries":
            last = (t, m["data"])
            dns += 1
            ndom += len(last[1])
    ws.close()
    assert msgs == 0 or last is not None
    print("PYCOUNT %d %d %d %d %d %.6f %.6f"
          % (msgs, certs, dns, ndom, idx_sum, cpu() - c0,
             time.perf_counter() - t0), flush=True)


if __name__ == "__main__":
    main()
