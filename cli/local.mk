# The sd-iscsi tool: sd-iscsi show|login|prepare|handoff
bin_PROGRAMS += sd-iscsi
sd_iscsi_SOURCES = cli/sd-iscsi.c cli/login.c cli/prepare.c
sd_iscsi_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
sd_iscsi_LDADD = libsdiscsi.la $(LIBSYSTEMD_LIBS)
