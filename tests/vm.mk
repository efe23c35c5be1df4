# VM end-to-end suite: run by tools/check as root (tests/vm/run BUILDDIR), not by make check.
EXTRA_DIST += \
	tests/vm/README.md \
	tests/vm/run \
	tests/vm/demo \
	tests/vm/lib.sh \
	tests/vm/scenarios.sh \
	tests/vm/scenarios-ibft.sh \
	tests/vm/scenarios-faults.sh \
	tests/vm/scenarios-realroot.sh \
	tests/vm/scenarios-lio.sh \
	tests/vm/lio/init \
	tests/vm/realroot/90-wired.network \
	tests/vm/realroot/sdi-real-addrwatch.service \
	tests/vm/realroot/sdi-real-test \
	tests/vm/realroot/sdi-real-test.service \
	tests/vm/realroot/sdi-real.shutdown \
	tests/vm/vlan-switch.py \
	tests/vm/initcpio/sdi-test \
	tests/stack.sh \
	tests/vm/root/init \
	tests/vm/units/sdi-test-audit \
	tests/vm/units/sdi-test-audit.service \
	tests/vm/units/sdi-test-emergency \
	tests/vm/units/sdi-test-emergency.service \
	tests/vm/units/sdi-test-netmark \
	tests/vm/units/sdi-test-netmark.service \
	tests/vm/units/sdi-test-report \
	tests/vm/units/sdi-test-report.service
