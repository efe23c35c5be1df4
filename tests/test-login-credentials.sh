#!/usr/bin/env bash
# `sd-iscsi login` with CHAP strings from systemd credentials ($CREDENTIALS_DIRECTORY,
# credentials.c), end to end without a network: the portal is a local TCP listener,
# iscsiadm a stand-in that records its arguments. Checks the precedence (the session's
# credential, the global one, the command line), that the secret reaches the 0600 node
# record and nothing else, and that a missing, misspelt or unusable credential ends the
# login at once with a reason that names it, before iscsiadm runs.
set -uo pipefail

LOGIN_TEST=login-creds
# shellcheck source=tests/login-lib.sh
. "${srcdir:-$(dirname "$0")/..}/tests/login-lib.sh"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(64); time.sleep(60)" &
listener=$!
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()" 2>/dev/null; do
        sleep 0.1
done

mkdir -p "$work/root/dev" "$work/bin"
: > "$work/root/dev/kmsg"
printf '#!/bin/sh\necho "$@" >> %s/iscsiadm.args\n' "$work" > "$work/bin/iscsiadm"
chmod +x "$work/bin/iscsiadm"
export SD_ISCSI_ROOT=$work/root SYSTEMD_IN_INITRD=1 SD_ISCSI_ISCSIADM=$work/bin/iscsiadm
IQN=iqn.2026-11.test:root
record=$work/root${ISCSI_DB_DIR:?}/nodes/$IQN/127.0.0.1,$port,1/default
state=$work/root/run/sd-iscsi/state/cmdline-0

# login NAME CMDLINE [CREDENTIAL=VALUE…]: a fresh root and credentials directory, one
# login; rc, $work/NAME.out. VALUE is printf-formatted (\0, \xff).
login() {
        local name=$1 cmdline=$2
        shift 2
        rm -rf "$work/root/run" "$work/root${ISCSI_DB_DIR:?}" "$work/creds" "$work/iscsiadm.args"
        : > "$work/root/dev/kmsg"
        mkdir -p "$work/creds"
        for kv in "$@"; do
                # shellcheck disable=SC2059 # the value is a format on purpose
                printf "${kv#*=}" > "$work/creds/${kv%%=*}"
        done
        CREDENTIALS_DIRECTORY=$work/creds SYSTEMD_PROC_CMDLINE="$cmdline rd.iscsi.timeout=5 rd.iscsi.testroute=0" \
                timeout 30 "$cli" login cmdline-0 2>"$work/$name.out"
        rc=$?
}
spec() { echo "netroot=iscsi:$1127.0.0.1::$port::$IQN"; }
no_secret_anywhere() {
        ! grep -rqs SECRET "$work/$1.out" "$work/iscsiadm.args" "$work/root/dev/kmsg" "$work/root/run"
}

# The command line leaves the password to a credential ("user:@").
login global "$(spec u:@)" sd-iscsi.chap.password=SECRETglobal1
check "global: logs in" "((rc == 0))"
check "global: the password is in the node record" "grep -qx 'node.session.auth.password = SECRETglobal1' '$record'"
check "global: the user name from the command line" "grep -qx 'node.session.auth.username = u' '$record'"
check "global: the record is private" "[[ \$(stat -c %a '$record') == 600 ]]"
check "global: says which credential, not what" "grep -q 'CHAP password from credential sd-iscsi.chap.password' '$work/global.out'"
check "global: the secret nowhere else" "no_secret_anywhere global"

# Precedence: the session's credential, then the global one, then the command line.
login precedence "$(spec u:SECRETcmdline@)" sd-iscsi.chap.password=SECRETglobal2 \
        sd-iscsi.cmdline-0.chap.password=SECRETsession1 sd-iscsi.chap.username=credu
check "precedence: logs in" "((rc == 0))"
check "precedence: the session's credential wins" "grep -qx 'node.session.auth.password = SECRETsession1' '$record'"
check "precedence: a credential's user name wins over the command line's" \
        "grep -qx 'node.session.auth.username = credu' '$record'"
check "precedence: the others are not in the record" "! grep -q 'SECRETglobal2\|SECRETcmdline' '$record'"
login precedence2 "$(spec u:SECRETcmdline@)" sd-iscsi.chap.password=SECRETglobal3
check "precedence: the global credential wins over the command line" \
        "grep -qx 'node.session.auth.password = SECRETglobal3' '$record'"
