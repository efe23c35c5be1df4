# VM end-to-end suite: run by tools/check as root (tests/vm/run BUILDDIR), not by make check.
EXTRA_DIST += \
	tests/vm/README.md \
	tests/vm/run \
	tests/vm/demo \
	tests/vm/lib.sh \
	tests/vm/scenarios.sh \
	tests/vm/scenarios-ibft.sh \
	tests/vm/vlan-switch.py \
	tests/vm/root/init \
	tests/vm/units/sdi-test-audit \
	tests/vm/units/sdi-test-audit.service \
	tests/vm/units/sdi-test-emergency \
	tests/vm/units/sdi-test-emergency.service \
	tests/vm/units/sdi-test-netmark \
	tests/vm/units/sdi-test-netmark.service \
	tests/vm/units/sdi-test-report \
	tests/vm/units/sdi-test-report.service
