#!/usr/bin/env python3
"""fw/report.py - the numbers of the firmware build (fw/build.sh runs it).

  flash = text + data, static RAM = data + bss (arm-none-eabi-size);
  who takes them: the linker map, summed by archive and object;
  struct sizes on the target: symbols of fw/sizes.c (nm -S);
  what certstream.h needs from libc and libgcc: its undefined symbols;
  stack: a static worst case over the linked program's call graph.

The stack estimate: frames from GCC's -fstack-usage (.su) for every
function we and BearSSL compiled, from the prologue (push, vpush, sub sp)
for newlib and libgcc; calls from the disassembly (bl, and b to another
function for tail calls). An indirect call (blx rN, bx rN) may reach any
function whose address the program takes (a word equal to its address in
code or data) within the same part: certstream.h + example + board,
BearSSL (+ certstream.h's X.509 class), newlib. No recursion exists; a
cycle would be cut and reported. Interrupts add their own worst chain and
the 32-byte exception frame (soft-float: no FP context)."""
import argparse
import collections
import os
import re
import subprocess
import sys

OUT_SECTIONS = {".isr_vector", ".text", ".rodata", ".ARM.exidx",
                ".ARM.extab", ".init_array", ".data", ".bss"}
RAM_SECTIONS = {".data", ".bss"}
FLASH_SECTIONS = OUT_SECTIONS - {".bss"}

# The example's own code and data (custom_transport.c); the rest of that
# object is certstream.h's implementation.
EXAMPLE_SYMS = {"main", "link_open", "link_read", "link_write", "link_wait",
                "link_close", "rng", "unix_time", "on_event", "names",
                "client", "certs", "follower", "mem", "key"}
BOARD_OBJS = {"board.o", "startup.o", "syscalls.o"}
VECTORS = {"Reset_Handler", "Default_Handler", "SysTick_Handler",
           "USART1_IRQHandler"}

# BearSSL's source folders, by what they do.
BR_PARTS = {
    "ec": "EC: P-256, X25519, P-384/521, ECDSA",
    "rsa": "RSA i15 (signature check)",
    "int": "big integers (i15)",
    "ssl": "TLS engine, handshake, records",
    "x509": "X.509 validation + decoder",
    "hash": "SHA-1/224/256/384/512, GHASH ctmul32",
    "mac": "HMAC",
    "kdf": "KDF",
    "rand": "HMAC-DRBG",
    "symcipher": "AES ct, ChaCha20 ct, Poly1305",
    "aead": "GCM, CCM, EAX",
    "codec": "PEM, byte codecs",
}


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def strip_clone(name):
    """cs__ws_run.constprop.0 -> cs__ws_run.constprop (as .su names it)."""
    return re.sub(r"\.\d+$", "", name)


# ---- the linker map --------------------------------------------------------

