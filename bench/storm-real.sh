#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced by bench/run (section storm, with BENCH_STORM_REAL=1), or run alone:
#   bench/storm-real.sh BUILDDIR [N] [K] [OUTAGE_FROM:OUTAGE_TO]
# N real `sd-iscsi login` helpers (this build), each with its own runtime root, log in at
# once to a stand-in target on 127.0.0.1: a TCP listener that accepts every connection
# (the helper's probe) and admits "LOGIN" requests from a token bucket of K a second
# holding K, as bench/storm's model does; it is closed during the outage (connections
# refused: the target killed mid-storm). iscsiadm is a stand-in that asks the listener
# and exits 0 (admitted) or 29 (busy: retried). The listener records the time of every
# login request; the same N, K, start spread and outage then go through bench/storm
# (-r login) and both are printed side by side.

# storm_stats NAME FILE N K FROM:TO: a table row from "µs client ok|refused" lines,
# the attempts inside the outage left out.
storm_stats() {
        awk -v name="$1" -v n="$3" -v k="$4" -v o="$5" '
                BEGIN { split(o, w, ":"); from = w[1] * 1e6; to = w[2] * 1e6 }
                $1 >= from && $1 < to { next }
                { s = int($1 / 1e6); c[s]++; a++ }
                $3 == "ok" { up++; last = $1; if (up == int((n + 1) / 2)) h = $1 }
                END {
                        m = int(last / 1e6) + 1
                        for (i = 1; i <= m; i++) {     # insertion sort: mawk has no asort
                                x = c[i - 1] + 0
                                for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]
                                v[j + 1] = x
                        }
                        printf "| %s | %.1f | %.1f | %d | %.1f | %d | %d | %d | %.1f |\n", name, last / 1e6, h / 1e6, a, a / n,
                                v[m], v[int((m - 1) / 2) + 1], v[int((m - 1) * 0.99) + 1], v[m] / k
                }' "$2"
}

storm_real_run() {
        local n=${BENCH_STORM_N:-200} k=${BENCH_STORM_K:-20} outage=${BENCH_STORM_OUTAGE:-6:9}
        local w port i spread
        # Below bench/run's $work (removed when it exits, whatever happens here).
        w=$(mktemp -d "$work/storm-real.XXXXXX")
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        cat >"$w/iscsiadm" <<EOF
#!/bin/bash
exec 3<>/dev/tcp/127.0.0.1/$port || exit 8
echo "LOGIN \$4" >&3
read -r -t 10 answer <&3
[[ \$answer == OK ]] && exit 0
exit 29
EOF
        chmod +x "$w/iscsiadm"
        python3 - "$port" "$k" "$n" "$outage" "$w/attempts" "$w/t0" <<'EOF' &
import selectors, socket, sys, time
port, k, n = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
o_from, o_to = (float(x) for x in sys.argv[4].split(':'))
log = open(sys.argv[5], 'w')
sel = selectors.DefaultSelector()
def listen():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port)); s.listen(4096); s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, None); return s
lsock = listen()
# t0: the moment the helpers are started (written by the script).
while True:
    try:
        t0 = float(open(sys.argv[6]).read()); break
    except (OSError, ValueError):
        time.sleep(0.001)
tokens, last, up, down = k, t0, 0, False
while up < n:
    now = time.monotonic()
    if not down and o_from <= now - t0 < o_to:
        sel.unregister(lsock); lsock.close(); down = True
    if down and now - t0 >= o_to:
        lsock = listen(); down = False
    for key, _ in sel.select(0.01):
        if key.data is None:
            try:
                c, _ = key.fileobj.accept()
            except OSError:
                continue
            c.setblocking(False); sel.register(c, selectors.EVENT_READ, b'')
            continue
        c = key.fileobj
        try:
            d = c.recv(64)
        except OSError:
            d = b''
        if not d:   # the helper's probe, or done
            sel.unregister(c); c.close(); continue
        now = time.monotonic()
        tokens = min(k, tokens + (now - last) * k); last = now
        ok = tokens >= 1
        if ok:
            tokens -= 1; up += 1
        who = d.split()[-1].decode(errors='replace').rsplit(':', 1)[-1]
        log.write('%d %s %s\n' % ((now - t0) * 1e6, who, 'ok' if ok else 'refused')); log.flush()
        try:
            c.send(b'OK\n' if ok else b'BUSY\n')
        except OSError:
            pass
EOF
        local listener=$!
        sleep 0.5
        python3 -c 'import time; print(time.monotonic())' >"$w/t0.tmp"
        mv "$w/t0.tmp" "$w/t0"
        for ((i = 0; i < n; i++)); do
                mkdir -p "$w/c$i"
                SD_ISCSI_ROOT=$w/c$i SYSTEMD_IN_INITRD=1 SD_ISCSI_ISCSIADM=$w/iscsiadm \
                        SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::$port::iqn.2026-12.storm:c$i rd.iscsi.testroute=0 rd.iscsi.timeout=300" \
                        "$builddir/sd-iscsi" login cmdline-0 >/dev/null 2>"$w/c$i.log" &
        done
        wait "$listener"
        wait
        # The start spread: the latest first request of a helper (the listener's clock).
        spread=$(awk '!($2 in first) { first[$2] = $1 } END { for (c in first) if (first[c] > m) m = first[c]; printf "%.2f", m / 1e6 }' "$w/attempts")
        "$builddir/bench/storm" -n "$n" -k "$k" -s "$spread" -r login -o "$outage" -t "$w/simulated" sd-iscsi >/dev/null
        echo "-- $n sd-iscsi login helpers (real) against a stand-in target, K=$k/s (bucket $k), down ${outage/:/..} s;"
        echo "   bench/storm on the same N, K, outage and start spread ($spread s); attempts while the target is down"
        echo "   are refused connections, which the listener cannot count: left out of both"
        echo "| run | all up s | 50% s | login requests | per client | peak/s | p50/s | p99/s | peak/K |"
        echo "|---|---|---|---|---|---|---|---|---|"
        storm_stats real "$w/attempts" "$n" "$k" "$outage"
        storm_stats simulated "$w/simulated" "$n" "$k" "$outage"
        cp "$w/attempts" "$OUT/storm-real-attempts.txt"
        cp "$w/simulated" "$OUT/storm-real-simulated.txt"
        rm -rf "$w"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
        set -euo pipefail
        builddir=$(cd "${1:?usage: bench/storm-real.sh BUILDDIR [N] [K] [FROM:TO]}" && pwd)
        BENCH_STORM_N=${2:-200} BENCH_STORM_K=${3:-20} BENCH_STORM_OUTAGE=${4:-6:9}
        OUT=${BENCH_OUT:-$builddir/bench-out}
        mkdir -p "$OUT"
        work=$(mktemp -d /tmp/sd-iscsi-storm.XXXXXX)
        trap 'rm -rf "$work"' EXIT
        storm_real_run
fi
