#!/usr/bin/env bash
# shellcheck disable=SC2034 # rc and start are read by the conditions check evaluates
# `sd-iscsi login dhcp` end to end, without a network: a lease file appears (through a
# temporary name, as networkd saves it) while the helper waits; the portal is a local
# TCP listener; iscsiadm and udevadm are stand-ins that record their arguments. Then
# the login helper's limits: the budget's and the root device grace's messages and state.
set -uo pipefail

LOGIN_TEST=login-dhcp
# shellcheck source=tests/login-lib.sh
. "${srcdir:-$(dirname "$0")/..}/tests/login-lib.sh"

# restart_listener SECONDS: a new local TCP portal on a free $port for SECONDS, listening
# before this returns (a helper's budget here is shorter than a loaded machine's python
# start).
restart_listener() {
        [[ -n $listener ]] && kill "$listener" 2>/dev/null
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(64); time.sleep($1)" &
        listener=$!
        until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()" 2>/dev/null; do
                sleep 0.1
        done
}

mkdir -p "$work/root/run/systemd/netif" "$work/bin"
# The iscsiadm stand-in records its arguments and, as iscsid would, connects to the
# portal: refused, it fails with open-iscsi's status 4 (connection failure).
cat > "$work/bin/iscsiadm" <<EOS
#!/bin/bash
echo "\$@" >> "$work/iscsiadm.args"
while ((\$#)); do [[ \$1 == -p ]] && p=\${2%,*}; shift; done
if ! { exec 3<>"/dev/tcp/\${p%:*}/\${p##*:}"; } 2>/dev/null; then
        echo "iscsiadm: initiator reported error (4 - encountered connection failure)" >&2
        exit 4
fi
exit 0
EOS
printf '#!/bin/sh\necho "$@" >> %s/udevadm.args\n' "$work" > "$work/bin/udevadm"
chmod +x "$work/bin/iscsiadm" "$work/bin/udevadm"
export SD_ISCSI_ROOT=$work/root SYSTEMD_IN_INITRD=1 SD_ISCSI_ISCSIADM=$work/bin/iscsiadm \
        SD_ISCSI_UDEVADM=$work/bin/udevadm
leases=$work/root/run/systemd/netif/leases

# No lease within the budget: a failure, on time.
start=$SECONDS
SYSTEMD_PROC_CMDLINE="root=dhcp rd.iscsi.timeout=2" "$cli" login dhcp 2>"$work/out1"
rc=$?
# (Generous bounds: they tell "bounded by the budget" and "woken by the lease" from
# "waits forever" and "a minute-long timer", without timing the machine.)
check "no lease: fails" "((rc != 0))"
check "no lease: gives up within the budget" "((SECONDS - start <= 8))"
check "no lease: says why" "grep -q 'No DHCP lease with an iSCSI root path' '$work/out1'"

# The lease appears while the helper waits (even the leases directory is created late).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(8); time.sleep(20)" &
listener=$!
(
        sleep 1
        mkdir -p "$leases"
        printf 'ADDRESS=192.168.100.51\nROOT_PATH=iscsi:sdiuser:SECRETpw@127.0.0.1::%s:3:iqn.2026-11.test:root\n' "$port" \
                > "$leases/.#7tmp"
        mv "$leases/.#7tmp" "$leases/7"
) &
start=$SECONDS
SYSTEMD_PROC_CMDLINE="ip=dhcp root=dhcp rd.iscsi.timeout=15 rd.iscsi.testroute=0" "$cli" login dhcp 2>"$work/out2"
rc=$?
check "lease: logs in" "((rc == 0))"
check "lease: woken by the lease, not by a timer" "((SECONDS - start <= 10))"
check "lease: iscsiadm ran for the root path's target" \
        "grep -q -- '-T iqn.2026-11.test:root -p 127.0.0.1:$port,1 -I default --login' '$work/iscsiadm.args'"
check "lease: node record written, private" \
        "[[ \$(stat -c %a '$work/root${ISCSI_DB_DIR:?}/nodes/iqn.2026-11.test:root/127.0.0.1,$port,1/default') == 600 ]]"
check "lease: udev rule names the LUN" \
        "grep -q 'ENV{ID_PATH}==\"ip-127.0.0.1:$port-iscsi-iqn.2026-11.test:root-lun-3\", SYMLINK+=\"disk/by-sd-iscsi/root root\"' '$work/root/run/udev/rules.d/61-sd-iscsi-dhcp-root.rules'"
check "lease: udev rules reloaded" "grep -qx 'control --reload' '$work/udevadm.args'"
check "lease: state for show" "grep -qx 'STATE=logged-in' '$work/root/run/sd-iscsi/state/dhcp'"
SYSTEMD_PROC_CMDLINE="ip=dhcp root=dhcp" "$cli" show --json > "$work/show.json"
check "show: lists the DHCP session" "grep -q '\"id\": \"dhcp\", \"source\": \"dhcp\"' '$work/show.json'"
check "no secret in output, argv, rule or show" \
        "! grep -rqs SECRET '$work/out2' '$work/iscsiadm.args' '$work/udevadm.args' '$work/show.json' '$work/root/run/udev' '$work/root/run/sd-iscsi'"

# netroot=dhcp (root elsewhere): no udev rule.
rm -f "$work/root/run/udev/rules.d/61-sd-iscsi-dhcp-root.rules"
SYSTEMD_PROC_CMDLINE="ip=dhcp netroot=dhcp root=LABEL=x rd.iscsi.timeout=5 rd.iscsi.testroute=0" "$cli" login dhcp 2>"$work/out3"
rc=$?
check "netroot=dhcp: logs in" "((rc == 0))"
check "netroot=dhcp: no root rule" "[[ ! -e '$work/root/run/udev/rules.d/61-sd-iscsi-dhcp-root.rules' ]]"

# Another boot method's root path: nothing to do, not a failure.
printf 'ROOT_PATH=nfs:192.168.100.1:/srv/root\n' > "$leases/7"
SYSTEMD_PROC_CMDLINE="root=dhcp rd.iscsi.timeout=5" "$cli" login dhcp 2>"$work/out4"
rc=$?
check "nfs root path: success without login" "((rc == 0)) && grep -q 'not an iSCSI spec' '$work/out4'"

# A failed login: the state (and systemctl status) carry iscsiadm's reason, not the
# "Logging in to" line its buffered stdout prints last.
cat > "$work/bin/iscsiadm-fail" <<'EOS'
#!/bin/sh
echo "iscsiadm: Could not login to [iface: default, target: iqn.2026-11.test:root, portal: 127.0.0.1,3260]." >&2
echo "iscsiadm: initiator reported error (24 - iSCSI login failed due to authorization failure)" >&2
echo "iscsiadm: Could not log into all portals" >&2
echo "Logging in to [iface: default, target: iqn.2026-11.test:root, portal: 127.0.0.1,3260]"
exit 24
EOS
chmod +x "$work/bin/iscsiadm-fail"
restart_listener 10
SD_ISCSI_ISCSIADM=$work/bin/iscsiadm-fail \
        SYSTEMD_PROC_CMDLINE="netroot=iscsi:u:SECRETpw@127.0.0.1::$port::iqn.2026-11.test:root rd.iscsi.timeout=1 rd.iscsi.testroute=0" \
        "$cli" login cmdline-0 2>"$work/out5"
rc=$?
check "failed login: fails within the budget" "((rc != 0))"
check "failed login: the state names the reason" \
        "grep -qx 'ERROR=iscsiadm: initiator reported error (24 - iSCSI login failed due to authorization failure)' '$work/root/run/sd-iscsi/state/cmdline-0'"
check "failed login: the final message names target, portal and reason" \
        "grep -q 'Giving up on iqn.2026-11.test:root at 127.0.0.1:$port.*authorization failure' '$work/out5'"
check "failed login: no secret in its output" "! grep -q SECRET '$work/out5'"

# No TCP probe before a login to a portal that answers: a connection closed without a
# login PDU is a failed login in the target's log (LIO). A portal that refused is waited
# for with probes (cheap: a refused connect reaches no log), found within about a
# second of listening, then logged in to.
# count_listener DELAY SECONDS: a local portal on a free $port that starts listening after
# DELAY s and writes a line to $work/accepted for every connection it accepts.
count_listener() {
        [[ -n $listener ]] && kill "$listener" 2>/dev/null
        : > "$work/accepted"
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        python3 -c "
import socket, time
time.sleep($1)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(64)
open('$work/listening', 'w').write(repr(time.time()))
s.settimeout($2)
try:
    while True:
        c, _ = s.accept()
        open('$work/accepted', 'a').write('x\\n')
        c.close()
except OSError:
    pass" &
        listener=$!
}
rm -f "$work/listening"
count_listener 0 20
until [[ -e $work/listening ]]; do sleep 0.1; done
SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::$port::iqn.2026-11.test:data rd.iscsi.timeout=10 rd.iscsi.testroute=0" \
        "$cli" login cmdline-0 2>"$work/out-noprobe"
rc=$?
sleep 0.3
check "portal up: logs in at the first attempt" "((rc == 0)) && grep -q 'Logged in .* after 1 attempt(s)' '$work/out-noprobe'"
check "portal up: one connection, iscsiadm's (no probe)" "(($(wc -l < "$work/accepted") == 1))"
rm -f "$work/listening"
count_listener 2 20
SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::$port::iqn.2026-11.test:data rd.iscsi.timeout=15 rd.iscsi.testroute=0" \
        "$cli" login cmdline-0 2>"$work/out-late"
rc=$?
done_at=$(date +%s.%N)
sleep 0.3
late=$(awk -v a="$(cat "$work/listening" 2>/dev/null || echo 0)" -v b="$done_at" 'BEGIN { printf "%.2f", b - a }')
echo "late portal: logged in ${late}s after it listened, $(wc -l < "$work/accepted") connection(s)"
check "late portal: logs in" "((rc == 0))"
check "late portal: the first attempt is iscsiadm's, refused" \
        "grep -q '^Attempt 1 .* failed: iscsiadm: initiator reported error (4 - ' '$work/out-late'"
check "late portal: then probes, refused" "grep -q '^Attempt 2 .* failed: portal 127.0.0.1 port $port: Connection refused' '$work/out-late'"
check "late portal: logged in within 2 s of listening" "awk -v t=$late 'BEGIN { exit !(t <= 2) }'"
check "late portal: the probe that found it and iscsiadm's login, no more" "(($(wc -l < "$work/accepted") <= 2))"
kill "$listener" 2>/dev/null
listener=

# No budget: a login still failing once the root device exists gives up after the
# grace (rd.iscsi.grace=), says why, and records it for show. Nothing listens on the
# portal (refused at once); the root device is a plain file below $SD_ISCSI_ROOT. Two
# sessions: a lone login is the root's own, which the grace never ends (below).
kill "$listener" 2>/dev/null
listener=
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dev=$work/root/dev/disk/by-label
mkdir -p "$dev"
rm -f "$work/root/run/sd-iscsi/state/cmdline-0"
(sleep 1; : > "$dev/sdiroot") &
start=$SECONDS
SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::$dead::iqn.2026-11.test:data netroot=iscsi:127.0.0.1::$dead::iqn.2026-11.test:other root=LABEL=sdiroot rd.iscsi.testroute=0 rd.iscsi.grace=1" \
        "$cli" login cmdline-0 2>"$work/out6"
rc=$?
wait
check "grace: fails" "((rc != 0))"
check "grace: gives up after the root device appears, within a few seconds" "((SECONDS - start <= 6))"
check "grace: waited for the root device" "grep -q 'The root device /dev/disk/by-label/sdiroot is present' '$work/out6'"
check "grace: retried before the root device appeared" "grep -q '^Attempt 2 ' '$work/out6'"
# The last error is the probe's, or, when a loaded machine fitted only one attempt into
# the grace, iscsiadm's (the first attempt does not probe).
check "grace: the final message names target, portal, grace, attempts and the error" \
        "grep -qE 'Giving up on iqn.2026-11.test:data at 127.0.0.1:$dead: root device /dev/disk/by-label/sdiroot present, grace of 1s \\(rd.iscsi.grace=\\) over after [0-9]+ attempt\\(s\\)\\. Last error: (portal 127.0.0.1 port $dead: Connection refused|iscsiadm: initiator reported error \\(4 - )' '$work/out6'"
check "grace: the state records the failure and why" \
        "grep -qx 'STATE=failed' '$work/root/run/sd-iscsi/state/cmdline-0' && grep -qx 'REASON=root device /dev/disk/by-label/sdiroot present, grace of 1s (rd.iscsi.grace=) over' '$work/root/run/sd-iscsi/state/cmdline-0'"
SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::$dead::iqn.2026-11.test:data netroot=iscsi:127.0.0.1::$dead::iqn.2026-11.test:other root=LABEL=sdiroot" "$cli" show > "$work/show6"
check "grace: show tells the same story" \
        "grep -q '^  State:   failed (attempt' '$work/show6' && grep -qx '  Gave up: root device /dev/disk/by-label/sdiroot present, grace of 1s (rd.iscsi.grace=) over' '$work/show6'"

# The root's own login never gives up that way, even with its device there (grace 0),
# nor does a login with no root device in the model: both still retry when stopped.
rootdev="$work/root/dev/disk/by-path/ip-127.0.0.1:$dead-iscsi-iqn.2026-11.test:root-lun-0"
mkdir -p "${rootdev%/*}"
: > "$rootdev"
SYSTEMD_PROC_CMDLINE="root=iscsi:127.0.0.1::$dead::iqn.2026-11.test:root rd.iscsi.testroute=0 rd.iscsi.grace=0" \
        timeout 2 "$cli" login cmdline-0 2>"$work/out7"
rc=$?
check "grace: the root's own login keeps retrying" "((rc == 124)) && ! grep -q 'Giving up' '$work/out7'"
SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::$dead::iqn.2026-11.test:root root=LABEL=sdiroot rd.iscsi.testroute=0 rd.iscsi.grace=0" \
        timeout 2 "$cli" login cmdline-0 2>"$work/out7b"
rc=$?
check "grace: a lone login with root= a file system is the root's own: keeps retrying" \
        "((rc == 124)) && ! grep -q 'Giving up' '$work/out7b'"
SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::$dead::iqn.2026-11.test:data rd.iscsi.testroute=0 rd.iscsi.grace=0" \
        timeout 2 "$cli" login cmdline-0 2>"$work/out8"
rc=$?
check "grace: no root device, nothing to wait on: keeps retrying" "((rc == 124)) && ! grep -q 'Giving up' '$work/out8'"
# With a budget as well, whichever ends first: here the grace (0), at once.
start=$SECONDS
SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::$dead::iqn.2026-11.test:data netroot=iscsi:127.0.0.1::$dead::iqn.2026-11.test:other root=LABEL=sdiroot rd.iscsi.timeout=60 rd.iscsi.testroute=0 rd.iscsi.grace=0" \
        "$cli" login cmdline-0 2>"$work/out9"
rc=$?
check "grace 0 and a budget: the grace ends first" \
        "((rc != 0 && SECONDS - start <= 3)) && grep -q 'grace of 0s (rd.iscsi.grace=) over after 1 attempt(s)' '$work/out9'"

# Refused for good (iscsiadm status 24, a wrong CHAP secret): without a budget the login
# fails after LOGIN_REJECTIONS_MAX (4) attempts, 2 + 4 + 8 s ±25% apart, says why in its
# message, STATUS=, state record, show (text, JSON) and one console (kmsg) line.
restart_listener 60
mkdir -p "$work/root/dev"
: > "$work/root/dev/kmsg"
rm -f "$work/root/run/sd-iscsi/state/cmdline-0" "$work/iscsiadm-fail.count"
cat > "$work/bin/iscsiadm-count" <<EOS
#!/bin/sh
echo x >> "$work/iscsiadm-fail.count"
exec "$work/bin/iscsiadm-fail"
EOS
chmod +x "$work/bin/iscsiadm-count"
refused="iqn.2026-11.test:root at 127.0.0.1:$port: login refused 4 times: authentication or authorization failed (check the CHAP user name and secret, and the target's access list) after 4 attempt(s)"
start=$(date +%s.%N)
SD_ISCSI_ISCSIADM=$work/bin/iscsiadm-count \
        SYSTEMD_PROC_CMDLINE="netroot=iscsi:u:SECRETpw@127.0.0.1::$port::iqn.2026-11.test:root root=LABEL=sdiroot-absent rd.iscsi.testroute=0" \
        "$cli" login cmdline-0 2>"$work/out10"
rc=$?
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "refused: gave up after ${took}s, $(wc -l < "$work/iscsiadm-fail.count") iscsiadm runs"
check "refused: fails" "((rc != 0))"
check "refused: 4 logins, no more" "(($(wc -l < "$work/iscsiadm-fail.count") == 4))"
check "refused: 10.5 to 17.5 s of waits, no budget needed" \
        "awk -v t=$took 'BEGIN { exit !(t >= 10.5 && t <= 19) }'"
check "refused: each refusal is counted in the log" "grep -q 'Attempt 3 .* rejected (3 of 4)' '$work/out10'"
check "refused: the final message says why" "grep -qF \"Giving up on \$refused. Last error: iscsiadm: initiator reported error (24 - \" '$work/out10'"
check "refused: one console line, at error level, the same words" \
        "((\$(wc -l < '$work/root/dev/kmsg') == 1)) && grep -qF '<3>sd-iscsi[' '$work/root/dev/kmsg' && grep -qF \"Giving up on \$refused\" '$work/root/dev/kmsg'"
check "refused: the state records it" \
        "grep -qx 'STATE=failed' '$work/root/run/sd-iscsi/state/cmdline-0' && grep -qx 'REJECTED=4' '$work/root/run/sd-iscsi/state/cmdline-0' && grep -q '^REASON=login refused 4 times: authentication' '$work/root/run/sd-iscsi/state/cmdline-0'"
SYSTEMD_PROC_CMDLINE="netroot=iscsi:u:SECRETpw@127.0.0.1::$port::iqn.2026-11.test:root root=LABEL=sdiroot-absent" "$cli" show > "$work/show10"
SYSTEMD_PROC_CMDLINE="netroot=iscsi:u:SECRETpw@127.0.0.1::$port::iqn.2026-11.test:root root=LABEL=sdiroot-absent" "$cli" show --json > "$work/show10.json"
check "refused: show says so" \
        "grep -q '^  State:   failed (attempt 4)' '$work/show10' && grep -qx '  Refused: 4 attempt(s) (a login fails after 4)' '$work/show10' && grep -q '^  Gave up: login refused 4 times: authentication' '$work/show10'"
check "refused: show --json says so" \
        "python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))[\"sessions\"][0]; assert s[\"state\"] == \"failed\" and s[\"rejected\"] == 4 and s[\"gave_up\"].startswith(\"login refused 4 times: authentication\"), s' '$work/show10.json'"
check "refused: no secret in output, console, state or show" \
        "! grep -rqs SECRET '$work/out10' '$work/root/dev/kmsg' '$work/root/run/sd-iscsi' '$work/show10' '$work/show10.json'"

# A target still being set up: refused once, then it lets the login in.
rm -f "$work/iscsiadm-fail.count"
cat > "$work/bin/iscsiadm-late" <<EOS
#!/bin/sh
[ -e "$work/iscsiadm-fail.count" ] && exit 0
echo x >> "$work/iscsiadm-fail.count"
exec "$work/bin/iscsiadm-fail"
EOS
chmod +x "$work/bin/iscsiadm-late"
SD_ISCSI_ISCSIADM=$work/bin/iscsiadm-late \
        SYSTEMD_PROC_CMDLINE="netroot=iscsi:u:SECRETpw@127.0.0.1::$port::iqn.2026-11.test:root rd.iscsi.testroute=0" \
        timeout 10 "$cli" login cmdline-0 2>"$work/out11"
rc=$?
check "refused once, then accepted: logged in" \
        "((rc == 0)) && grep -qx 'STATE=logged-in' '$work/root/run/sd-iscsi/state/cmdline-0' && grep -qx 'REJECTED=1' '$work/root/run/sd-iscsi/state/cmdline-0'"

# A target that is busy (status 5, login status class 3) is retried as before, never given up.
printf '#!/bin/sh\necho "iscsiadm: initiator reported error (5 - encountered iSCSI login failure)" >&2\nexit 5\n' > "$work/bin/iscsiadm-busy"
chmod +x "$work/bin/iscsiadm-busy"
SD_ISCSI_ISCSIADM=$work/bin/iscsiadm-busy \
        SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::$port::iqn.2026-11.test:root root=LABEL=sdiroot-absent rd.iscsi.testroute=0" \
        timeout 4 "$cli" login cmdline-0 2>"$work/out12"
rc=$?
check "busy target: keeps retrying" "((rc == 124)) && grep -q '^Attempt 3 .* failed: iscsiadm: initiator reported error (5 ' '$work/out12' && ! grep -q 'Giving up' '$work/out12'"

# prepare makes open-iscsi's database and lock directory where this build's open-iscsi
# keeps them (an image has the programs, not their directories), private but the lock.
SD_ISCSI_ROOT=$work/prep SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::::iqn.2026-11.test:data" \
        "$cli" prepare 2>"$work/out-prep1"
rc=$?
check "prepare: succeeds in an empty root" "((rc == 0))"
check "prepare: node directory, private" "[[ \$(stat -c %a '$work/prep${ISCSI_DB_DIR:?}/nodes') == 700 ]]"
check "prepare: iface directory, private" "[[ \$(stat -c %a '$work/prep$ISCSI_DB_DIR/ifaces') == 700 ]]"
check "prepare: lock directory" "[[ -d '$work/prep${ISCSI_LOCK_DIR:?}' ]]"
SD_ISCSI_ROOT=$work/prep SYSTEMD_PROC_CMDLINE="netroot=iscsi:127.0.0.1::::iqn.2026-11.test:data" \
        "$cli" prepare 2>"$work/out-prep2"
rc=$?
check "prepare: a second run (service restart) succeeds" "((rc == 0))"

echo "login-dhcp: $pass passed, $fail failed"
((fail == 0))