def parse_map(path):
    """Input sections placed in the output sections we count:
    (out_section, in_section, addr, size, file)."""
    items = []
    with open(path) as f:
        lines = f.read().split("\n")
    try:
        start = lines.index("Linker script and memory map")
    except ValueError:
        sys.exit("report: no memory map in " + path)
    out = None
    pending = None
    for line in lines[start + 1:]:
        if re.match(r"^\S", line):
            out = line.split()[0]
            pending = None
            continue
        if out not in OUT_SECTIONS:
            continue
        m = re.match(r"^ \*fill\*\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)", line)
        if m:
            items.append((out, "*fill*", int(m.group(1), 16),
                          int(m.group(2), 16), "*fill*"))
            continue
        m = re.match(r"^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$",
                     line)
        if m:
            items.append((out, m.group(1), int(m.group(2), 16),
                          int(m.group(3), 16), m.group(4).strip()))
            pending = None
            continue
        m = re.match(r"^ (\.\S+)$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^\s{8,}0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if m and pending:
            items.append((out, pending, int(m.group(1), 16),
                          int(m.group(2), 16), m.group(3).strip()))
            pending = None
    # Merged string sections may overlap (the linker shares equal
    # strings): count each byte once, for the first section that has it.
    merged = []
    for out in OUT_SECTIONS:
        end = 0
        for it in sorted((i for i in items if i[0] == out),
                         key=lambda i: (i[2], -i[3])):
            lo = max(it[2], end)
            hi = it[2] + it[3]
            merged.append(it[:3] + (max(0, hi - lo),) + it[4:])
            end = max(end, hi)
    return merged


def objname(file):
    """'/x/libc_nano.a(lib_a-memcpy.o)' -> ('libc_nano.a', 'lib_a-memcpy.o')."""
    m = re.match(r"^(.*?)([^/]+\.a)\((.+)\)$", file)
    if m:
        return m.group(2), m.group(3)
    return "", os.path.basename(file)


def part_of(file, section):
    lib, obj = objname(file)
    if file == "*fill*":
        return "alignment padding"
    if lib == "libbearssl.a":
        return "BearSSL"
    if lib.startswith("libc"):
        return "newlib-nano (libc)"
    if lib == "libgcc.a":
        return "libgcc"
    if lib:
        return lib
    if obj in BOARD_OBJS:
        return "board support (fw/)"
    if obj in ("custom_transport.o", "ct_firmware.o"):
        m = re.match(r"^\.(?:text|rodata|data|bss)\.([^.]+)", section)
        sym = m.group(1) if m else ""
        return ("example app (custom_transport.c)" if sym in EXAMPLE_SYMS
                else "certstream.h")
    return obj


def br_dirs(srcdir):
    where = {}
    for root, _, files in os.walk(os.path.join(srcdir, "src")):
        for f in files:
            if f.endswith(".c"):
                where[f[:-2] + ".o"] = os.path.basename(root)
    return where


# ---- symbols ---------------------------------------------------------------

def nm_sizes(path):
    sizes = {}
    for line in run("arm-none-eabi-nm", "-S", "--defined-only", path).split("\n"):
        p = line.split()
        if len(p) == 4:
            sizes[p[3]] = int(p[1], 16)
    return sizes


def nm_undefined(path):
    return sorted(l.split()[-1] for l in
                  run("arm-none-eabi-nm", "-u", path).split("\n") if l.strip())


# ---- stack -------------------------------------------------------------------

def read_su(paths):
    """{(object basename, function): bytes} from .su files."""
    su = {}
    for path in paths:
        obj = os.path.basename(path)[:-3] + ".o"
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) < 2:
                    continue
                name = p[0].rsplit(":", 1)[-1]
                su[(obj, strip_clone(name))] = int(p[1])
    return su


BRANCH = re.compile(r"^b(eq|ne|cs|cc|hs|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?"
                    r"(\.w|\.n)?$")


def disassemble(elf):
    """{addr: {name, insns}} for every function the disassembly shows."""
    funcs = {}
    cur = None
    text = run("arm-none-eabi-objdump", "-d", "--no-show-raw-insn", elf)
    for line in text.split("\n"):
        m = re.match(r"^([0-9a-f]{8}) <(.+)>:$", line)
        if m:
            cur = {"name": m.group(2), "addr": int(m.group(1), 16),
                   "insns": []}
            funcs[cur["addr"]] = cur
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if m and cur is not None:
            cur["insns"].append((int(m.group(1), 16), m.group(2),
                                 m.group(3)))
    return funcs


def prologue_frame(insns):
    """Bytes a function pushes and reserves, read from its first
    instructions (for code without .su: newlib, libgcc)."""
    total = 0
    for _, op, args in insns[:16]:
        if op in ("push", "push.w", "stmdb", "stmdb.w") and \
                (op.startswith("push") or args.startswith("sp!")):
            regs = re.search(r"\{(.*)\}", args)
            if regs:
                n = 0
                for r in regs.group(1).split(","):
                    r = r.strip()
                    m = re.match(r"r(\d+)-r(\d+)", r)
                    n += int(m.group(2)) - int(m.group(1)) + 1 if m else 1
                total += 4 * n
        elif op.startswith("vpush"):
            regs = re.search(r"\{(.*)\}", args)
            if regs:
                total += 8 * len(regs.group(1).split(","))
        elif op in ("sub", "sub.w", "subw", "subs") and \
                re.match(r"sp,\s*(sp,\s*)?#", args):
            total += int(re.search(r"#(\d+)", args).group(1))
    return total


