/* SPDX-License-Identifier: MIT */
/* Raspberry Pi particulars. See rpi.h. */
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include "rpi.h"

#define PERSIST_GLOB "/sys/module/*/parameters/persist_gpio_outputs"

bool rpi_is_pin_controller(const char *chip_label)
{
	static const char *const labels[] = { "pinctrl-bcm2835", "pinctrl-bcm2711", "pinctrl-rp1" };

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(chip_label, labels[i]) == 0)
			return true;
	return false;
}

/* A bool module parameter reads "Y" or "N" (older kernels: "1" or "0"). */
static bool reads_yes(const char *path)
{
	char buf[8] = "";
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
}

int rpi_persisting_drivers(char *names, size_t len)
{
	glob_t g;
	int n = 0;
	size_t used = 0;

	names[0] = '\0';
	if (glob(PERSIST_GLOB, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		const char *name = path + strlen("/sys/module/");
		int name_len = (int)(strchr(name, '/') - name);

		if (!reads_yes(path))
			continue;
		if (used + 1 < len)
			used += (size_t)snprintf(names + used, len - used, "%s%.*s", n ? ", " : "", name_len, name);
		n++;
	}
	globfree(&g);
	return n;
}
