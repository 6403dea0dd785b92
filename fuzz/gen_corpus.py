#!/usr/bin/env python3
"""gen_corpus.py - write the seed corpora fuzz/corpus/<target>/.

    python3 fuzz/gen_corpus.py          (rewrites every directory)
    python3 fuzz/gen_corpus.py ws hs    (only these)

Every message here is made up: invented domains, logs and serials, built in
the shapes the servers emit (key order, separators, nulls, trailing "\\n",
heartbeat forms) plus hand-made edge cases for each error and field rule.
Deterministic: same output every run, so regenerating changes nothing
unless this file changed.

json/ files start with fuzz_json.c's 4 control bytes (chunk mode, storage
size, 2 seed bytes); the header is varied over the files so every chunking
mode and storage size class appears. number/ files are plain number texts,
and a few use fuzz_number.c's 0xFF expansion for very long ones.

ws/ files: fuzz_ws.c's 4 control bytes (chunk mode, max_message, seed),
then a server byte stream: valid frame sequences of every kind and one
file per rule a frame can break. hs/ files: fuzz_hs.c's 4 control bytes
(chunk mode, flags, pad, seed), then a handshake response; "@ACCEPT@"
stands for the right Sec-WebSocket-Accept (flag 1) and "@PAD@" for a long
run of bytes (flag 2). url/ files: fuzz_url.c's control byte (which base
URL), then a URL or redirect Location.
"""
import base64
import hashlib
import json
import os
import random
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
R = random.Random(20240611)


def digest(s, n):
    return hashlib.sha256(s.encode()).hexdigest()[:n].upper()


def colon_hex(h):
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


def fake_der(seed, n):
    rnd = random.Random(seed)
    raw = bytes(rnd.getrandbits(8) for _ in range(n))
    return base64.b64encode(raw).decode()


DOMAINS = [
    ["shop.example-store.test", "www.shop.example-store.test"],
    ["*.cdn.fabrikam.example", "fabrikam.example", "static.fabrikam.example"],
    ["mail.xn--bcher-kva.example"],
    ["api-7f3a.internal.contoso.test", "api.contoso.test"],
    ["a.b.c.d.e.f.deep.example"],
]

LOGS = [
    ("Example 'Birch2026h1' log", "https://ct.example.net/logs/birch2026h1/"),
    ("Testing 'Oak2026' log", "https://oak.ct.example.org/2026/"),
]


def subject(cn, style):
    if style == "rust":  # nulls omitted
        return {"CN": cn, "aggregated": "/CN=" + cn}
    d = {"C": None, "CN": cn, "L": None, "O": None, "OU": None, "ST": None,
         "aggregated": "/CN=" + cn}
    d["emailAddress" if style == "elixir" else "email_address"] = None
    return d


def leaf(doms, style, full, k):
    cn = doms[0]
    fp = colon_hex(digest(cn + "sha1", 40))
    ext = {"authorityInfoAccess": "URI:http://ocsp.ca.example/, "
                                  "URI:http://ca.example/r3.der",
           "authorityKeyIdentifier": "keyid:" + colon_hex(
               digest(cn + "aki", 40)).lower(),
           "basicConstraints": "CA:FALSE",
           "certificatePolicies": "Policy: 2.23.140.1.2.1",
           "keyUsage": "Digital Signature, Key Encipherment",
           "subjectAltName": ", ".join("DNS:" + d for d in doms)}
    if style == "elixir":
        ext["extendedKeyUsage"] = "TLS Web server authentication"
        ext["authorityKeyIdentifier"] += "\n"
    else:
        ext["extendedKeyUsage"] = "serverAuth"
    if style == "go" and k % 2:
        ext["ctlPoisonByte"] = True
    nb = 1779296173 + k * 977
    lc = {}
    if style == "elixir":
        lc = {"all_domains": sorted(set(doms)), "extensions": ext,
              "fingerprint": fp, "issuer": subject("R3", style),
              "not_after": nb + 7776000, "not_before": nb,
              "serial_number": digest(cn, 35),
              "signature_algorithm": "sha256, rsa",
              "subject": subject(cn, style)}
        if full:
            lc["as_der"] = fake_der(cn, 900)
        return dict(sorted(lc.items()))
    if style == "go":
        lc = {"all_domains": doms}
        if full:
            lc["as_der"] = fake_der(cn, 900)
        lc.update({"extensions": ext, "fingerprint": fp, "sha1": fp,
                   "sha256": colon_hex(digest(cn + "256", 64)),
                   "not_after": nb + 7776000, "not_before": nb,
                   "serial_number": digest(cn, 36),
                   "signature_algorithm": "ecdsa, sha256",
                   "subject": subject(cn, style),
                   "issuer": subject("E7", style), "is_ca": False})
        return lc
    if style == "rust":
        lc = {"subject": subject(cn, style), "issuer": subject("E7", style),
              "serial_number": digest(cn, 36), "not_before": nb,
              "not_after": nb + 7776000, "fingerprint": fp, "sha1": fp,
              "sha256": colon_hex(digest(cn + "256", 64)),
              "signature_algorithm": "ecdsa, sha384", "is_ca": False,
              "all_domains": doms}
        if full:
            lc["as_der"] = fake_der(cn, 900)
        lc["extensions"] = ext
        return lc
    # python legacy: floats for times, lowercase serial, CN first
    return {"subject": {"aggregated": "/CN=" + cn, "C": None, "ST": None,
                        "L": None, "O": None, "OU": None, "CN": cn},
            "extensions": ext, "not_before": float(nb),
            "not_after": float(nb + 7776000),
            "serial_number": digest(cn, 32).lower(), "fingerprint": fp,
            "as_der": fake_der(cn, 600), "all_domains": doms}


