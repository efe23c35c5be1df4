# Static units, installed into the systemd unit directory.
units_generated = units/sd-iscsi-prepare.service units/sd-iscsi-iscsid.service units/sd-iscsi-handoff.service
systemdsystemunit_DATA += $(units_generated) units/sd-iscsi-iscsid.socket
EXTRA_DIST += $(units_generated:=.in) units/sd-iscsi-iscsid.socket
CLEANFILES += $(units_generated)

$(units_generated): %: %.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@ISCSID[@]|$(ISCSID)|g' \
		-e 's|@ISCSI_DB_DIR[@]|$(ISCSI_DB_DIR)|g' $< > $@