def address_taken(elf, starts):
    """Function addresses that appear as a word in code or data."""
    taken = set()
    thumb = {a | 1: a for a in starts}
    dump = run("arm-none-eabi-objdump", "-s", "-j", ".text", "-j", ".rodata",
               "-j", ".data", elf)
    for line in dump.split("\n"):
        # " 8000100 4ff0e92d 00000000 ...  ascii": address, up to 16 bytes
        words = line.split("  ")[0].split()
        if len(words) < 2 or not line.startswith(" ") or \
                not all(re.fullmatch(r"[0-9a-f]+", w) for w in words):
            continue
        base = int(words[0], 16)
        data = bytes.fromhex("".join(words[1:]))
        for i in range((-base) % 4, len(data) - 3, 4):
            w = int.from_bytes(data[i:i + 4], "little")
            if w in thumb:
                taken.add(thumb[w])
    return taken


# Indirect calls: which kinds of address-taken function each caller can
# reach (read from the code: vtables and callbacks). First match wins; an
# indirect caller that matches no rule is reported as unresolved.
KINDS = [
    ("hash", r"^br_(sha\d+|sha1|md5|md5sha1)_"),
    ("prf", r"^br_tls1\d_sha\d+_prf$"),
    ("prng", r"^br_hmac_drbg_"),
    ("ec", r"^ec_all_m15\.o:api_"),             # br_ec_all_m15: dispatch
    ("eccurve", r":api_"),                     # ... to one curve's code
    ("ecdsa", r"^br_ecdsa_"),
    ("rsa", r"^br_rsa_"),
    ("x509", r"^(xm_|kk_|cs__any_)"),
    ("hs", r"^br_ssl_hs_client_"),
    ("rec", r"^(chapol|gcm|clear|cbc|ccm)_|^(in|out)_(chapol|gcm|cbc|ccm)_"),
    ("sym", r"^br_(chacha20|poly1305|aes|ghash)_"),
    ("pemcb", r"^cs__pem_(der|dn)$"),
    ("tls", r"^cs__tls_"),
    ("link", r"^link_"),
    ("entropy", r":(rng|unix_time)$"),        # cs_tls: random, clock
    ("event", r":on_event$"),
    ("stdio", r"^(__s(read|write|seek|close|fputs_r)|_fflush_r|_cleanup_r"
              r"|__fp_(un)?lock)$"),
]
CALLERS = [
    (r"^ec_all_m15\.o:api_", ["eccurve"]),    # ec_all_m15 -> one curve
    (r"^br_ecdsa_", ["ec", "hash"]),
    (r"^br_(hmac|multihash)_|^hash_dn$|^process_key$", ["hash"]),
    (r"^br_hmac_drbg_|^br_ssl_engine_init_rand$", ["hash", "prng"]),
    (r"^(br_ssl_engine_compute_master|compute_key_block)$", ["prf"]),
    (r"^br_pem_decoder_run$|^br_x509_decoder_run$", ["pemcb"]),
    (r"^br_poly1305_|^do_(ctr|tag)$|^gen_(chapol_process|gcm_init)$",
     ["sym"]),
    (r"^br_ssl_engine_(hs_reset|recvrec_ack)$|^jump_handshake$",
     ["hs", "rec"]),
    (r"^br_ssl_engine_switch_|^make_ready_out$|^sendpld_flush$", ["rec"]),
    (r"^br_ssl_hs_client_run$", ["x509", "ec", "ecdsa", "rsa", "hash",
                                 "prf", "prng", "rec"]),
    (r"^br_x509_minimal_run$|^verify_signature$", ["hash", "rsa", "ecdsa"]),
    (r":cs__tls_", ["link", "entropy"]),       # TLS runs over the link
    (r":cs_client_stop$", []),                 # wake: the POSIX loop's
    (r":cs__next$", ["entropy", "event"]),     # backoff jitter, CS_EV_RETRY
    (r":cs__emit$", ["event"]),
    (r":cs_|:cs__", ["tls", "link", "entropy", "event"]),  # the client
    (r"^(__sflush_r|__sfvwrite_r|_fwalk|_fwalk_reent|_printf_common"
     r"|_printf_i)$", ["stdio"]),
]


def kind_of(name):
    """name: 'object.o:function'."""
    for kind, rx in KINDS:
        if re.search(rx.replace("^", ":", 1) if rx.startswith("^") and
                     ":" not in rx else rx, name):
            return kind
    return None


