/* SPDX-License-Identifier: MIT */
/*
 * What is particular to a Raspberry Pi's GPIO, for warnings at start and
 * in --probe. Nothing here is needed to drive a line.
 *
 *  - Released lines: the Raspberry Pi kernel keeps a released output
 *    driving (the persist_gpio_outputs parameter of pinctrl-bcm2835 and of
 *    the RP1 driver, Y by default) unless `dtparam=strict_gpiod` is set.
 *    Then between a crash or a SIGKILL and systemd's ExecStopPost, and
 *    always for a daemon started by hand, heat, enable and the power relay
 *    stay as they were. Read from /sys/module/ * /parameters/.
 *  - Pin controllers: the header's lines are on the chip labelled
 *    pinctrl-bcm2835 (Pi 1 to 3, Zero), pinctrl-bcm2711 (Pi 4, 400, CM4)
 *    or pinctrl-rp1 (Pi 5). A CHIP:OFFSET spec binds whatever chip has
 *    that number (on a Pi 5 before the kernel's renumbering gpiochip0 is a
 *    gpio-brcmstb chip): a line name does not move.
 */
#ifndef CONTRASTD_RPI_H
#define CONTRASTD_RPI_H

#include <stdbool.h>
#include <stddef.h>

#define RPI_PIN_CONTROLLERS "pinctrl-bcm2835, pinctrl-bcm2711, pinctrl-rp1"

/* Is this gpiochip label one of the Raspberry Pi pin controllers above? */
bool rpi_is_pin_controller(const char *chip_label);

/*
 * The drivers that keep a released line's output: every
 * /sys/module/NAME/parameters/persist_gpio_outputs that says Y (or 1).
 * Their NAMEs go into names ("pinctrl_bcm2835, pinctrl_rp1", "" when
 * none). Returns how many: 0 when released lines drop (or no driver has
 * the parameter, as mainline kernels before 6.11 and other boards).
 */
int rpi_persisting_drivers(char *names, size_t len);

/* The advice for a warning about persisting drivers, one sentence. */
#define RPI_STRICT_GPIOD_ADVICE \
	"add dtparam=strict_gpiod to /boot/firmware/config.txt and reboot, so that released lines " \
	"drop to their pulls (see docs/wiring.md)"

#endif
