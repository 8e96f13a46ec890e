#!/usr/bin/env bash
# make install into a DESTDIR: binaries, the filled unit, the sysusers file,
# the udev rule for /dev/gpiochip*, the man pages and the example config,
# which a second install keeps.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
dest=$TMP/root
BUILD=${BUILD:-build}

expect "make install" 0 '' -- make -s install BUILD="$BUILD" DESTDIR="$dest" PREFIX=/usr
for f in usr/sbin/contrastd usr/bin/contrastctl lib/systemd/system/contrastd.service \
	usr/lib/sysusers.d/contrastd.conf lib/udev/rules.d/60-contrastd-gpio.rules usr/share/man/man8/contrastd.8 \
	usr/share/man/man5/contrastd.conf.5 usr/share/man/man1/contrastctl.1 etc/contrastd/contrastd.conf \
	usr/share/bash-completion/completions/contrastctl usr/share/bash-completion/completions/contrastd; do
	expect "installed: /$f" 0 '' -- test -s "$dest/$f"
done
expect "the unit names the installed binary" 0 '^ExecStart=/usr/sbin/contrastd -c /etc/contrastd/contrastd.conf' -- \
	cat "$dest/lib/systemd/system/contrastd.service"
expect "the unit turns the outputs off after any stop" 0 '^ExecStopPost=/usr/sbin/contrastd --safe-off' -- \
	cat "$dest/lib/systemd/system/contrastd.service"
expect "the installed completion registers contrastctl" 0 '^complete -F _contrastctl contrastctl$' -- \
	bash -c "source '$dest/usr/share/bash-completion/completions/contrastctl' && complete -p contrastctl"
expect "the installed completion registers contrastd" 0 '^complete -F _contrastd contrastd$' -- \
	bash -c "source '$dest/usr/share/bash-completion/completions/contrastd' && complete -p contrastd"
expect "no template markers left" 1 '' -- grep -q '@[A-Z]*@' "$dest/lib/systemd/system/contrastd.service"

# The udev rule: every GPIO chip to the group the sysusers file puts the service's user in.
rules=$dest/lib/udev/rules.d/60-contrastd-gpio.rules
expect "the udev rule gives /dev/gpiochip* to group gpio, 0660" 0 \
	'^SUBSYSTEM=="gpio", KERNEL=="gpiochip\[0-9\]\*", GROUP="gpio", MODE="0660"$' -- grep -v '^#' "$rules"
expect "the udev rule is the only rule in the file" 0 '^1$' -- bash -c "grep -cv '^#' '$rules'"
expect "the sysusers file makes group gpio and puts contrastd in it" 0 '^m contrastd gpio$' -- \
	cat "$dest/usr/lib/sysusers.d/contrastd.conf"
if udevadm verify --help >/dev/null 2>&1; then
	expect "udevadm verify accepts the rule" 0 '' -- udevadm verify --resolve-names=never "$rules"
else
	echo "note: this udevadm has no verify (systemd < 254): the rule's syntax is checked by the pattern above"
fi

echo "; edited by the owner" >>"$dest/etc/contrastd/contrastd.conf"
expect "a second install keeps the config" 0 'keeping existing' -- make -s install BUILD="$BUILD" DESTDIR="$dest" PREFIX=/usr
expect "the owner's edit is still there" 0 'edited by the owner' -- tail -n 1 "$dest/etc/contrastd/contrastd.conf"
finish