def allowed_kinds(name):
    """name: 'object.o:function'."""
    for rx, kinds in CALLERS:
        if re.search(rx.replace("^", ":") if ":" not in rx else rx, name):
            return kinds
    return None


def stack_estimate(elf, items, su, part_by_addr):
    funcs = disassemble(elf)
    starts = sorted(funcs)
    ends = {}
    for i, a in enumerate(starts):
        ends[a] = starts[i + 1] if i + 1 < len(starts) else a + 0x100000
    # Each function's object, from the map's input sections.
    sec = sorted((it[2], it[2] + it[3], it[4]) for it in items
                 if it[0] in (".text", ".isr_vector") and it[3] > 0)
    import bisect
    sec_starts = [s[0] for s in sec]

    def obj_at(addr):
        i = bisect.bisect_right(sec_starts, addr) - 1
        if i >= 0 and sec[i][0] <= addr < sec[i][1]:
            return sec[i][2]
        return ""

    info = {}
    for a, f in funcs.items():
        file = obj_at(a)
        _, obj = objname(file) if file else ("", "")
        name = f["name"]
        frame = su.get((obj, strip_clone(name)))
        src = "su"
        if frame is None:
            frame = prologue_frame(f["insns"])
            src = "prologue"
        calls, tails, indirect = set(), set(), 0
        for addr, op, args in f["insns"]:
            t = re.match(r"^([0-9a-f]+)\s+<", args)
            if op in ("bl", "blx") and t:
                calls.add(int(t.group(1), 16))
            elif op == "blx" or (op == "bx" and args.strip() != "lr"):
                indirect += 1
            elif BRANCH.match(op) and t:
                dst = int(t.group(1), 16)
                if not (a <= dst < ends[a]) and dst in funcs:
                    tails.add(dst)
        info[a] = {"name": name, "obj": obj, "frame": frame, "src": src, "calls": calls,
                   "tails": tails, "indirect": indirect,
                   "part": part_by_addr(file, name)}
    taken = address_taken(elf, starts)
    by_kind = collections.defaultdict(list)
    untyped = []
    for a in taken:
        if a in info and info[a]["name"] not in VECTORS:
            k = kind_of(info[a]["obj"] + ":" + strip_clone(info[a]["name"]))
            if k:
                by_kind[k].append(a)
            else:
                untyped.append(info[a]["name"])

    memo = {}
    onpath = set()
    cycles = []
    unresolved = set()

    def depth(a):
        """(bytes, path) of the deepest chain starting in a."""
        if a in memo:
            return memo[a]
        if a in onpath:
            cycles.append(info[a]["name"])
            return (0, [])
        onpath.add(a)
        f = info[a]
        best_call = (0, [])
        callees = set(f["calls"])
        if f["indirect"]:
            kinds = allowed_kinds(f["obj"] + ":" + strip_clone(f["name"]))
            if kinds is None:
                unresolved.add(f["name"])
            for k in kinds or []:
                callees |= set(by_kind.get(k, []))
        for c in callees:
            if c in info and c != a:
                d = depth(c)
                if d[0] > best_call[0]:
                    best_call = d
        best = (f["frame"] + best_call[0], [a] + best_call[1])
        for c in f["tails"]:
            if c in info and c != a:
                d = depth(c)
                if d[0] > best[0]:
                    best = (d[0], [a] + d[1])
        onpath.discard(a)
        memo[a] = best
        return best

    by_name = {f["name"]: a for a, f in info.items()}
    main = depth(by_name["Reset_Handler"])
    irq = max((depth(by_name[n]) for n in ("SysTick_Handler",
                                          "USART1_IRQHandler")),
              key=lambda d: d[0])
    # The usual deepest moment: the handshake's certificate check, run
    # from cs_client_step's read.
    # (cs_ct_step in direct mode)
    step = "cs_client_step" if "cs_client_step" in by_name else "cs_ct_step"
    hs = (sum(info[by_name[n]]["frame"] for n in
              ("Reset_Handler", "main", step))
          + depth(by_name["cs__tls_read"])[0]) \
        if "cs__tls_read" in by_name and step in by_name else 0
    return info, main, irq, hs, cycles, (by_kind, untyped, sorted(unresolved))


# ---- the report ----------------------------------------------------------