def cert_msg(style, k, full=False):
    doms = DOMAINS[k % len(DOMAINS)]
    name, url = LOGS[k % len(LOGS)]
    idx = 1111014090 + k * 7919
    seen = round(1779300000 + k * 1.234567, 6)
    lc = leaf(doms, style, full, k)
    if style == "elixir":
        data = {"cert_index": idx,
                "cert_link": url + "ct/v1/get-entries?start=%d&end=%d" % (
                    idx, idx),
                "leaf_cert": lc, "seen": seen,
                "source": {"name": name, "url": url},
                "update_type": "X509LogEntry" if k % 2 else "PrecertLogEntry"}
        if full:
            data["chain"] = [leaf(["R3 CA"], style, True, k)]
            del data["chain"][0]["all_domains"]
        data = dict(sorted(data.items()))
        return json.dumps({"data": data, "message_type":
                           "certificate_update"}, separators=(",", ":"),
                          ensure_ascii=False)
    if style == "go":
        data = {"cert_index": idx,
                "cert_link": "" if k % 3 == 0 else url + "ct/v1/get-entries"
                "?start=%d&end=%d" % (idx, idx)}
        if full:
            data["chain"] = [leaf(["E7 CA"], style, True, k)]
        data.update({"leaf_cert": lc, "seen": round(seen, 3),
                     "source": {"name": name, "url": url,
                                "timestamp": 1779299999123 + k,
                                "type": "tiled" if k % 3 == 0 else "rfc6962"},
                     "update_type": "PrecertLogEntry"})
        return json.dumps({"data": data, "message_type":
                           "certificate_update"}, separators=(",", ":"),
                          ensure_ascii=False) + "\n"
    if style == "rust":
        data = {"update_type": "X509LogEntry", "leaf_cert": lc}
        if full:
            data["chain"] = [leaf(["E7 CA"], style, False, k)]
        data.update({"cert_index": idx, "cert_link": url + "ct/v1/get-entries"
                     "?start=%d&end=%d" % (idx, idx), "seen": 1700000000.0,
                     "submission_timestamp": round(seen, 3),
                     "source": {"name": name, "url": url}})
        return json.dumps({"message_type": "certificate_update",
                           "data": data}, separators=(",", ":"),
                          ensure_ascii=False)
    if style == "leakix":
        data = {"update_type": "X509Certificate", "leaf_cert": lc,
                "cert_index": idx, "seen": seen,
                "source": {"url": url, "name": name}}
        return json.dumps({"message_type": "certificate_update",
                           "data": data}, separators=(",", ":"))
    # python legacy: ", " / ": " separators, ASCII escapes, no scheme
    data = {"update_type": "PreCertEntry" if k % 2 else "X509LogEntry",
            "leaf_cert": lc,
            "chain": [{"subject": {"aggregated": "/CN=Legacy CA"},
                       "as_der": fake_der("chain%d" % k, 300)}],
            "cert_index": idx, "seen": seen,
            "source": {"url": url.split("//")[1].rstrip("/"), "name": name}}
    return json.dumps({"message_type": "certificate_update", "data": data})


def dns_msg(style, k):
    doms = DOMAINS[k % len(DOMAINS)] + ["<b>&amp;.example"]
    if style == "go":  # json.Marshal escapes HTML characters
        s = json.dumps({"data": doms, "message_type": "dns_entries"},
                       separators=(",", ":"))
        return (s.replace("<", "\\u003c").replace(">", "\\u003e")
                .replace("&", "\\u0026"))
    if style == "rust":
        return json.dumps({"message_type": "dns_entries", "data": doms},
                          separators=(",", ":"))
    return json.dumps({"data": doms, "message_type": "dns_entries"},
                      separators=(",", ":"))


def servers():
    out = []
    for style in ("elixir", "go", "rust", "python", "leakix"):
        for k in range(3):
            out.append(("%s_lite_%d" % (style, k), cert_msg(style, k)))
        if style != "leakix":
            out.append(("%s_full" % style, cert_msg(style, 3, True)))
    for style in ("elixir", "go", "rust"):
        for k in range(2):
            out.append(("%s_domains_%d" % (style, k), dns_msg(style, k)))
    out += [
        ("rust_heartbeat", '{"message_type":"heartbeat"}'),
        ("python_heartbeat",
         '{"message_type": "heartbeat", "timestamp": 1508532970.93171}'),
        ("pretty_heartbeat", '{\n    "message_type": "heartbeat",\n'
                             '    "timestamp": 1508532970.93171\n}'),
        ("pretty_cert", json.dumps(json.loads(cert_msg("rust", 4)),
                                   indent=4)),
        ("python_ascii_idn", json.dumps(
            {"message_type": "certificate_update", "data": {
                "leaf_cert": {"all_domains": ["b\u00fccher.example",
                                              "\u65e5\u672c.example",
                                              "\U0001f600.example"]},
                "seen": 1.5, "source": {"url": "x", "name": "\u00e9"}}})),
        ("raw_utf8_idn", json.dumps(
            {"message_type": "certificate_update", "data": {
                "leaf_cert": {"all_domains": ["b\u00fccher.example",
                                              "\u65e5\u672c.example",
                                              "\U0001f600.example"]}}},
            ensure_ascii=False)),
    ]
    return out


def many_domains(n, width):
    doms = ["host%05d.%s.example" % (i, "x" * (i % width)) for i in range(n)]
    return json.dumps({"message_type": "certificate_update",
                       "data": {"leaf_cert": {"all_domains": doms}}},
                      separators=(",", ":"))


