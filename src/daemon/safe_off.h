/* SPDX-License-Identifier: MIT */
/*
 * contrastd --safe-off: what systemd runs after the service stops, however
 * it stopped (ExecStopPost). It drives every output line it can identify
 * to inactive whatever else is wrong:
 *
 *  - the config is read leniently (config_load_lenient): every error is
 *    logged and the parse goes on, so a program with warm_c = 52 or an
 *    unknown key still gives the zones' heat, cool, enable and fan lines
 *    and [safety] power;
 *  - the record of the lines the daemon last claimed (hw/output_lines.h,
 *    in the directory of the control socket the config names, the
 *    default one when [daemon] socket is missing or wrong) adds every line
 *    the config no longer names;
 *  - every line is requested at its inactive value, written inactive and
 *    released, past failures.
 *
 * The exit code says how the lines fared, never the config's other
 * errors: SAFE_OFF_OK when every line is inactive, SAFE_OFF_FAILED when a
 * line could not be driven (each named in the log) or no line at all is
 * known.
 */
#ifndef CONTRASTD_SAFE_OFF_H
#define CONTRASTD_SAFE_OFF_H

#define SAFE_OFF_OK     0
#define SAFE_OFF_FAILED 2

int safe_off_run(const char *config_path);

#endif