def fmt(n):
    return f"{n:,}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elf", required=True)
    ap.add_argument("--map", required=True)
    ap.add_argument("--objdir", required=True)
    ap.add_argument("--bearssl", required=True)
    ap.add_argument("--bearssl-src", required=True)
    ap.add_argument("--flags", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    lines = []

    def say(s=""):
        lines.append(s)

    size = run("arm-none-eabi-size", a.elf).split("\n")[1].split()
    text, data, bss = int(size[0]), int(size[1]), int(size[2])
    items = parse_map(a.map)

    flash = collections.Counter()
    ram = collections.Counter()
    brflash = collections.Counter()
    objflash = collections.Counter()
    brdir = br_dirs(a.bearssl_src)
    for out, sec, _, n, file in items:
        part = part_of(file, sec)
        if out in FLASH_SECTIONS:
            flash[part] += n
            objflash[(part, objname(file)[1])] += n
            if part == "BearSSL":
                brflash[brdir.get(objname(file)[1], "?")] += n
        if out in RAM_SECTIONS:
            ram[part] += n
    total_flash = sum(flash.values())
    total_ram = sum(ram.values())

    say("== certstream.h firmware build: STM32F412ZG (Cortex-M4, "
        "1 MiB flash, 256 KiB RAM)")
    say(f"   text {fmt(text)}  data {fmt(data)}  bss {fmt(bss)}")
    say(f"   flash = text + data = {fmt(text + data)} bytes "
        f"({(text + data) / 1024:.1f} KiB)")
    say(f"   static RAM = data + bss = {fmt(data + bss)} bytes "
        f"({(data + bss) / 1024:.1f} KiB)")
    if total_flash != text + data or total_ram != data + bss:
        say(f"   (the map sums to flash {fmt(total_flash)}, RAM "
            f"{fmt(total_ram)}: the difference is unattributed)")
    say()
    say(f"   {'part':38} {'flash':>9} {'':>6} {'RAM':>9}")
    for part, n in sorted(flash.items(), key=lambda kv: -kv[1]):
        if n == 0 and ram.get(part, 0) == 0:
            continue
        say(f"   {part:38} {fmt(n):>9} {100 * n / total_flash:5.1f}% "
            f"{fmt(ram.get(part, 0)):>9}")
    for part in ram:
        if part not in flash:
            say(f"   {part:38} {'0':>9} {'':>6} {fmt(ram[part]):>9}")
    say(f"   {'total':38} {fmt(total_flash):>9} {'':>6} {fmt(total_ram):>9}")
    cs = collections.Counter()
    for out, sec, _, n, file in items:
        if out in FLASH_SECTIONS and part_of(file, sec) == "certstream.h":
            m = re.match(r"^\.(?:text|rodata|data)\.([^.]+)", sec)
            k = m.group(1) if m else "str1"
            cs["strings" if k.startswith("str1") else k] += n
    say()
    say("   certstream.h's largest pieces: " + ", ".join(
        f"{k} {fmt(n)}" for k, n in cs.most_common(10)))
    say()
    say("   BearSSL's flash by source folder:")
    for d, n in sorted(brflash.items(), key=lambda kv: -kv[1]):
        say(f"     {BR_PARTS.get(d, d):36} {fmt(n):>9}")

    # RAM: the two big objects the example allocates.
    syms = nm_sizes(a.elf)
    probe = nm_sizes(os.path.join(a.objdir, "sizes.o"))
    say()
    say("   static RAM, the big items:")
    def row(label, n):
        say(f"     {label:40} {fmt(n):>9}")
    if "follower" in syms:            # direct mode (ct_firmware.c)
        row("cs_ct_follower follower (the whole follower)",
            syms["follower"])
        row("mem[] (gzip window, domains, entry)", syms.get("mem", 0))
        row("everything else", data + bss - syms["follower"]
            - syms.get("mem", 0))
        say(f"   sizeof(cs_ct_follower) on the target: "
            f"{fmt(syms['follower'])} bytes")
    else:
        row("cs_client client (the whole client)", syms.get("client", 0))
        for k in ("cs_tls", "br_ssl_client_context", "br_x509_minimal_context",
                  "cs_json", "cs_hs", "cs_ws", "cs_url", "cs_config"):
            row(f"  sizeof({k})", probe.get("fw_sizeof_" + k, 0))
        say("       (inside cs_client: cs_tls = the TLS record buffer "
            f"{fmt(16709)} + the two BearSSL contexts; cs_hs and cs_json "
            "share a union)")
        row("names[] (domain storage, the app's)", syms.get("names", 0))
        rest = data + bss - syms.get("client", 0) - syms.get("names", 0)
        row("everything else", rest)
        say(f"   sizeof(cs_client) on the target: "
            f"{fmt(probe.get('fw_sizeof_cs_client', 0))} bytes")

    # What the pieces pull in.
    say()
    impl_u = nm_undefined(os.path.join(a.objdir, "sizes.o"))
    say("   certstream.h (implementation, NO_POSIX, NO_CT) needs from "
        "outside:")
    say("     BearSSL: " + str(len([s for s in impl_u if s.startswith("br_")]))
        + " functions/tables")
    say("     libc:    " + " ".join(s for s in impl_u
                                    if not s.startswith(("br_", "__aeabi"))))
    say("     libgcc:  " + " ".join(s for s in impl_u
                                    if s.startswith("__aeabi")))
    libs = collections.defaultdict(list)
    for (part, obj), n in objflash.items():
        if part in ("newlib-nano (libc)", "libgcc"):
            libs[part].append((obj, n))
    for part in ("newlib-nano (libc)", "libgcc"):
        objs = sorted(libs.get(part, []), key=lambda x: -x[1])
        say(f"   {part} objects linked ({len(objs)}): " +
            ", ".join(f"{re.sub(r'^lib_a-', '', o)[:-2]} {n}" for o, n in objs))

    # Stack.
    su_files = [os.path.join(a.objdir, f) for f in os.listdir(a.objdir)
                if f.endswith(".su")]
    brobj = os.path.join(a.bearssl, "obj")
    su_files += [os.path.join(brobj, f) for f in os.listdir(brobj)
                 if f.endswith(".su")]
    su = read_su(su_files)
    info, mainc, irq, hs, cycles, (kinds, untyped, unresolved) = stack_estimate(
        a.elf, items, su, lambda file, name: part_of(
            file, ".text." + name) if file else "?")
    total = mainc[0] + irq[0] + 32
    helpers = {a: f["name"] for a, f in info.items()
               if f["part"] == "libgcc" and f["name"].startswith("__aeabi")}
    for addr, h in sorted(helpers.items(), key=lambda kv: kv[1]):
        users = sorted(f["name"] for f in info.values()
                       if addr in f["calls"] | f["tails"])
        if users:
            say(f"   {h} (libgcc) is called by: " + " ".join(users))
    say()
    say(f"   stack, static worst case: {fmt(total)} bytes = main chain "
        f"{fmt(mainc[0])} + interrupt {fmt(irq[0])} + exception frame 32")
    say("   (indirect calls: resolved by kind of target, see report.py; "
        + ", ".join(f"{k} {len(v)}" for k, v in sorted(kinds.items())) + ")")
    if untyped:
        say("   address-taken, of no kind (never reached indirectly here): "
            + " ".join(sorted(set(untyped))))
    if unresolved:
        say("   indirect calls left unresolved in: " + " ".join(unresolved))
    say("   the deepest chain (frame, running total):")
    run_total = 0
    for addr in mainc[1]:
        f = info[addr]
        run_total += f["frame"]
        if f["frame"] or addr == mainc[1][-1]:
            say(f"     {f['name'][:44]:44} {f['frame']:>6} {run_total:>7}"
                f"  {f['part']}")
    say(f"   the handshake from the step's read (certificate check): "
        f"{fmt(hs)} + interrupt {fmt(irq[0] + 32)} = {fmt(hs + irq[0] + 32)}")
    if cycles:
        say("   cycles cut (recursion?): " + ", ".join(sorted(set(cycles))))
    big = sorted(info.values(), key=lambda f: -f["frame"])[:10]
    say("   largest frames: " + ", ".join(f"{f['name']} {f['frame']}"
                                         for f in big))
    say()
    if a.flags:
        say("   flags: " + a.flags)

    text_out = "\n".join(lines) + "\n"
    sys.stdout.write(text_out)
    with open(a.out, "w") as f:
        f.write(text_out)


if __name__ == "__main__":
    main()