def edge_cases():
    e = []
    add = lambda name, s: e.append((name, s))
    # fields: duplicates, nulls, wrong types, replacement rules
    add("dup_type", '{"message_type":"heartbeat","message_type":"dns_entries"}')
    add("dup_type_wrong", '{"message_type":"heartbeat","message_type":5}')
    add("dup_data_obj_arr", '{"data":{"cert_index":1,"seen":2,"leaf_cert":'
        '{"all_domains":["a"]}},"data":["b","c"]}')
    add("dup_data_arr_obj", '{"data":["b","c"],"data":{"source":{"url":"u"}}}')
    add("dup_data_null", '{"data":{"cert_index":1},"data":null}')
    add("dup_all_domains", '{"data":{"leaf_cert":{"all_domains":["a","b"],'
        '"all_domains":["c"]}}}')
    add("dup_leaf", '{"data":{"leaf_cert":{"all_domains":["a"]},'
        '"leaf_cert":{}}}')
    add("dup_source", '{"data":{"source":{"url":"a","name":"b"},'
        '"source":{"name":"c"}}}')
    add("dup_seen", '{"data":{"seen":1,"seen":"x","seen":2.5}}')
    add("nulls", '{"message_type":null,"data":{"cert_index":null,"seen":null,'
        '"source":null,"leaf_cert":{"all_domains":null}},"timestamp":null}')
    add("nulls_in_list", '{"data":{"leaf_cert":{"all_domains":[null,"a",'
        'null]}}}')
    add("wrong_types", '{"message_type":1,"data":{"cert_index":"1","seen":'
        'true,"source":[],"leaf_cert":{"all_domains":{}}},"timestamp":"t"}')
    add("wrong_data", '{"message_type":"x","data":"str"}')
    add("wrong_leaf", '{"data":{"leaf_cert":[1,2]}}')
    add("wrong_list_elems", '{"data":["a",1,{"x":"y"},["z"],true,"b"]}')
    add("cert_index_forms", '{"data":{"cert_index":18446744073709551615}}')
    add("cert_index_ovf", '{"data":{"cert_index":18446744073709551616}}')
    add("cert_index_neg", '{"data":{"cert_index":-1}}')
    add("cert_index_negzero", '{"data":{"cert_index":-0}}')
    add("cert_index_frac", '{"data":{"cert_index":1.0}}')
    add("cert_index_exp", '{"data":{"cert_index":1e3}}')
    add("cert_index_zero", '{"data":{"cert_index":0}}')
    add("wanted_keys_elsewhere", '{"x":{"message_type":"no","data":{"seen":1}}'
        ',"data":{"leaf_cert":{"extensions":{"all_domains":["no"]},'
        '"subject":{"all_domains":["no"]}},"x":{"cert_index":9}},'
        '"y":[{"data":["no"]}]}')
    add("keys_escaped", '{"\\u006dessage_type":"heartbeat","dat\\u0061":'
        '{"se\\u0065n":1.25,"leaf_cert":{"all_\\u0064omains":["a"]}}}')
    add("keys_near_miss", '{"message_typ":"a","message_type ":"b","Data":[],'
        '"data":{"cert_indexx":1,"seen\\u0000":2,"leaf_cert":{"all_domain":'
        '["x"]}},"timestamp2":3}')
    add("key_long", '{"message_type_and_then_some_more":"x","data":{"leaf_cert'
        '_long_long_long":{"all_domains":["x"]}}}')
    add("type_other", '{"message_type":"certificate_update2"}')
    add("type_prefix", '{"message_type":"heartbea"}')
    add("type_nul", '{"message_type":"heartbeat\\u0000"}')
    add("empty_lists", '{"message_type":"dns_entries","data":[]}')
    add("empty_domain", '{"data":["",""]}')
    add("empty_object", '{}')
    add("timestamp_in_data", '{"data":{"timestamp":5,"seen":6}}')
    # texts at the length limit, cut inside a multi-byte character
    add("url_255", '{"data":{"source":{"url":"%s"}}}' % ("u" * 255))
    add("url_256", '{"data":{"source":{"url":"%s"}}}' % ("u" * 256))
    add("name_cut_2byte", '{"data":{"source":{"name":"%s\u00e9tail"}}}'
        % ("n" * 254))
    add("name_cut_3byte", '{"data":{"source":{"name":"%s\u65e5tail"}}}'
        % ("n" * 253))
    add("name_cut_4byte", '{"data":{"source":{"name":"%s\\ud83d\\ude00x"}}}'
        % ("n" * 253))
    add("type_long_escapes", '{"message_type":"%s"}' % ("\\u00e9" * 200))
    add("domain_long", '{"data":["%s.example"]}' % ("d" * 600))
    # strings: escapes, surrogates, UTF-8
    add("escapes_all", '{"data":["\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9'
        '\\u20ac\\uFFFF\\u0000"]}')
    add("surrogate_pair", '{"data":["\\ud83d\\ude00","\\uD834\\uDD1E"]}')
    add("surrogate_lone_hi", '{"data":["\\ud800","\\ud800x","\\udbff\\n"]}')
    add("surrogate_lone_lo", '{"data":["\\udc00","a\\udfffb"]}')
    add("surrogate_hi_hi", '{"data":["\\ud800\\ud800\\udc00"]}')
    add("surrogate_hi_esc", '{"data":["\\ud800\\u0041","\\ud800\\\\"]}')
    add("surrogate_in_key", '{"\\ud800":1,"data":{"\\udc00\\ud800":["x"]}}')
    add("utf8_raw_all", '{"data":["\u00a2\u0800\u07ff\uffff\ud7ff\ue000'
        '\U00010000\U0010ffff\x7f"]}')
    add("bad_escape", '{"data":["a\\x"]}')
    add("bad_uhex", '{"data":["\\u12G4"]}')
    add("bad_uhex_short", '{"data":["\\u12"]}')
    add("bad_control", '{"data":["a\tb"]}')
    add("bad_control_key", '{"a\nb":1}')
    add("bad_escape_after_hi", '{"data":["\\ud800\\q"]}')
    # numbers
    add("numbers_seen", '{"data":{"seen":0.1},"timestamp":-0}')
    add("numbers_tiny", '{"data":{"seen":4.9e-324},"timestamp":'
        '2.4703282292062328e-324}')
    add("numbers_halfway", '{"data":{"seen":9007199254740993},"timestamp":'
        '2.2250738585072011e-308}')
    add("numbers_huge", '{"data":{"seen":1e400},"timestamp":-1.8e308}')
    add("numbers_underflow", '{"data":{"seen":1e-400},"timestamp":'
        '2.4703282292062327e-324}')
    add("numbers_long", '{"data":{"seen":%s.%s},"timestamp":0.%se5}'
        % ("1" * 30, "3" * 820, "0" * 300 + "17"))
    add("numbers_exp_forms", '{"data":{"seen":1E+2},"timestamp":1e-0,'
        '"x":[0,-0.0,1E5,0e0,-1.5e-7,123456789012345678901234567890]}')
    add("numbers_19_20_digits", '{"data":{"seen":1234567890123456789},'
        '"timestamp":12345678901234567890}')
    add("numbers_fast_edge", '{"data":{"seen":1e27},"timestamp":1e-27,'
        '"x":{"seen":1e28}}')
    add("bad_num_leading0", '{"data":{"seen":01}}')
    add("bad_num_dot", '{"data":{"seen":1.}}')
    add("bad_num_dot_first", '{"data":{"seen":.5}}')
    add("bad_num_minus", '{"data":{"seen":-}}')
    add("bad_num_exp", '{"data":{"seen":1e}}')
    add("bad_num_exp_sign", '{"data":{"seen":1e+}}')
    add("bad_num_plus", '{"data":{"seen":+1}}')
    add("bad_num_hex", '{"data":{"seen":0x10}}')
    add("bad_num_nan", '{"data":{"seen":NaN}}')
    add("bad_num_inf", '{"data":{"seen":-Infinity}}')
    # structure
    add("ws_everywhere", ' \t\r\n{ \n"message_type" \t:\r "heartbeat" , '
        '"data" : [ "a" , "b" ] \n} \r\n\t')
    add("bad_ws_formfeed", '{\f"a":1}')
    add("bad_ws_vtab", '{"a":1\x0b}')
    add("bad_bom", '\ufeff{"message_type":"heartbeat"}')
    add("nesting_64", '{"a":%s1%s}' % ("[" * 63, "]" * 63))
    add("nesting_65", '{"a":%s1%s}' % ("[" * 64, "]" * 64))
    add("nesting_objects", '{"data":{"leaf_cert":{"all_domains":["a"],"x":%s'
        '"y"%s}}}' % ('{"k":' * 40, "}" * 40))
    add("nesting_in_list", '{"data":[[["deep"]],{"a":["b"]},"ok"]}')
    add("top_array", '["message_type","heartbeat"]')
    add("top_string", '"heartbeat"')
    add("top_number", '1700000000.5')
    add("top_literals", 'true')
    add("top_null", 'null')
    # (the empty message lives in tests/regress/json/: it is a crasher)
    add("only_ws", ' \n\t ')
    add("trailing_garbage", '{"message_type":"heartbeat"} x')
    add("trailing_object", '{"message_type":"heartbeat"}{}')
    add("trailing_newline", '{"message_type":"heartbeat"}\n')
    add("literals", '{"a":[true,false,null],"b":{"c":false}}')
    add("bad_literal", '{"a":tru}')
    add("bad_literal2", '{"a":nul}')
    add("bad_literal3", '{"a":falsy}')
    add("bad_literal_upper", '{"a":True}')
    add("bad_comma_obj", '{"a":1,}')
    add("bad_comma_arr", '{"a":[1,]}')
    add("bad_colon", '{"a" 1}')
    add("bad_key", '{a:1}')
    add("bad_close", '{"a":[1}')
    add("bad_close2", '{"a":{"b":1]}')
    add("bad_single_quote", "{'a':1}")
    add("bad_comment", '{"a":1 /* c */}')
    add("incomplete_string", '{"message_type":"heartb')
    add("incomplete_number", '{"data":{"seen":1.5')
    add("incomplete_escape", '{"data":["\\u00')
    add("incomplete_utf8", b'{"data":["\xe6\x97')
    add("incomplete_key", '{"messa')
    add("incomplete_after_comma", '{"data":["a",')
    # storage pressure
    add("many_domains_200", many_domains(200, 7))
    add("many_domains_1000", many_domains(1000, 3))
    return e


