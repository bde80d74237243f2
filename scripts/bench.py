#!/usr/bin/env python3
"""The benchmark driver of scripts/bench, run inside the benchmark's network
namespace (host1.example.test, BIND 9 on ::1): times our wrapper, PyDynDNS
1.2.1 and a dig + nsupdate script, alternating them (A B A B ...) so that
drift in the machine cancels out, with each process's peak RSS from wait4,
and callgrind's instruction counts for the no-change path."""

import glob
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

TOP, WORK, RUNS = sys.argv[1], sys.argv[2], int(sys.argv[3])
# A baseline build (scripts/bench RUNS REV): its stages and wrapper, and its name.
BASE = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
BASE_NAME = f"pydyndns ({sys.argv[5]})" if BASE else None
BASE_CONF = os.path.join(WORK, "base.conf")
BASE_CACHE = os.path.join(WORK, "base.cache")
REL = os.path.join(TOP, "target", "bench-bin")  # `make build`'s programs, as the package ships them
WRAPPER = os.path.join(REL, "pydyndns")  # scripts/pydyndns, copied beside the stages
PYDYNDNS = os.path.join(WORK, "venv", "bin", "pydyndns")
OURS_CONF = os.path.join(WORK, "ours.conf")
PY_CONF = os.path.join(WORK, "py.conf")
OURS_CACHE = os.path.join(WORK, "ours.cache")
PTR_CONF = os.path.join(WORK, "ptr.conf")  # ours with "ptr": true
PTR_CACHE = os.path.join(WORK, "ptr.cache")
PY_CACHE = os.path.join(WORK, "py.cache")
TLS_CONF = os.path.join(WORK, "tls.conf")  # ours with "transport": "tls"
TLS_CACHE = os.path.join(WORK, "tls.cache")
# Runs without a cache lock in $RUNTIME_DIRECTORY: the benchmark's own
# directory, never the machine's /run/pydyndns.
ENV = dict(os.environ, PATH=REL + ":" + os.environ["PATH"], RUNTIME_DIRECTORY=WORK)
ENV.pop("RUST_LOG", None)


