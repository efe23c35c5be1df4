# dracut module and mkinitcpio hook.
sdiscsidracutdir = $(dracutmodulesdir)/90sd-iscsi
dist_sdiscsidracut_SCRIPTS = modules.d/90sd-iscsi/module-setup.sh modules.d/90sd-iscsi/parse-sd-iscsi-root.sh

initcpioinstalldir = $(initcpiodir)/install
dist_initcpioinstall_DATA = initcpio/install/sd-iscsi

# Image tests: run by tools/check as root (tests/images/run BUILDDIR), not by make check.
EXTRA_DIST += \
	tests/images/run \
	tests/images/lib.sh \
	tests/images/dracut.sh \
	tests/images/mkinitcpio.sh \
	tests/images/mkinitcpio-emul.sh
