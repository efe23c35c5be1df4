# Golden generator tests: tests/golden/cases/*/ (see tests/golden/run).
TESTS += tests/golden/run
AM_TESTS_ENVIRONMENT = top_builddir=$(abs_top_builddir) srcdir=$(abs_top_srcdir) \
	systemdsystemunitdir=$(systemdsystemunitdir) ISCSI_DB_DIR=$(ISCSI_DB_DIR) ISCSI_LOCK_DIR=$(ISCSI_LOCK_DIR); \
	export top_builddir srcdir systemdsystemunitdir ISCSI_DB_DIR ISCSI_LOCK_DIR;
EXTRA_DIST += tests/golden/run tests/golden/cases

if HAVE_CHECK
check_PROGRAMS += tests/test-writers
TESTS += tests/test-writers
tests_test_writers_SOURCES = tests/test-writers.c cli/retry.c
tests_test_writers_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
tests_test_writers_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_writers_LDADD = libsdiscsi.la $(CHECK_LIBS)
endif
