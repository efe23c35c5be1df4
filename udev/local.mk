# udev rules: installed for the real root and put into both initramfs modules.
udevrulesdir = $(udevdir)/rules.d
dist_udevrules_DATA = udev/65-sd-iscsi.rules
