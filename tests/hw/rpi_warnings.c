/* SPDX-License-Identifier: MIT */
/*
 * The Raspberry Pi warnings of src/hw/hw_real.c and rpi.c, at start and
 * in --probe, with tests/hw/fake_gpio_lines.c for the GPIO chip (its
 * label given on the command line). Run by tests/process/test_rpi_warnings.sh
 * in a private mount namespace whose /sys/module is a tmpfs holding what
 * the test wants the kernel's module parameters to say.
 *
 *   rpi_warnings LABEL     start (hw_real_open: the log on stderr), then
 *                          --probe (stdout); a zone's fan is given as
 *                          gpiochip0:6, every other line by name
 */
#include <stdio.h>
#include <string.h>
#include "daemon/config_parse.h"
#include "hw/hw.h"
#include "hw/hw_real.h"
#include "fake_gpio_lines.h"

static const char config_text[] =
	"[button]\nline = GPIO26\n"
	"[zone left]\n"
	"heat = GPIO17\ncool = GPIO27\nenable = GPIO22\nfan = GPIO5\n"
	"pad_sensor = ads1015/voltage0\nheatsink_sensor = ads1015/voltage1\n"
	"[zone right]\n"
	"heat = GPIO23\ncool = GPIO24\nenable = GPIO25\nfan = gpiochip0:6\n"
	"pad_sensor = ads1015/voltage2\nheatsink_sensor = ads1015/voltage3\n"
	"[safety]\npower = GPIO16\n";

int main(int argc, char **argv)
{
	static struct config cfg;
	struct config_error cerr;
	struct hw hw;
	char err[1024];

	if (argc != 2) {
		fprintf(stderr, "usage: rpi_warnings CHIP_LABEL\n");
		return 1;
	}
	fake_gpio_chip_label = argv[1];
	if (config_parse_string(config_text, "rpi_warnings.conf", &cfg, &cerr) < 0) {
		fprintf(stderr, "rpi_warnings: %s\n", cerr.msg);
		return 1;
	}
	/* No IIO here: the start fails at the sensors, after the lines and their warnings. */
	if (hw_real_open(&cfg, &hw, err, sizeof(err)) == 0)
		hw.ops->close(hw.ctx);
	else
		fprintf(stderr, "start: %s\n", err);
	fflush(stderr);
	return hw_real_probe(&cfg, stdout) == 2 ? 0 : 1;
}