def bad_utf8():
    """Raw bytes that no json.dumps would write."""
    pre = b'{"data":["a'
    post = b'b"]}'
    cases = {
        "utf8_bad_c0": b"\xc0\xaf", "utf8_bad_c1": b"\xc1\xbf",
        "utf8_bad_e0_overlong": b"\xe0\x80\xaf",
        "utf8_bad_ed_surrogate": b"\xed\xa0\x80",
        "utf8_bad_f4_above": b"\xf4\x90\x80\x80",
        "utf8_bad_f5": b"\xf5\x80\x80\x80", "utf8_bad_ff": b"\xff",
        "utf8_bad_cont_alone": b"\x80",
        "utf8_bad_short_seq": b"\xe6\x97",
        "utf8_bad_f0_overlong": b"\xf0\x8f\xbf\xbf",
        "utf8_ok_edges": b"\xe0\xa0\x80\xed\x9f\xbf\xf0\x90\x80\x80"
                         b"\xf4\x8f\xbf\xbf\xc2\x80\xdf\xbf",
    }
    return [(k, pre + v + post) for k, v in cases.items()]


# control bytes: chunk modes x storage sizes, varied over the files
MODES = [0x00, 0x02, 0x03, 0x01 | (6 << 2), 0x01 | (0 << 2), 0x03,
         0x01 | (15 << 2), 0x02, 0x01 | (63 << 2), 0x03]
