# Unit tests (Check), golden generator tests, image and VM suites.
if HAVE_CHECK
check_PROGRAMS +=
TESTS +=
endif
