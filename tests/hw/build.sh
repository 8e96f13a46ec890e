# Builds tests/hw/iio_sysfs.c (with the sanitizers) into $BUILD/tests-hw/.
# Sourced by tests/process/test_iio_sysfs.sh and test_iiod.sh; sets IIO_SYSFS.
# Not a unit test: it only runs inside the private namespace those scripts make.
BUILD=${BUILD:-build}
IIO_SYSFS=$BUILD/tests-hw/iio_sysfs

build_iio_sysfs() {
	local flags
	if ! flags=$(pkg-config --cflags --libs libiio cmocka 2>&1); then
		echo "FAIL: $flags"
		echo "FAIL: libiio or cmocka is missing (Debian packages libiio-dev libcmocka-dev; make deps installs them)"
		return 1
	fi
	mkdir -p "$BUILD/tests-hw"
	# shellcheck disable=SC2086
	cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes -Wformat=2 -Wvla -g -Isrc \
		-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
		tests/hw/iio_sysfs.c tests/hw/ads1015_tree.c src/hw/iio_sensors.c src/lib/log.c src/lib/strbuf.c \
		src/core/sensor.c src/core/thermistor.c \
		$flags -lm -o "$IIO_SYSFS"
}