STORES = [0xff, 0x00, 0x10, 0x1c, 0x40, 0x90, 0xc0, 0xff, 0xd0, 0x7f, 0x08]


def write_json(outdir):
    items = servers() + edge_cases()
    items = [(n, s.encode("utf-8") if isinstance(s, str) else s)
             for n, s in items] + bad_utf8()
    seen = set()
    for k, (name, body) in enumerate(items):
        assert name not in seen, name
        seen.add(name)
        hdr = bytes([MODES[k % len(MODES)], STORES[k % len(STORES)],
                     (k * 37) & 0xff, (k * 101) & 0xff])
        # the big messages also get a whole-feed, full-storage copy
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(hdr + body)
    # a few messages again with tiny storage: the truncation paths
    for name, body in items:
        if name.startswith(("many_domains_200", "elixir_lite_0",
                            "go_domains_0", "python_ascii_idn")):
            for st in (0x05, 0x0d, 0x21):
                with open(os.path.join(outdir, "%s_store%d" % (name, st)),
                          "wb") as f:
                    f.write(bytes([0x03, st, 0x12, st]) + body)
    return len(items)


NUMBERS = [
    "0", "-0", "1", "-1", "0.1", "0.5", "1.5e300", "1e308",
    "1.7976931348623157e308",
    "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "-1e400",
    "2.2250738585072011e-308", "2.2250738585072014e-308",
    "4.9406564584124654e-324", "2.4703282292062327e-324",
    "2.4703282292062328e-324", "5e-324", "1e-400", "9007199254740993",
    "9007199254740992.5", "18446744073709551615", "18446744073709551616",
    "1700000000.123456", "1508532970.93171", "1779300001.234567",
    "123456789012345678901234567890", "1e27", "1e-27", "1e28", "1e-28",
    "1E+5", "1e-0", "0e0", "0.000001", "-1.5e-7", "7.2057594037927933e16",
    "0." + "0" * 340 + "1", "1" + "0" * 400, "9" * 820,
    "2." + "2250738585072011" + "0" * 700 + "1e-308",
    "0.5" + "0" * 900 + "1e-323",
    # not numbers
    "", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x10", "NaN", "Infinity",
    "1 ", " 1", "1.5.5", "--1", "1e5e5", "-01", "1,5",
]


def halfway_numbers():
    """Exact decimal expansions of points halfway between two adjacent
    doubles (they round to the even one), and the same nudged up by a 1
    far past digit 800 (must round up: only the sticky flag sees it) or
    down in the last digit (must round down). Up to ~770 digits."""
    import struct
    from fractions import Fraction

    def bits(x):
        return struct.unpack("<Q", struct.pack("<d", x))[0]

    def dbl(b):
        return struct.unpack("<d", struct.pack("<Q", b))[0]

    def exact(fr):
        n, d = fr.numerator, fr.denominator
        k = d.bit_length() - 1
        assert d == 1 << k
        return str(n * 5 ** k), k  # value = digits * 10^-k

    rnd = random.Random(7)
    lows = [0, 1, 0x000fffffffffffff, 0x0010000000000000,
            bits(1.0), bits(9007199254740992.0), bits(0.1), bits(1e23),
            bits(1700000000.123456), 0x7fefffffffffffff - 1]
    lows += [rnd.getrandbits(62) & 0x7fefffffffffffff for _ in range(6)]
    out = []
    for b in lows:
        lo = Fraction(dbl(b))
        # above DBL_MAX the next "double" is 2^1024 (rounds to inf)
        hi = Fraction(2) ** 1024 if b == 0x7fefffffffffffff else \
            Fraction(dbl(b + 1))
        digits, k = exact((lo + hi) / 2)
        out.append("%se-%d" % (digits, k) if k else digits)
        pad = max(0, 810 - len(digits))
        out.append("%s%s1e-%d" % (digits, "0" * pad, k + pad + 1))
        out.append("%s%de-%d" % (digits[:-1], int(digits[-1]) - 1, k))
    # long digit strings that are no dyadic fraction: scaling them never
    # gets shorter, so the converter drops digits past its limit
    for e in ("e-300", "e-1100", "e-790", "e-480", ""):
        out.append("0." + "".join(rnd.choice("0123456789")
                                  for _ in range(804)) + "7" + e)
    return out


def write_numbers(outdir):
    for k, s in enumerate(halfway_numbers()):
        with open(os.path.join(outdir, "half%02d" % k), "w") as f:
            f.write(s)
    for k, s in enumerate(NUMBERS):
        with open(os.path.join(outdir, "n%02d" % k), "w") as f:
            f.write(s)
    # 0xFF expansion: "*" HI LO C = C repeated ((HI<<8|LO)+1)*4 times
    exp = {
        "x_zeros_then_1": b"\xff0.*\x00\xff01",
        "x_many_digits": b"\xff1*\x01\x00" + b"3" + b"e-300",
        "x_long_exp": b"\xff1e*\x00\x10" + b"0",
        "x_frac_zeros_exp": b"\xff0.*\x00\x40" + b"0" + b"1e250",
        "x_int_zeros_negexp": b"\xff1*\x00\x40" + b"0" + b"e-300",
    }
    for name, b in exp.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(b)
    return len(NUMBERS) + len(exp) + len(halfway_numbers())


