# The sd-iscsi tool: sd-iscsi show|login|prepare|handoff. retry.c is the login helper's
# pure retry policy, which the tests and bench/storm link too.
bin_PROGRAMS += sd-iscsi
sd_iscsi_SOURCES = cli/sd-iscsi.c cli/commands.h \
	cli/login.c cli/login.h cli/iscsiadm.c cli/login-dhcp.c cli/retry.c cli/retry.h \
	cli/prepare.c cli/handoff.c cli/netfiles.c cli/netfiles.h
sd_iscsi_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
sd_iscsi_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
sd_iscsi_LDADD = libsdiscsi.la $(LIBSYSTEMD_LIBS)
