# SPDX-License-Identifier: LGPL-2.1-or-later
# A boot timeline as SVG from a serial console log with kernel timestamps, for boots
# with systemd.log_target=kmsg: one bar per unit from "Starting X..." to
# "Started/Finished X." (or "Mounting"/"Mounted"), ticks for targets reached and for
# kernel events. The equivalent of `systemd-analyze plot` for an initrd whose root is
# not systemd (the VM suite's root is busybox), built from what the kernel stamped.
#   awk -v title=TEXT -v tmax=SECONDS -f bench/timeline.awk CONSOLE > OUT.svg
# tmax (optional) fixes the time axis, so that two timelines share one scale.

function ts(line,   m) {
        if (match(line, /^\[ *[0-9]+\.[0-9]+\]/)) {
                m = substr(line, RSTART + 1, RLENGTH - 2)
                gsub(/ /, "", m)
                return m + 0
        }
        return -1
}
function esc(s) {
        gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
        return s
}
function unit_start(name, t) {
        if (!(name in start)) {
                start[name] = t
                order[n++] = name
        }
}
function event(label, t, kind) {
        ev_t[ne] = t; ev_l[ne] = label; ev_k[ne] = kind; ne++
}

BEGIN { n = 0; ne = 0; last = 0 }

{
        sub(/\r$/, "")
        gsub(/\033\[[0-9;]*m/, "")
        t = ts($0)
        if (t < 0)
                next
        if (t > last)
                last = t
        msg = $0
        sub(/^\[ *[0-9]+\.[0-9]+\] /, "", msg)
        sub(/^systemd\[1\]: /, "", msg)
        if (msg ~ /^(Starting|Mounting) .*\.\.\.$/) {
                name = msg; sub(/^(Starting|Mounting) /, "", name); sub(/\.\.\.$/, "", name)
                unit_start(name, t)
        } else if (msg ~ /^(Started|Finished|Mounted) .*\.$/) {
                name = msg; sub(/^(Started|Finished|Mounted) /, "", name); sub(/\.$/, "", name)
                if (!(name in start))
                        unit_start(name, t)
                if (!(name in end))
                        end[name] = t
        } else if (msg ~ /^Reached target /) {
                name = msg; sub(/^Reached target /, "", name); sub(/\.$/, "", name)
                event(name, t, "target")
        } else if (msg ~ /Run \/init as init process/) {
                event("kernel: run /init", t, "kernel")
        } else if (msg ~ /sdi-test: network configured/) {
                event("network configured", t, "mark")
        } else if (msg ~ /Attached SCSI disk/) {
                event("SCSI disk attached", t, "mark")
        } else if (msg ~ /Switching root/) {
                event("switch root", t, "mark")
        } else if (msg ~ /iscsi: registered transport \(tcp\)/) {
                event("iscsi_tcp loaded", t, "kernel")
        }
}

END {
        if (tmax == "" || tmax + 0 < last)
                tmax = last
        tmax = (int(tmax) + 1)
        left = 360; width = 820; row = 14; top = 40
        rows = n + ne
        height = top + rows * row + 40
        scale = width / tmax
        printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", left + width + 20, height
        printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
        printf "<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", esc(title)
        for (s = 0; s <= tmax; s++) {
                x = left + s * scale
                printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, top - 8, x, height - 25
                if (tmax <= 30 || s % 5 == 0)
                        printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%ds</text>\n", x, height - 10, s
        }
        y = top
        for (i = 0; i < n; i++) {
                name = order[i]
                a = start[name]; b = (name in end) ? end[name] : last
                color = (tolower(name) ~ /iscsi/) ? "#d9534f" : (tolower(name) ~ /network|networkd|udev/) ? "#5b8fd9" : "#8a8a8a"
                w = (b - a) * scale; if (w < 1.5) w = 1.5
                printf "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %.3f..%.3f s</title></rect>\n", left + a * scale, y, w, row - 3, color, esc(name), a, b
                printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 6, y + row - 4, esc(substr(name, 1, 58))
                y += row
        }
        for (i = 0; i < ne; i++) {
                x = left + ev_t[i] * scale
                color = ev_k[i] == "mark" ? "#2a9d3a" : ev_k[i] == "kernel" ? "#000" : "#b07d00"
                printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", x, y, x, y + row - 3, color
                printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"%s\">%s @%.2fs</text>\n", left - 6, y + row - 4, color, esc(substr(ev_l[i], 1, 52)), ev_t[i]
                y += row
        }
        printf "</svg>\n"
}
