# Golden generator tests: tests/golden/cases/*/ (see tests/golden/run).
TESTS += tests/golden/run
AM_TESTS_ENVIRONMENT = top_builddir=$(abs_top_builddir) srcdir=$(abs_top_srcdir); export top_builddir srcdir;
EXTRA_DIST += tests/golden/run tests/golden/cases
