#!/usr/bin/env bash
# The test kernel for make check-kernel, built once and cached:
# Debian's linux-source-6.1, `make tinyconfig` plus tests/kernel/kernel.config
# (gpio-sim, the IIO core, the ti-ads1015 driver, i2c-stub as a module),
# with tests/kernel/patches/*.patch applied if there are any.
#
#   tests/kernel/build-kernel.sh CACHE_DIR
#
# Prints the directory holding bzImage and i2c-stub.ko:
# CACHE_DIR/<key>, the key being a hash of the linux-source version, the
# fragment and the patches. A key that is there is not rebuilt; a new key
# builds in CACHE_DIR/work (removed afterwards) and drops older keys.
set -euo pipefail
CACHE=${1:?usage: build-kernel.sh CACHE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
FRAGMENT=$HERE/kernel.config
TARBALL=/usr/src/linux-source-6.1.tar.xz

[[ -f $TARBALL ]] || { echo "build-kernel: no $TARBALL (apt-get install linux-source-6.1)" >&2; exit 1; }
version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
shopt -s nullglob
patches=("$HERE"/patches/*.patch)
key=$( { echo "linux-source-6.1 $version"; cat "$FRAGMENT"; for p in "${patches[@]}"; do cat "$p"; done; } |
	sha256sum | cut -c1-16)
OUT=$CACHE/$key
if [[ -f $OUT/bzImage && -f $OUT/i2c-stub.ko ]]; then
	echo "$OUT"
	exit 0
fi

mkdir -p "$CACHE"
WORK=$CACHE/work
rm -rf "$WORK"
mkdir -p "$WORK"
start=$(date +%s)
echo "build-kernel: linux-source-6.1 $version, tinyconfig + $(basename "$FRAGMENT")${patches:+ + ${#patches[@]} patch(es)}: key $key" >&2
tar -xJf "$TARBALL" -C "$WORK"
SRC=$WORK/linux-source-6.1
for p in "${patches[@]}"; do
	patch -d "$SRC" -p1 --quiet <"$p" || { echo "build-kernel: $p does not apply" >&2; exit 1; }
done
log=$CACHE/build-$key.log
{
	make -C "$SRC" tinyconfig &&
		"$SRC/scripts/kconfig/merge_config.sh" -m -O "$SRC" "$SRC/.config" "$FRAGMENT" &&
		make -C "$SRC" olddefconfig
} >"$log" 2>&1 || { tail -n 30 "$log" >&2; echo "build-kernel: configuring failed ($log)" >&2; exit 1; }
# Every line of the fragment must have survived olddefconfig (a missing dependency drops it).
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$FRAGMENT" | while IFS= read -r want; do
	grep -qx -- "$want" "$SRC/.config" || echo "$want"
done)
if [[ -n $missing ]]; then
	echo "build-kernel: the configuration lost: $missing (a dependency is missing from the fragment)" >&2
	exit 1
fi
make -C "$SRC" -j"$(nproc)" bzImage modules >>"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; echo "build-kernel: the build failed ($log)" >&2; exit 1; }
mkdir -p "$OUT.tmp"
cp "$SRC/arch/x86/boot/bzImage" "$SRC/drivers/i2c/i2c-stub.ko" "$SRC/.config" "$OUT.tmp/"
echo "$version" >"$OUT.tmp/linux-source-version"
# Only this key stays: the tree and older images go.
for old in "$CACHE"/*/; do
	old=${old%/}
	[[ $old != "$OUT.tmp" && $old != "$WORK" ]] && rm -rf "$old"
done
mv "$OUT.tmp" "$OUT"
rm -rf "$WORK"
echo "build-kernel: built in $(($(date +%s) - start)) s: $OUT ($(stat -c %s "$OUT/bzImage") bytes)" >&2
echo "$OUT"
