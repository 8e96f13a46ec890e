#!/usr/bin/env bash
# libgpiod 2 for the tests on a machine whose own libgpiod is 1.x (Debian 12):
# the source of Debian 13 (trixie)'s package, fetched with apt through a
# private sources list and lists directory under DIR (the machine's own apt
# configuration is never touched), built as a static library into
# DIR/install (headers, libgpiod.a, libgpiod.pc). Done once: a second run
# with DIR/install in place does nothing.
#
#   tests/kernel/libgpiod2.sh DIR
set -euo pipefail
DIR=${1:?usage: libgpiod2.sh DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
PREFIX=$DIR/install

if [[ -f $PREFIX/lib/libgpiod.a && -f $PREFIX/lib/pkgconfig/libgpiod.pc ]]; then
	exit 0
fi
for tool in apt-get cc make tar xz; do
	command -v "$tool" >/dev/null || { echo "libgpiod2: $tool is missing (make deps)"; exit 1; }
done

APT=$DIR/apt
mkdir -p "$APT/lists/partial" "$APT/sources.parts" "$APT/cache/archives/partial" "$DIR/src"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
	>"$APT/sources.list"
apt_private=(-o "Dir::Etc::SourceList=$APT/sources.list" -o "Dir::Etc::SourceParts=$APT/sources.parts"
	-o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o "APT::Get::List-Cleanup=0"
	-o "APT::Sandbox::User=root")

echo "libgpiod2: fetching Debian 13's libgpiod source (private apt lists in $APT)"
apt-get -q "${apt_private[@]}" update >"$DIR/apt-update.log" 2>&1 ||
	{ cat "$DIR/apt-update.log"; echo "libgpiod2: apt-get update of the trixie source list failed"; exit 1; }
# The .dsc may be missing from the mirror; the upstream tarball is all the build needs.
(cd "$DIR/src" && apt-get -q "${apt_private[@]}" source --download-only libgpiod >"$DIR/apt-source.log" 2>&1) || true
shopt -s nullglob
tarballs=("$DIR"/src/libgpiod_2.*.orig.tar.*)
if ((${#tarballs[@]} != 1)); then
	cat "$DIR/apt-source.log"
	echo "libgpiod2: expected one libgpiod_2.*.orig.tar.* in $DIR/src, found ${#tarballs[@]}"
	exit 1
fi
tarball=${tarballs[0]}
version=$(basename "$tarball" | sed -E 's/^libgpiod_([0-9.]+)\.orig\.tar\..*$/\1/')
rm -rf "$DIR/src/libgpiod-$version"
tar -xf "$tarball" -C "$DIR/src"
cd "$DIR/src/libgpiod-$version"
echo "libgpiod2: building libgpiod $version (static) into $PREFIX"
{
	./configure --prefix="$PREFIX" --disable-shared --enable-static --disable-tools \
		--disable-bindings-cxx --disable-bindings-python --disable-bindings-rust \
		--disable-bindings-glib --disable-dbus --disable-examples --disable-tests &&
		make -C lib -j"$(nproc)" && make -C lib install && make -C include install
} >"$DIR/build.log" 2>&1 || { tail -n 30 "$DIR/build.log"; echo "libgpiod2: the build failed"; exit 1; }
rm -f "$PREFIX"/lib/*.la
echo "libgpiod2: libgpiod $version in $PREFIX"
