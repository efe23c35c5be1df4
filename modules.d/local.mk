# dracut module and mkinitcpio hook.