def run(cmd, stdin=b"", check=True):
    """Runs cmd; returns (seconds, stdout, stderr, status)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    out, err = p.communicate(stdin)
    elapsed = time.perf_counter() - start
    if check and p.returncode != 0:
        sys.exit(f"bench: {cmd} exited {p.returncode}: {err.decode()}")
    return elapsed, out, err, p.returncode


def peak_rss(cmd, stdin=b"", before=None):
    """Peak RSS (KiB) of cmd and its descendants, as /usr/bin/time -f %M
    reports it: the median of 11 runs, since one varies by 100 KiB or more.
    `before` runs ahead of each (to remove a cache, say)."""
    def once():
        if before:
            before(None)
        r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, input=stdin, capture_output=True, env=ENV)
        return int(r.stderr.decode().strip().splitlines()[-1])
    return int(statistics.median(once() for _ in range(11)))


def ms(xs):
    return statistics.median(xs) * 1000, min(xs) * 1000, max(xs) * 1000


def alternate(commands, before=None):
    """Runs each (name, cmd, stdin) RUNS times, alternating, in a new
    order each round; returns {name: [seconds]}."""
    times = {name: [] for name, _, _ in commands}
    for name, cmd, stdin in commands:  # warm-up: caches, the page cache
        if before:
            before(name)
        run(cmd, stdin)
    order = list(commands)
    shuffle = random.Random(RUNS).shuffle
    for _ in range(RUNS):
        # A new order each round: the contender run just after PyDynDNS
        # (which evicts the CPU's caches) pays for it, about 0.3 to 0.5 ms,
        # and in a fixed (or rotated) order that is always the same one.
        shuffle(order)
        for name, cmd, stdin in order:
            if before:
                before(name)
            t, _, _, _ = run(cmd, stdin)
            times[name].append(t)
    return times


def table(title, times, rss, base):
    print(f"\n### {title}\n")
    print("| command | median ms | min ms | max ms | × vs " + base + " | peak RSS KiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    base_median = statistics.median(times[base])
    for name, xs in times.items():
        med, lo, hi = ms(xs)
        ratio = statistics.median(xs) / base_median
        print(f"| {name} | {med:.2f} | {lo:.2f} | {hi:.2f} | {ratio:.2f} | {rss.get(name, '')} |")


def callgrind(cmd):
    """Instructions executed by cmd and every process it starts. A
    process that execs another keeps its ID, so what it ran before is
    dumped at execve (cg.PID.N), or the program after it would overwrite
    it (a forked shell that becomes a stage); and before each fork and vfork (Python's subprocess), or the
    child, which starts with a copy of the parent's counts, would count
    them again."""
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes",
                        "--dump-before=execve", "--dump-before=fork", "--dump-before=vfork",
                        f"--callgrind-out-file={d}/cg.%p"] + cmd,
                       capture_output=True, env=ENV, check=True)
        total, per = 0, []
        for f in glob.glob(f"{d}/cg.*"):
            with open(f) as fh:
                text = fh.read()
            cmdline = next((l[5:].strip() for l in text.splitlines() if l.startswith("cmd: ")), "?")
            n = next((int(l.split()[1]) for l in text.splitlines() if l.startswith("summary:") or l.startswith("totals:")), 0)
            total += n
            per.append((n, cmdline))
        return total, sorted(per, reverse=True)


def main():
    ours = [WRAPPER, "-c", OURS_CONF, "eth0"]
    py = [PYDYNDNS, "-c", PY_CONF, "eth0"]
    script = ["sh", os.path.join(TOP, "scripts", "nsupdate-register.sh"), "eth0"]
    base = [os.path.join(BASE, "pydyndns"), "-c", BASE_CONF, "eth0"] if BASE else None
    wrappers = [("pydyndns (ours)", ours, b"")] + ([(BASE_NAME, base, b"")] if BASE else [])
    for _, cmd, _ in wrappers:
        run(cmd)
    run(py)

    print(f"Runs: {RUNS} of each, alternating. Times in milliseconds, wall clock.")
    # 1. Nothing changed: every cache current; and ours comparing live with
    # the primary instead (a zone lookup and one query, no update).
    live = ("pydyndns --live (ours)", [WRAPPER, "-c", OURS_CONF, "--live", "eth0"], b"")
    ptr = ("pydyndns, \"ptr\": true (ours)", [WRAPPER, "-c", PTR_CONF, "eth0"], b"")
    tls = ("pydyndns, \"transport\": \"tls\" (ours)", [WRAPPER, "-c", TLS_CONF, "eth0"], b"")
    # The same with "metrics": the textfile read and rewritten each run.
    metrics_conf = os.path.join(WORK, "metrics.conf")
    with open(OURS_CONF) as fh:
        doc = json.load(fh)
    doc["metrics"] = os.path.join(WORK, "dyndns.prom")
    with open(metrics_conf, "w") as fh:
        json.dump(doc, fh)
    metrics = ("pydyndns, \"metrics\" (ours)", [WRAPPER, "-c", metrics_conf, "eth0"], b"")
    run(metrics[1])
    # The same with "sshfp": three host keys read and hashed each run.
    keys = os.path.join(WORK, "ssh")
    os.makedirs(keys, exist_ok=True)
    for kind in ("ed25519", "ecdsa", "rsa"):
        key = os.path.join(keys, f"ssh_host_{kind}_key")
        if not os.path.exists(key):
            subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", key], check=True)
    sshfp_conf = os.path.join(WORK, "sshfp.conf")
    with open(OURS_CONF) as fh:
        doc = json.load(fh)
    doc["sshfp"] = {"keys": os.path.join(keys, "ssh_host_*_key.pub")}
    doc["cache"] = os.path.join(WORK, "sshfp.cache")
    with open(sshfp_conf, "w") as fh:
        json.dump(doc, fh)
    sshfp = ("pydyndns, \"sshfp\" (ours)", [WRAPPER, "-c", sshfp_conf, "eth0"], b"")
    run(sshfp[1])
    run(live[1])
    run(ptr[1])
    run(tls[1])
    nochange = alternate(wrappers + [metrics, sshfp, ptr, tls, live, ("PyDynDNS 1.2.1", py, b"")])
    rss = {name: peak_rss(cmd) for name, cmd, _ in wrappers + [metrics, sshfp, ptr, tls, live]}
    rss["PyDynDNS 1.2.1"] = peak_rss(py)
    table("No change (cache current)", nochange, rss, "pydyndns (ours)")

    # 2. An update each run: caches removed first.
    def drop(name):
        for f in (OURS_CACHE, PY_CACHE, BASE_CACHE, PTR_CACHE, TLS_CACHE):
            if os.path.exists(f):
                os.remove(f)

    update = alternate(wrappers + [ptr, tls, ("PyDynDNS 1.2.1", py, b""), ("dig + nsupdate script", script, b"")], before=drop)
    rss = {name: peak_rss(cmd, before=drop) for name, cmd, _ in wrappers + [ptr, tls]}
    rss["PyDynDNS 1.2.1"] = peak_rss(py, before=drop)
    rss["dig + nsupdate script"] = peak_rss(script)
    table("Update (cache removed)", update, rss, "pydyndns (ours)")

    # 3. Each stage alone.
    _, state, _, _ = run([os.path.join(REL, "dyndns-addrs"), "-c", OURS_CONF, "eth0"])
    nocache = os.path.join(WORK, "nocache.conf")
    with open(nocache, "w") as fh:
        json.dump({"ttl": 300}, fh)
    _, located, _, _ = run([os.path.join(REL, "dyndns-soa"), "-c", nocache], state)
    run([WRAPPER, "-c", OURS_CONF, "eth0"])  # the cache current again

    def each_stage(rel, suffix):
        return [
            ("dyndns-addrs" + suffix, [os.path.join(rel, "dyndns-addrs"), "-c", OURS_CONF, "eth0"], b""),
            ("dyndns-diff (same)" + suffix, [os.path.join(rel, "dyndns-diff"), "-c", OURS_CONF], state),
            ("dyndns-soa" + suffix, [os.path.join(rel, "dyndns-soa"), "-c", nocache], state),
            ("dyndns-send" + suffix, [os.path.join(rel, "dyndns-send"), "-c", nocache], located),
        ]

    def over_tls(stages):
        # dyndns-send over DNS over TLS.
        conf = os.path.join(WORK, "tls-nocache.conf")
        with open(conf, "w") as fh:
            json.dump({"ttl": 300, "transport": "tls", "tls": {"ca": os.path.join(WORK, "tls", "ca.crt"), "name": "ns1.example.test"}}, fh)
        return stages + [("dyndns-send over TLS", [os.path.join(REL, "dyndns-send"), "-c", conf], located)]

    stages = each_stage(REL, "")
    times = {}
    if BASE:
        # Each stage beside the baseline's, alternating.
        before = each_stage(BASE, f" ({sys.argv[5]})")
        for now, then in zip(stages, before):
            times.update(alternate([now, then]))
        stages = [s for pair in zip(stages, before) for s in pair]
    else:
        for name, cmd, stdin in stages:
            times.update(alternate([(name, cmd, stdin)]))
    # The wrapper's every-minute process.
    combined = [os.path.join(REL, "dyndns-addrs"), "-c", OURS_CONF, "--diff", "eth0"]
    more_stages = over_tls([("dyndns-addrs --diff (same)", combined, b"")])
    for name, cmd, stdin in more_stages:
        times.update(alternate([(name, cmd, stdin)]))
    stages += more_stages
    rss = {name: peak_rss(cmd, stdin) for name, cmd, stdin in stages}
    table("Each stage alone", times, rss, "dyndns-addrs")
    # The same, for a host whose kernel host name is already fully qualified
    # (no resolver lookup): in a UTS namespace of its own.
    fqdn = ["unshare", "--uts", "--", "sh", "-c", 'hostname host1.example.test && exec "$@"', "sh"] + stages[0][1]
    print(f"\nPeak RSS of dyndns-addrs when the host name is already fully qualified: {peak_rss(fqdn)} KiB "
          "(the largest of unshare, sh and dyndns-addrs).")

    # 4. Instructions on the no-change path (stable on a noisy machine).
    print("\n### Instructions, no-change run (callgrind, every process)\n")
    ours_total, ours_per = callgrind(ours)
    py_total, _ = callgrind(py)
    print("| command | instructions | × vs ours |")
    print("| --- | ---: | ---: |")
    print(f"| pydyndns (ours) | {ours_total:,} | 1.00 |")
    if BASE:
        run(base)  # its cache current too: a no-change run
        base_total, _ = callgrind(base)
        print(f"| {BASE_NAME} | {base_total:,} | {base_total / ours_total:.2f} |")
    print(f"| PyDynDNS 1.2.1 | {py_total:,} | {py_total / ours_total:.1f} |")
    print("\nOurs, by process:\n")
    for n, cmdline in ours_per:
        print(f"- {n:,}: `{cmdline}`")

    # 5. Watching: from an address added to the primary serving it.
    watch_section()
    # 5b. The reaper's list of a large zone.
    reap_section()

    # 6. Scaling with the number of addresses on the interface.
    print("\n### Scaling: addresses on eth0\n")
    print("| addresses | dyndns-addrs median ms | dyndns-send median ms | update message octets |")
    print("| ---: | ---: | ---: | ---: |")
    subprocess.run(["ip", "-6", "addr", "flush", "dev", "eth0", "scope", "global"], check=True)
    have = 0
    addrs = [os.path.join(REL, "dyndns-addrs"), "-c", nocache, "eth0"]
    for n in (1, 10, 100, 1000, 3000):
        with tempfile.NamedTemporaryFile("w", delete=False) as batch:
            for i in range(have, n):
                batch.write(f"addr add 2001:db8:40::{i + 1:x}/64 dev eth0 nodad\n")
        subprocess.run(["ip", "-batch", batch.name], check=True)
        os.unlink(batch.name)
        have = n
        _, state, _, _ = run(addrs)
        send = [os.path.join(REL, "dyndns-send"), "-c", nocache, "--zone", "example.test", "--server", "::1"]
        _, _, err, status = run(send + ["-v"], state, check=False)
        if status != 0:
            message = err.decode().strip().splitlines()[-1]
            print(f"| {n} | {ms(alternate([('a', addrs, b'')])['a'])[0]:.2f} | refused, exit {status} | `{message}` |")
            continue
        size = next(l.split()[-2] for l in err.decode().splitlines() if "the update message is" in l)
        t_addrs = alternate([("a", addrs, b"")])["a"]
        t_send = alternate([("s", send, state)])["s"]
        print(f"| {n} | {ms(t_addrs)[0]:.2f} | {ms(t_send)[0]:.2f} | {size} |")


def served(addr):
    """Whether the primary serves addr at host1.example.test."""
    out = subprocess.run(["dig", "+short", "+time=1", "+tries=1", "@::1", "host1.example.test", "AAAA"],
                         capture_output=True).stdout.decode()
    return addr in out.split()


def until(pred, limit=30.0):
    start = time.perf_counter()
    while not pred():
        if time.perf_counter() - start > limit:
            sys.exit("bench: the watcher did not register the address in time")
        time.sleep(0.005)
    return time.perf_counter() - start


def watch_section():
    """pydyndns --watch: latency, with DAD off and on, and its idle cost."""
    print("\n### Watching: an address added until the primary serves it\n")
    # Forty changes in a minute or so: past the default rate limit (6 runs
    # a minute, "watch": {"max_updates_per_minute"}), which would measure
    # the limit, not how fast one change is followed. Raised here.
    conf = os.path.join(WORK, "watch.conf")
    with open(OURS_CONF) as fh:
        doc = json.load(fh)
    doc["watch"] = {"max_updates_per_minute": 600}
    with open(conf, "w") as fh:
        json.dump(doc, fh)
    watcher = subprocess.Popen([WRAPPER, "-c", conf, "--watch", "eth0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    time.sleep(1.0)
    rows = []
    for dad, flag in (("off (nodad)", ["nodad"]), ("on (one probe, 1 s)", [])):
        times = []
        for i in range(10):
            addr = f"2001:db8:30::{i + 1:x}"
            subprocess.run(["ip", "addr", "add", f"{addr}/64", "dev", "eth0"] + flag, check=True)
            times.append(until(lambda: served(addr)))
            subprocess.run(["ip", "addr", "del", f"{addr}/64", "dev", "eth0"], check=True)
            until(lambda: not served(addr))
        rows.append((dad, times))
    print("| DAD | runs | median ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    for dad, times in rows:
        print(f"| {dad} | {len(times)} | {statistics.median(times) * 1000:.0f} | {max(times) * 1000:.0f} |")
    print("| cron, every minute (expected) | | 30000 | 60000 |")
    # Idle: CPU time over a quiet minute, and the peak RSS (the wrapper
    # execs dyndns-watch: one process waits).
    def cpu(pid):
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    before = cpu(watcher.pid)
    time.sleep(60)
    idle = cpu(watcher.pid) - before
    hwm = next(l.split()[1] for l in open(f"/proc/{watcher.pid}/status") if l.startswith("VmHWM"))
    watcher.terminate()
    watcher.wait(timeout=5)
    print(f"\nIdle for 60 s: {idle:.2f} s of CPU; the waiting watcher's peak RSS {hwm} KiB "
          "(each run of the pipeline is a process of its own).")


def reap_section():
    """dyndns-reap --list on a zone of 10,000 names with a lease marker
    each, 1,000 of them expired, read by AXFR signed with a TSIG key (every
    message's MAC verified) from a second named of its own on [::1]:5300."""
    d = os.path.join(WORK, "reap")
    os.makedirs(d, exist_ok=True)
    key = os.path.join(d, "reaper.key")
    with open(key, "wb") as fh:
        fh.write(subprocess.run(["tsig-keygen", "-a", "hmac-sha256", "reaper"], capture_output=True, check=True).stdout)
    os.chmod(key, 0o600)
    with open(os.path.join(d, "reap.test.db"), "w") as fh:
        fh.write("$TTL 300\n@ IN SOA ns1.reap.test. hostmaster.reap.test. 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN AAAA ::1\n")
        for i in range(10000):
            when = "2020-01-01T00:00:00Z" if i % 10 == 0 else "2099-01-01T00:00:00Z"
            fh.write(f"h{i} IN AAAA 2001:db8:40::{i:x}\nh{i} IN TXT \"dyndns-lease expires={when}\"\n")
    with open(os.path.join(d, "named.conf"), "w") as fh:
        fh.write(f'''options {{ directory "{d}"; pid-file none; session-keyfile "{d}/session.key";
  managed-keys-directory "{d}"; listen-on {{ none; }}; listen-on-v6 port 5300 {{ ::1; }};
  recursion no; dnssec-validation no; notify no; }};
controls {{ }};
include "{key}";
zone "reap.test" {{ type primary; file "reap.test.db"; allow-transfer {{ key reaper; }}; }};
''')
    named = subprocess.Popen(["named", "-g", "-n", "1", "-c", os.path.join(d, "named.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until(lambda: subprocess.run(["dig", "+short", "+time=1", "+tries=1", "-p", "5300", "@::1", "reap.test", "SOA"],
                                     capture_output=True).stdout.strip() != b"")
        reap = [os.path.join(REL, "dyndns-reap"), "-k", key, "-s", "::1", "-p", "5300", "--grace", "0", "--list", "reap.test"]
        dig = ["dig", "-k", key, "-p", "5300", "@::1", "reap.test", "AXFR", "+noall", "+answer"]
        _, out, _, _ = run(reap)
        listed = len(out.splitlines())
        if listed != 1000:
            sys.exit(f"bench: dyndns-reap --list listed {listed} names, not 1000")
        times = alternate([("dyndns-reap --list", reap, b""), ("dig AXFR (the transfer alone)", dig, b"")])
        rss = {"dyndns-reap --list": peak_rss(reap), "dig AXFR (the transfer alone)": peak_rss(dig)}
        table("dyndns-reap --list: 10,000 names, 1,000 expired, AXFR signed with TSIG", times, rss,
              "dyndns-reap --list")
    finally:
        named.terminate()
        named.wait()


def storm_section(n, named_pid):
    """N registrations of distinct names against the world's BIND, all
    started within one second: N dyndns-send processes each fed a state
    (with its zone and server, as dyndns-soa would add them), then the same
    with N nsupdate processes (its own script each, over UDP as it sends
    by default). Reports when every name is served, the failures, each
    client's CPU (from wait4) and named's CPU and peak RSS."""
    d = os.path.join(WORK, "storm")
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "send.conf")
    with open(conf, "w") as fh:
        json.dump({"ttl": 300}, fh)

    def named_cpu():
        fields = open(f"/proc/{named_pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib():
        status = open(f"/proc/{named_pid}/status").read()
        return int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmRSS")))

    def served(prefix):
        out = subprocess.run(["dig", "+noall", "+answer", "+time=5", "-p", "53", "@::1", "example.test", "AXFR"],
                             capture_output=True).stdout.decode()
        return sum(1 for l in out.splitlines() if l.startswith(prefix) and "\tAAAA\t" in l)

    def storm(label, prefix, make):
        inputs = []
        for i in range(n):
            path = os.path.join(d, f"{prefix}{i}.in")
            cmd, text = make(i, f"{prefix}{i}.example.test")
            with open(path, "w") as fh:
                fh.write(text)
            inputs.append((cmd, path))
        cpu0, peak = named_cpu(), rss_kib()
        start = time.perf_counter()
        children = {}
        for cmd, path in inputs:
            with open(path) as stdin:
                p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
            children[p.pid] = p
        spawned = time.perf_counter() - start
        client_cpu, failures, errors = 0.0, 0, {}
        left = dict(children)
        while left:
            pid, status, usage = os.wait4(-1, 0)
            p = left.pop(pid, None)
            if p is None:
                continue
            client_cpu += usage.ru_utime + usage.ru_stime
            peak = max(peak, rss_kib())
            if os.waitstatus_to_exitcode(status) != 0:
                failures += 1
                err = p.stderr.read().decode().strip().splitlines()
                key = (err[-1] if err else "no message")[:160]
                errors[key] = errors.get(key, 0) + 1
        exited = time.perf_counter() - start
        for p in children.values():
            p.stderr.close()
        count = served(prefix)
        while count < n and time.perf_counter() - start < 120:
            time.sleep(0.2)
            count = served(prefix)
        done = time.perf_counter() - start
        return [label, f"{spawned:.2f}", f"{exited:.2f}", f"{count} of {n} in {done:.2f}", str(failures),
                f"{client_cpu:.2f}", f"{client_cpu / n * 1000:.1f}", f"{named_cpu() - cpu0:.2f}", str(peak)], errors

    ours = lambda i, name: ([os.path.join(REL, "dyndns-send"), "-c", conf],
                            json.dumps({"hostname": name + ".", "ttl": 300, "addresses": [f"2001:db8:50::{i + 1:x}"],
                                        "zone": "example.test.", "server": "::1"}))
    theirs = lambda i, name: (["nsupdate"],
                              f"server ::1\nzone example.test\nupdate delete {name}. AAAA\n"
                              f"update add {name}. 300 AAAA 2001:db8:51::{i + 1:x}\nsend\n")
    rows, all_errors = [], {}
    for label, prefix, make in (("dyndns-send", "s", ours), ("nsupdate", "u", theirs)):
        row, errors = storm(label, prefix, make)
        rows.append(row)
        all_errors[label] = errors
        time.sleep(2)
    print(f"\n### A storm: {n} registrations of distinct names, started within a second, against one BIND 9.18 (named -n 1)\n")
    print("| client | all started (s) | all exited (s) | served | exits ≠ 0 | client CPU (s) | per registration (ms) | named CPU (s) | named peak RSS KiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for label, errors in all_errors.items():
        for message, count in sorted(errors.items(), key=lambda e: -e[1]):
            print(f"\n{label}: {count} × {message}")


if __name__ == "__main__":
    if len(sys.argv) > 6 and sys.argv[6] == "storm":
        storm_section(int(sys.argv[7]), int(sys.argv[8]))
    elif len(sys.argv) > 6 and sys.argv[6] == "reap":
        print(f"Runs: {RUNS} of each, alternating. Times in milliseconds, wall clock.")
        reap_section()
    else:
        main()