login cmdline "$(spec u:SECRETcmdline@)"
check "no credentials: the command line's password" \
        "grep -qx 'node.session.auth.password = SECRETcmdline' '$record'"

# Everything from credentials: a command line without any CHAP part; mutual CHAP.
login all "$(spec '')" sd-iscsi.chap.username=cu sd-iscsi.chap.password=SECRETall1 \
        sd-iscsi.chap.in_username=tu 'sd-iscsi.cmdline-0.chap.in_password=SECRETall2\n'
check "all from credentials: logs in" "((rc == 0))"
check "all from credentials: mutual CHAP in the record" \
        "grep -qx 'node.session.auth.authmethod = CHAP' '$record' && grep -qx 'node.session.auth.username_in = tu' '$record'"
check "all from credentials: one trailing newline dropped" \
        "grep -qx 'node.session.auth.password_in = SECRETall2' '$record'"
check "all from credentials: the secrets nowhere else" "no_secret_anywhere all"
login rd-username "rd.iscsi.username=du $(spec '')" sd-iscsi.chap.password=SECRETdefault
check "rd.iscsi.username= alone: the password from the credential" \
        "((rc == 0)) && grep -qx 'node.session.auth.password = SECRETdefault' '$record'"

# Missing or misspelt: the login ends at once, naming the credential; iscsiadm never runs.
for c in missing: typo:sd-iscsi.chap.pasword=SECRETtypo; do
        name=${c%%:*} kv=${c#*:}
        start=$SECONDS
        # shellcheck disable=SC2086
        login "$name" "$(spec u:@)" ${kv:+"$kv"}
        check "$name: fails" "((rc != 0))"
        check "$name: at once, not after the budget" "((SECONDS - start < 5))"
        check "$name: the reason names the credentials" \
                "grep -q 'no CHAP password for session cmdline-0: pass the credential sd-iscsi.cmdline-0.chap.password or sd-iscsi.chap.password' '$work/$name.out'"
        check "$name: the state records it for show" \
                "grep -q '^REASON=.*sd-iscsi.cmdline-0.chap.password' '$state' && grep -qx 'STATE=failed' '$state'"
        check "$name: on the console" "grep -q 'sd-iscsi.chap.password' '$work/root/dev/kmsg'"
        check "$name: no iscsiadm, no record" "[[ ! -e $work/iscsiadm.args && ! -e $record ]]"
        check "$name: no secret anywhere" "no_secret_anywhere $name"
done

# Unusable contents: empty, newline only, NUL bytes, control characters, huge. Non-UTF-8
# is fine (CHAP secrets are octets).
huge=$(head -c 5000 /dev/zero | tr '\0' S)
for c in "empty:sd-iscsi.chap.password=:is empty" "newline:sd-iscsi.chap.password=\n:is empty" \
         "nul:sd-iscsi.chap.password=SECRETa\0b:NUL byte" "control:sd-iscsi.chap.password=SECRET\tx:control character" \
         "lines:sd-iscsi.chap.password=SECRETx\nSECRETy:control character" \
         "huge:sd-iscsi.chap.password=$huge:longer than 256 bytes" "nul-user:sd-iscsi.chap.username=\0:NUL byte"; do
        IFS=: read -r name kv why <<< "$c"
        login "$name" "$(spec u:@)" "$kv"
        check "$name: fails" "((rc != 0))"
        check "$name: names the credential and why" "grep -q 'credential sd-iscsi.chap.*is unusable: .*$why' '$work/$name.out'"
        check "$name: no iscsiadm" "[[ ! -e $work/iscsiadm.args ]]"
        check "$name: no secret anywhere" "no_secret_anywhere $name && ! grep -q SSSS '$work/$name.out'"
done
login utf8 "$(spec u:@)" 'sd-iscsi.chap.password=SECRET\xff\xfe'
check "non-UTF-8: logs in with the bytes as given" \
        "((rc == 0)) && grep -q \$'^node.session.auth.password = SECRET\\xff\\xfe\$' '$record'"

# show: names the credential, never a value.
SYSTEMD_PROC_CMDLINE="$(spec u:@)" "$cli" show > "$work/show" 2>&1
check "show: the password from a credential" \
        "grep -q 'password from credential sd-iscsi.cmdline-0.chap.password or sd-iscsi.chap.password' '$work/show'"

echo "login-credentials: $pass passed, $fail failed"
((fail == 0))
