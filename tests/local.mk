# Unit tests (Check), golden generator tests. Image and VM suites run from tools/check.
include $(top_srcdir)/tests/parser.mk
include $(top_srcdir)/tests/ibft.mk
include $(top_srcdir)/tests/dhcp.mk
include $(top_srcdir)/tests/golden.mk
include $(top_srcdir)/tests/fuzz.mk
include $(top_srcdir)/tests/vm.mk

# The include graph: no edge from model/ or writers/ up into writers/ or a program folder.
TESTS += tests/include-graph
EXTRA_DIST += tests/include-graph
