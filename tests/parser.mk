# parser tests: the iscsi: spec grammar and the kernel command line
if HAVE_CHECK
check_PROGRAMS += tests/test-spec tests/test-cmdline
TESTS += tests/test-spec tests/test-cmdline

# Table-driven tests leave trailing fields of their rows zero on purpose.
PARSER_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -Wno-missing-field-initializers

tests_test_spec_SOURCES = tests/test-spec.c
tests_test_spec_CFLAGS = $(PARSER_TEST_CFLAGS)
tests_test_spec_LDADD = libsdiscsi.la $(CHECK_LIBS)

tests_test_cmdline_SOURCES = tests/test-cmdline.c
tests_test_cmdline_CFLAGS = $(PARSER_TEST_CFLAGS)
tests_test_cmdline_LDADD = libsdiscsi.la $(CHECK_LIBS)
endif

# CHAP strings from systemd credentials (credentials.c)
if HAVE_CHECK
check_PROGRAMS += tests/test-credentials
TESTS += tests/test-credentials
tests_test_credentials_SOURCES = tests/test-credentials.c
tests_test_credentials_CFLAGS = $(PARSER_TEST_CFLAGS)
tests_test_credentials_LDADD = libsdiscsi.la $(CHECK_LIBS)
endif