# ---- websocket frames (fuzz_ws.c) ------------------------------------------

def ws_frame(op, payload=b"", fin=True, rsv=0, key=None, form=None):
    """One frame as a server sends it (unmasked unless key is given).
    form forces the length encoding: 7, 16 or 64 bits."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    n = len(payload)
    b = bytes([(0x80 if fin else 0) | (rsv << 4) | op])
    m = 0x80 if key else 0
    if form is None:
        form = 7 if n < 126 else 16 if n < 65536 else 64
    if form == 7:
        b += bytes([m | n])
    elif form == 16:
        b += bytes([m | 126]) + n.to_bytes(2, "big")
    else:
        b += bytes([m | 127]) + n.to_bytes(8, "big")
    if key:
        b += key
        payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
    return b + payload


def ws_close(status=None, reason=b""):
    if isinstance(reason, str):
        reason = reason.encode("utf-8")
    if status is None:
        return ws_frame(8)
    return ws_frame(8, status.to_bytes(2, "big") + reason)


TEXT, BIN, CLOSE, PING, PONG = 1, 2, 8, 9, 10


def ws_seeds():
    hb = '{"message_type":"heartbeat","timestamp":1779300000.123456}'
    cert = cert_msg("go", 1)
    full = cert_msg("elixir", 3, True)
    dns = dns_msg("rust", 0)
    idn = json.dumps({"message_type": "dns_entries", "data": [
        "b\u00fccher.example", "\u65e5\u672c.example",
        "\U0001f600.example"]}, ensure_ascii=False).encode("utf-8")
    f = ws_frame
    e = []
    add = lambda name, hdr, b: e.append((name, hdr, b))
    # header: chunk mode, max_message selector, 2 seed bytes
    # -- valid streams
    add("heartbeat", (0x00, 0x00), f(TEXT, hb))
    add("cert_16bit_len", (0x03, 0x00), f(TEXT, cert))
    add("cert_full_16bit", (0x01 | 5 << 2, 0xf7), f(TEXT, full))
    add("session", (0x03, 0x00),
        f(TEXT, hb) + f(PING, b"keepalive") + f(TEXT, dns) + f(TEXT, cert)
        + f(PONG, b"") + f(TEXT, hb) + ws_close(1000, "bye"))
    cut = [0, 7, 8, 9, 10, len(idn) // 2, len(idn)]
    frag = b""
    for k in range(len(cut) - 1):  # cuts inside multi-byte characters
        frag += f(TEXT if k == 0 else 0, idn[cut[k]:cut[k + 1]],
                  fin=k == len(cut) - 2)
        if k == 2:
            frag += f(PING, b"mid-message")
    add("fragmented_utf8_split_ping", (0x02, 0x00), frag)
    add("fragmented_empty_parts", (0x01 | 2 << 2, 0x00),
        f(TEXT, b"", fin=False) + f(0, b"", fin=False) + f(0, hb, fin=False)
        + f(0, b"", fin=True))
    add("empty_text_and_binary", (0x03, 0x01),
        f(TEXT, b"") + f(BIN, b"") + f(TEXT, b"x"))
    add("binary_all_bytes", (0x01 | 15 << 2, 0x00),
        f(BIN, bytes(range(256))) + f(BIN, b"\xff\xfe", fin=False)
        + f(0, b"\x00"))
    add("ping_125", (0x02, 0x00), f(PING, b"p" * 125) + f(PONG, b"q" * 125))
    add("close_empty", (0x00, 0x00), f(TEXT, hb) + ws_close())
    add("close_1001_utf8_reason", (0x02, 0x00),
        ws_close(1001, "going away \u00e9\u65e5\U0001f600"))
    add("close_codes_ok", (0x03, 0x00), ws_close(3000, "app"))
    add("close_4999", (0x01, 0x00), ws_close(4999, "x" * 123))
    add("close_1011", (0x00, 0x00), ws_close(1011))
    add("len64_form", (0x01 | 63 << 2, 0x00),
        f(BIN, bytes(random.Random(6455).getrandbits(8)
                     for _ in range(65536))))
    add("text_at_limit", (0x03, 100), f(TEXT, "a" * 60, fin=False)
        + f(PING, b"") + f(0, "b" * 40))
    add("truncated_header", (0x02, 0x00), f(TEXT, hb) + b"\x81")
    add("truncated_payload", (0x03, 0x00), f(TEXT, cert)[:300])
    add("truncated_ext_len", (0x02, 0x00), b"\x81\x7f\x00\x00")
    # -- each rule broken
    add("rsv1", (0x00, 0x00), f(TEXT, hb, rsv=4))
    add("rsv2_rsv3", (0x02, 0x00), f(TEXT, hb) + f(BIN, b"x", rsv=3))
    add("opcode_3", (0x00, 0x00), f(3, b"x"))
    add("opcode_b", (0x02, 0x00), f(0xB, b"x"))
    add("opcode_f_rsv", (0x02, 0x00), f(0xF, b"", rsv=7))
    add("masked", (0x03, 0x00), f(TEXT, hb, key=b"\x12\x34\x56\x78"))
    add("masked_ping", (0x02, 0x00), f(PING, b"x", key=b"\0\0\0\0"))
    add("ctl_len_126", (0x01 | 1 << 2, 0x00), f(PING, b"p" * 126))
    add("ctl_fragmented", (0x02, 0x00), f(PING, b"x", fin=False))
    add("cont_first", (0x00, 0x00), f(0, b"orphan"))
    add("nested", (0x03, 0x00), f(TEXT, b"a", fin=False) + f(BIN, b"b"))
    add("len64_top_bit", (0x02, 0x00), b"\x82\x7f\x80" + b"\0" * 7 + b"x")
    add("len16_not_minimal", (0x02, 0x00), f(TEXT, b"short", form=16))
    add("len64_not_minimal", (0x02, 0x00), f(TEXT, b"short", form=64))
    add("utf8_overlong", (0x02, 0x00), f(TEXT, b'["\xc0\xaf"]'))
    add("utf8_surrogate", (0x01 | 1 << 2, 0x00), f(TEXT, b"ok\xed\xa0\x80"))
    add("utf8_above_10ffff", (0x00, 0x00), f(TEXT, b"\xf4\x90\x80\x80"))
    add("utf8_bad_across_frames", (0x02, 0x00),
        f(TEXT, b"ab\xe6", fin=False) + f(PING, b"") + f(0, b"\x97z"))
    add("utf8_incomplete_at_end", (0x03, 0x00),
        f(TEXT, b"ab\xe6\x97", fin=False) + f(0, b""))
    add("too_big", (0x03, 200), f(TEXT, "a" * 150, fin=False)
        + f(0, "b" * 60))
    add("too_big_header", (0x00, 0x10), f(BIN, b"z" * 300))
    add("too_big_bad_utf8_first", (0x02, 0x20), f(TEXT, b"a\xff" + b"c" * 40))
    add("close_len_1", (0x02, 0x00), f(CLOSE, b"\x03"))
    for st in (999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535):
        add("close_status_%d" % st, (0x03, 0x00), ws_close(st, "r"))
    add("close_reason_bad_utf8", (0x02, 0x00),
        f(CLOSE, b"\x03\xe8ok\xc3"))
    add("after_close", (0x03, 0x00), ws_close(1000) + f(TEXT, hb))
    add("after_close_one_byte", (0x00, 0x00), ws_close(1000) + b"\x00")
    return e


# Seeds held out of the corpus while they crash fuzz_ws (none now: the
# offset bugs they found are fixed; tests/regress/ws/ keeps them).
WS_HELD = set()


def write_ws(outdir):
    items = ws_seeds()
    n = 0
    for k, (name, (mode, mx), body) in enumerate(items):
        if name in WS_HELD:
            continue
        hdr = bytes([mode, mx, (k * 37) & 0xff, (k * 101) & 0xff])
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(hdr + body)
        n += 1
    return n


# ---- handshake responses (fuzz_hs.c) ---------------------------------------

def hs_seeds():
    ok = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
          "Connection: Upgrade\r\nSec-WebSocket-Accept: @ACCEPT@\r\n")
    e = []
    add = lambda name, hdr, s: e.append((name, hdr, s.encode("latin-1")
                                         if isinstance(s, str) else s))
    # header: chunk mode, flags, pad, seed
    add("ok", (0x00, 1), ok + "\r\n")
    add("ok_then_frames", (0x03, 1), ok + "\r\n"
        + "\x81\x1d{\"message_type\":\"heartbeat\"}")
    add("ok_nginx", (0x02, 1 | 4),
        "HTTP/1.1 101 Switching Protocols\r\nServer: nginx/1.24.0\r\n"
        "Date: Tue, 26 May 2026 10:00:00 GMT\r\nConnection: upgrade\r\n"
        "Upgrade: websocket\r\nSec-WebSocket-Accept: @ACCEPT@\r\n"
        "Strict-Transport-Security: max-age=31536000\r\n\r\n")
    add("ok_case_and_space", (0x01 | 3 << 2, 1),
        "HTTP/1.1 101 OK\r\nUPGRADE:WebSocket\r\nconnection: keep-alive,"
        " Upgrade \r\nsec-websocket-accept:   @ACCEPT@  \r\n\r\n")
    add("ok_no_reason", (0x02, 1),
        "HTTP/1.1 101 \r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: @ACCEPT@\r\n\r\n")
    add("ok_lf_only", (0x03, 1), ok.replace("\r\n", "\n") + "\n")
    add("ok_empty_ext", (0x00, 1), ok + "Sec-WebSocket-Extensions:\r\n\r\n")
    add("ok_long_header_pad", (0x01 | 63 << 2, 3, 40),
        ok + "X-Pad: @PAD@\r\n\r\n")
    add("ok_extra_request_header", (0x03, 1 | 8),
        b"X-Trace: abc123\0" + (ok + "\r\n").encode())
    add("request_header_injection", (0x02, 1 | 8),
        b"X-Evil: a\r\nHost: evil\0" + (ok + "\r\n").encode())
    add("request_header_sets_key", (0x00, 1 | 8),
        b"Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\0"
        + (ok + "\r\n").encode())
    add("extension", (0x03, 1),
        ok + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
    add("protocol", (0x02, 1), ok + "Sec-WebSocket-Protocol: chat\r\n\r\n")
    add("accept_wrong", (0x00, 0),
        ok.replace("@ACCEPT@", "dGhlIHNhbXBsZSBub25jZQ==") + "\r\n")
    add("accept_missing", (0x03, 0),
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\n\r\n")
    add("accept_twice", (0x02, 1),
        ok + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo\r\n\r\n")
    add("upgrade_h2c", (0x00, 1), ok.replace("websocket", "h2c") + "\r\n")
    add("upgrade_missing", (0x03, 1),
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: @ACCEPT@\r\n\r\n")
    add("connection_close", (0x02, 1),
        ok.replace("Connection: Upgrade", "Connection: close") + "\r\n")
    for st, loc in ((301, "wss://certstream.calidog.io/"),
                    (302, "/domains-only"), (303, "http://plain.example/x"),
                    (307, "//other.example:8443/full-stream?y=2"),
                    (308, "relative/path")):
        add("redirect_%d" % st, (0x03 if st % 2 else 0x02, 0),
            "HTTP/1.1 %d Moved\r\nLocation: %s\r\nContent-Length: 0\r\n"
            "\r\n" % (st, loc))
    add("redirect_no_location", (0x00, 0),
        "HTTP/1.1 301 Moved Permanently\r\nContent-Length: 0\r\n\r\n")
    add("redirect_300", (0x03, 0),
        "HTTP/1.1 300 Choices\r\nLocation: /a\r\n\r\n")
    add("redirect_304", (0x02, 0),
        "HTTP/1.1 304 Not Modified\r\nLocation: /a\r\n\r\n")
    add("redirect_long_location", (0x01 | 30 << 2, 2, 11),
        "HTTP/1.1 302 Found\r\nLocation: /@PAD@\r\n\r\n")
    add("status_429_retry", (0x03, 0),
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\n"
        "Content-Type: text/plain\r\n\r\nslow down")
    add("status_503_retry_date", (0x02, 0),
        "HTTP/1.1 503 Service Unavailable\r\n"
        "Retry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\n\r\n")
    add("status_503_retry_huge", (0x00, 0),
        "HTTP/1.1 503 Busy\r\nRetry-After: 99999999999999999999\r\n\r\n")
    add("status_429_retry_space", (0x03, 0),
        "HTTP/1.1 429 x\r\nretry-after:  120 \r\n\r\n")
    add("status_200_html", (0x03, 0),
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13"
        "\r\n\r\n<html></html>")
    add("status_404", (0x02, 0), "HTTP/1.1 404 Not Found\r\n\r\n")
    add("http10_101", (0x00, 1), ok.replace("HTTP/1.1", "HTTP/1.0") + "\r\n")
    add("http2_status", (0x03, 0), "HTTP/2 101\r\n\r\n")
    add("status_not_digits", (0x02, 0), "HTTP/1.1 1O1 Switching\r\n\r\n")
    add("status_4_digits", (0x00, 0), "HTTP/1.1 1010 x\r\n\r\n")
    add("obs_fold", (0x03, 1), ok.replace("Upgrade: websocket",
                                           "Upgrade:\r\n websocket") + "\r\n")
    add("header_no_colon", (0x02, 1), ok + "garbage line\r\n\r\n")
    add("nul_in_header", (0x03, 1), ok + "X-A: a\0b\r\n\r\n")
    add("garbage", (0x00, 0), "SSH-2.0-OpenSSH_9.6\r\n")
    add("too_big", (0x01 | 255 >> 2 << 2, 2, 200),
        "HTTP/1.1 101 Switching Protocols\r\nX-Pad: @PAD@")
    add("truncated", (0x03, 1), ok)
    return e


def write_hs(outdir):
    items = hs_seeds()
    for k, (name, hdr, body) in enumerate(items):
        mode, flags = hdr[0], hdr[1]
        pad = hdr[2] if len(hdr) > 2 else 0
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(bytes([mode, flags, pad, (k * 53) & 0xff]) + body)
    return len(items)


# ---- URLs (fuzz_url.c) ----------------------------------------------------

URLS = [
    "ws://certstream.calidog.io/", "wss://certstream.calidog.io/full-stream",
    "ws://localhost:8080/domains-only", "wss://ct.example.net:443/x?y=1&z",
    "WS://CertStream.Example", "Wss://h.example?only=query",
    "ws://[::1]:4000/", "wss://[2001:db8::a:b]/p", "ws://[fe80::1%25eth0]/",
    "ws://127.0.0.1:1/", "ws://h.example:65535/p", "ws://h.example:0/",
    "ws://h.example:65536/", "ws://h.example:/", "ws://:80/", "ws://[::1/",
    "ws://h.example:8a/", "ws://user:pw@h.example/", "ws://h.example/#frag",
    "ws://h.example/a b", "ws://h.example/\x01", "ws:/h.example/",
    "ftp://h.example/", "ws://h.example/%41%zz?a=%20",
    "http://h.example/x", "HTTPS://h.example:8443/x", "//other.example/x",
    "//other.example:9/", "/abs/path?q", "rel/path", "../up/./x",
    "?only-query", "", "/", "ws://" + "a" * 255 + "/", "ws://" + "a" * 256,
    "ws://h.example/" + "p" * 1100, "ws://h.example/" + "p" * 1007,
]


def write_url(outdir):
    for k, u in enumerate(URLS):
        with open(os.path.join(outdir, "u%02d" % k), "wb") as f:
            f.write(bytes([k & 3]) + u.encode("latin-1"))
    return len(URLS)


WRITERS = (("json", write_json), ("number", write_numbers), ("ws", write_ws),
           ("hs", write_hs), ("url", write_url))


def main():
    import sys
    want = sys.argv[1:] or [w[0] for w in WRITERS]
    for sub, fn in WRITERS:
        if sub not in want:
            continue
        d = os.path.join(HERE, "corpus", sub)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        n = fn(d)
        print("%s: %d seeds, %d files" % (d, n, len(os.listdir(d))))


if __name__ == "__main__":
    main()
