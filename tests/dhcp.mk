# root=dhcp / netroot=dhcp: lease parsing, root-path sessions, drop-ins, udev rule.
if HAVE_CHECK
check_PROGRAMS += test-dhcp
TESTS += test-dhcp

test_dhcp_SOURCES = tests/test-dhcp.c cli/netfiles.c
test_dhcp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
test_dhcp_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_dhcp_LDADD = libsdiscsi.la $(CHECK_LIBS)
endif

# `sd-iscsi login dhcp` end to end against a local listener and stand-in iscsiadm/udevadm;
# `sd-iscsi login` with CHAP strings from credentials ($CREDENTIALS_DIRECTORY) likewise.
TESTS += tests/test-login-dhcp.sh tests/test-login-credentials.sh
EXTRA_DIST += tests/test-login-dhcp.sh tests/test-login-credentials.sh tests/login-lib.sh
