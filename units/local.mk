# Static units, installed into the systemd unit directory.
