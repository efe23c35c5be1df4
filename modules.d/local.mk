# dracut module and mkinitcpio hook, and the layout probe both run at image build time.
sdiscsidracutdir = $(dracutmodulesdir)/73sd-iscsi
sdiscsidracut_SCRIPTS = modules.d/73sd-iscsi/module-setup.sh
dist_sdiscsidracut_SCRIPTS = modules.d/73sd-iscsi/parse-sd-iscsi-root.sh modules.d/73sd-iscsi/sd-iscsi-netroot.sh

initcpioinstalldir = $(initcpiodir)/install
initcpioinstall_DATA = initcpio/install/sd-iscsi

sdiscsilib_SCRIPTS = modules.d/open-iscsi-layout

modules_generated = modules.d/73sd-iscsi/module-setup.sh initcpio/install/sd-iscsi
EXTRA_DIST += $(modules_generated:=.in) modules.d/open-iscsi-layout
CLEANFILES += $(modules_generated)

$(modules_generated): %: %.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && sed -e 's|@ISCSIADM[@]|$(ISCSIADM)|g' -e 's|@ISCSID[@]|$(ISCSID)|g' \
		-e 's|@ISCSI_DB_DIR[@]|$(ISCSI_DB_DIR)|g' -e 's|@ISCSI_LOCK_DIR[@]|$(ISCSI_LOCK_DIR)|g' \
		-e 's|@sdiscsilibdir[@]|$(sdiscsilibdir)|g' $< > $@

# Image tests: run by tools/check as root (tests/images/run BUILDDIR), not by make check.
EXTRA_DIST += \
	tests/images/run \
	tests/images/lib.sh \
	tests/images/dracut.sh \
	tests/images/mkinitcpio.sh \
	tests/images/mkinitcpio-emul.sh
