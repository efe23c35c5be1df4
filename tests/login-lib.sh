# shellcheck shell=bash
# shellcheck disable=SC2034 # cli is the sourcing test's
# Sourced by the login helper's end-to-end tests (test-login-*.sh) after they set
# LOGIN_TEST (the name of their work directory): where the build is, a work directory
# removed at exit (kept with KEEP=1) with the local portal's listener stopped, and
# check NAME CONDITION, which counts into pass and fail.
builddir=${top_builddir:-.}
cli=$builddir/sd-iscsi
work=$(mktemp -d "/tmp/sd-iscsi-$LOGIN_TEST.XXXXXX")
listener=
cleanup() {
        [[ -n $listener ]] && kill "$listener" 2>/dev/null
        [[ -n ${KEEP:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0
check() {
        if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi
}
