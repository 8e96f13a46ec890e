/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include "config_parse.h"
#include "core/led.h"
#include "daemon.h"
#include "lib/duration.h"
#include "lib/lazy_zero.h"
#include "lib/log.h"
#include "lib/realtime.h"
#include "lib/strbuf.h"
#include "notify.h"
#include "report.h"
#include "status_json.h"
#include "trace.h"

/* Exit codes: the interface in docs and --help. */
#define EXIT_COMPLETED  0
#define EXIT_FAULT      3
#define EXIT_NO_SOCKET  1       /* the config's socket cannot be made: a config error */

/* Flat out: ticks per loop turn, so signals are still seen often. */
#define FAST_BATCH      2000

/* The trace has the charge pump's columns: power_mode = charge-pump, and the hardware can tell. */
static bool daemon_pump_traced(const struct daemon *d)
{
	return d->cfg.power_mode == POWER_MODE_CHARGE_PUMP && d->hw.ops->power_line != NULL;
}

int daemon_init(struct daemon *d, const struct options *opt, const struct config *cfg,
		const struct daemon_setup *setup, char *err, size_t err_len)
{
	/* Not memset: most of it (the control socket's buffers) is never written; see lazy_zero.h. */
	lazy_zero(d, sizeof(*d));
	d->opt = *opt;
	d->cfg = *cfg;
	d->signal_fd = -1;
	d->timer_fd = -1;
	d->progress = stdout;
	d->hw = setup->hw;
	d->clock = setup->clock;
	d->batch = setup->batch;
	d->progress_every_s = setup->progress_every_s;
	controller_init(&d->ctl, &d->cfg);
	/* Outputs start inactive, whatever state the lines were left in. */
	d->hw.ops->all_off(d->hw.ctx);
	/* What outlives the process, batch runs included: a latched fault comes back latched. */
	guard_init(&d->guard, &d->cfg, &d->ctl);
	/* The storage's waits off the loop (syncer.h): started before READY=1, as it allocates. */
	if (syncer_start(&d->syncer, err, err_len) < 0)
		return -1;
	d->guard.syncer = &d->syncer;

	if (opt->trace_path) {
		d->trace = fopen(opt->trace_path, "w");
		if (!d->trace) {
			snprintf(err, err_len, "--trace %s: %s", opt->trace_path, strerror(errno));
			return -1;
		}
		trace_header(d->trace, daemon_pump_traced(d));
	}
	d->start_pending = opt->start;
	d->exit_code = EXIT_COMPLETED;
	d->control.listen_fd = -1;
	d->control.timer_fd = -1;
	d->records_on = !d->batch;
	if (d->records_on) {
		records_init(&d->records, d->cfg.daemon.state_dir, d->cfg.daemon.keep_sessions);
		d->records.syncer = &d->syncer;
	} else
		d->records.fd = -1;
	return 0;
}

/* What the syncer thread could not write, said by the loop (the thread logs nothing). */
static void take_sync_results(struct daemon *d)
{
	char why[SYNCER_WHY_MAX];
	int csv_errno;
	bool ledger_failed;

	if (!syncer_take_result(&d->syncer, &csv_errno, &ledger_failed, why, sizeof(why)))
		return;         /* the thread holds the lock: next tick */
	if (csv_errno && d->records_on)
		records_sync_failed(&d->records, csv_errno);
	if (ledger_failed)
		log_err("%s", why);
}

/* The calendar time of the last tick (the ledger's and the lockout's 24 hours). */
static double calendar_now(const struct daemon *d)
{
	return d->clock.ops->calendar_s(d->clock.ctx, d->now_s);
}

static void describe_fault(const struct daemon *d, char *buf, size_t len)
{
	const char *names[MAX_ZONES];

	for (int z = 0; z < MAX_ZONES; z++)
		names[z] = z < d->cfg.n_zones ? d->cfg.zones[z].name : "?";
	safety_describe(safety_latched_fault(&d->ctl.safety), names, buf, len);
}

/*
 * What the last reload came to, for status: result, now, and message
 * (FAILED's FILE:LINE). A failure after a valid reload that waits for the
 * session says that one still applies.
 */
static void reload_outcome(struct daemon *d, enum reload_result result, const char *message)
{
	size_t pos = 0;

	d->reload.result = result;
	d->reload.at = time(NULL);
	d->reload.message[0] = '\0';
	strbuf_appendf(d->reload.message, sizeof(d->reload.message), &pos, "%s", message);
	if (result == RELOAD_FAILED && d->reload_pending)
		strbuf_appendf(d->reload.message, sizeof(d->reload.message), &pos,
			       " (the earlier valid reload still applies when this session ends)");
}

static void apply_pending_reload(struct daemon *d)
{
	if (!d->reload_pending || d->ctl.state == SESSION_RUNNING || controller_autotune_active(&d->ctl))
		return;
	if (strcmp(d->cfg_pending.daemon.socket, d->cfg.daemon.socket) != 0)
		log_warning("the control socket stays at %s until a restart (the new configuration "
			    "says %s)", d->cfg.daemon.socket, d->cfg_pending.daemon.socket);
	d->cfg = d->cfg_pending;
	d->reload_pending = false;
	controller_reconfigure(&d->ctl, &d->cfg);
	guard_reconfigure(&d->guard, &d->cfg);
	if (d->records_on)
		records_reconfigure(&d->records, d->cfg.daemon.state_dir, d->cfg.daemon.keep_sessions);
	reload_outcome(d, RELOAD_APPLIED, "");
	log_notice("new configuration in force");
}

static void session_ended(struct daemon *d)
{
	char json[2048];

	guard_session_ended(&d->guard, &d->ctl, calendar_now(d));
	if (d->records_on)
		records_session_end(&d->records, &d->ctl, d->now_s, d->end_how);
	report_progress(d->progress, &d->ctl, d->now_s);
	/* For the person watching, then the JSON line scripts read (the last line). */
	report_summary_text(&d->ctl, json, sizeof(json));
	fprintf(d->progress, "%s\n", json);
	report_summary_json(&d->ctl, json, sizeof(json));
	fprintf(d->progress, "%s\n", json);
	fflush(d->progress);
	if (d->ctl.state == SESSION_FAULT) {
		char desc[256];

		describe_fault(d, desc, sizeof(desc));
		log_err("session ended by a safety fault: %s", desc);
	} else {
		log_notice("session %s%s%s%s after %.0f s", session_state_name(d->ctl.state),
			   d->end_how ? " (" : "", d->end_how ? d->end_how : "", d->end_how ? ")" : "",
			   d->ctl.session_end_s - d->ctl.session_start_s);
	}
	d->end_how = NULL;
	apply_pending_reload(d);
	if (d->batch) {
		d->quit = true;
		d->exit_code = d->ctl.state == SESSION_FAULT ? EXIT_FAULT : EXIT_COMPLETED;
		loop_quit(&d->loop, d->exit_code);
	}
}

/* A session has just started: the log and the records. how: who asked. */
static void session_started(struct daemon *d, const char *how)
{
	char length[96];

	log_notice("session started (%s): program %s, %d cycles, %s", how, d->ctl.program.name,
		   d->ctl.program.cycles, duration_program_length(program_nominal_s(&d->ctl.program),
								  program_planned_s(&d->ctl.program),
								  length, sizeof(length)));
	if (d->records_on)
		records_session_start(&d->records, &d->ctl, d->now_s, time(NULL), how);
}

/* --start (and the button): start now; a refusal is logged and, in a batch run, ends the run. */
static void start_session(struct daemon *d, const char *program, const char *how)
{
	char why[512];

	if (guard_start(&d->guard, &d->ctl, program, d->now_s, calendar_now(d), why, sizeof(why)) < 0) {
		log_err("session refused: %s", why);
		fprintf(d->progress, "refused: %s\n", why);
		fflush(d->progress);
		if (d->batch) {
			d->quit = true;
			d->exit_code = EXIT_FAULT;
			loop_quit(&d->loop, d->exit_code);
		}
		return;
	}
	session_started(d, how);
}

/* An autotune run is over (done, failed, stopped): the log, and a pending reload. */
static void autotune_ended(struct daemon *d)
{
	const struct autotune *a = &d->ctl.tune;
	const char *zone = d->cfg.zones[d->ctl.tune_zone].name;

	if (a->stage == AUTOTUNE_DONE)
		log_notice("autotune %s: done: heat_kp %.2f (Ku %.2f, Tu %.2f s, b %.3f C/s), cool_kp %.2f "
			   "(Ku %.2f, Tu %.2f s, b %.3f C/s)", zone, a->heat.kp, a->heat.ku, a->heat.tu_s,
			   a->heat.plant_gain_c_per_s, a->cool.kp, a->cool.ku, a->cool.tu_s,
			   a->cool.plant_gain_c_per_s);
	else
		log_warning("autotune %s: failed: %s", zone, a->why);
	fprintf(d->progress, "autotune %s: %s%s%s\n", zone, autotune_stage_name(a->stage),
		a->stage == AUTOTUNE_FAILED ? ": " : "", a->stage == AUTOTUNE_FAILED ? a->why : "");
	fflush(d->progress);
	apply_pending_reload(d);
}

/* End a run under way (stop, the button, a signal): outputs off now. Returns -1 if none runs. */
static int autotune_stop(struct daemon *d, const char *who)
{
	char why[96];

	snprintf(why, sizeof(why), "stopped (%s)", who);
	if (controller_autotune_cancel(&d->ctl, why) < 0)
		return -1;
	if (d->hw.ops->all_off(d->hw.ctx) < 0)
		log_err("could not drive every output off after a stop");
	autotune_ended(d);
	return 0;
}

/* STATUS= once a second of real time, WATCHDOG=1 when due and this tick was healthy. */
static void notify_tick(struct daemon *d, double gap_s, bool sensors_ok)
{
	double mono = monotonic_s();

	if (mono >= d->next_notify_s) {
		char status[256];

		report_status(&d->ctl, d->now_s, status, sizeof(status));
		notify_status(status);
		d->next_notify_s = mono + 1.0;
	}
	/* On time: no gap longer than the supervisor's overrun limit. */
	bool on_time = gap_s <= d->cfg.safety.overrun_s;

	if (d->watchdog_period_s > 0.0 && mono >= d->next_watchdog_s && on_time && sensors_ok) {
		notify_watchdog();
		d->next_watchdog_s = mono + d->watchdog_period_s;
	}
}

/* Every configured sensor of every zone answered this tick. */
static bool sensors_answered(const struct daemon *d, const struct tick_inputs *in)
{
	for (int z = 0; z < d->cfg.n_zones; z++) {
		if (!in->pad[z].ok || !in->heatsink[z].ok)
			return false;
		if (d->cfg.zones[z].pad_sensor2[0] && !in->pad2[z].ok)
			return false;
	}
	return true;
}

/*
 * The status light: its pattern from the state (core/led.h), written each
 * tick. Lockout is not a state of this daemon yet: false until it is.
 * A failed write is logged once; the light drives nothing that matters
 * for safety.
 */
static void update_led(struct daemon *d, double now_s)
{
	/* The lockout as last seen (guard_tick looks at its file once a second). */
	bool lockout = lockout_locked(&d->guard.lockout);
	/* Autotune drives a pad as a session does: the light says so. */
	enum session_state shown = controller_autotune_active(&d->ctl) ? SESSION_RUNNING : d->ctl.state;
	enum led_pattern p = led_pattern_for(shown, safety_latched(&d->ctl.safety), lockout);

	if (!d->hw.ops->set_led)
		return;
	if (d->hw.ops->set_led(d->hw.ctx, now_s, led_lit(p, now_s)) < 0) {
		if (!d->led_failed)
			log_err("status light: the write failed (%s); it may not show the state", strerror(errno));
		d->led_failed = true;
	} else {
		d->led_failed = false;
	}
}

void daemon_tick(struct daemon *d, double now_s, double gap_s)
{
	struct tick_inputs in;
	struct tick_outputs out;
	struct tick_events ev;
	int failed_zone = -1;

	memset(&in, 0, sizeof(in));
	in.loop_gap_s = gap_s;
	d->now_s = now_s;
	d->hw.ops->read(d->hw.ctx, now_s, &in);
	controller_tick(&d->ctl, now_s, &in, &out, &ev);

	if (d->hw.ops->apply(d->hw.ctx, now_s, &out, &failed_zone) < 0) {
		bool was_running = d->ctl.state == SESSION_RUNNING;

		controller_output_error(&d->ctl, now_s, failed_zone);
		out = d->ctl.out;
		ev.fault_tripped = true;
		ev.session_ended = ev.session_ended || was_running;
		if (d->hw.ops->all_off(d->hw.ctx) < 0)
			log_err("could not drive every output off after a write error");
	} else if (ev.fault_tripped && d->hw.ops->all_off(d->hw.ctx) < 0) {
		log_err("could not drive every output off after a safety trip");
	}
	/* The outputs are off: now the latch and the lockout go to state_dir. */
	if (ev.fault_tripped)
		guard_tripped(&d->guard, &d->ctl, calendar_now(d));
	guard_tick(&d->guard, &d->ctl, now_s, calendar_now(d), monotonic_s());
	take_sync_results(d);
	d->ticks++;
	update_led(d, now_s);

	if (d->trace) {
		double true_pad[MAX_ZONES], true_sink[MAX_ZONES];
		bool truth = d->hw.ops->truth != NULL;

		if (truth)
			d->hw.ops->truth(d->hw.ctx, true_pad, true_sink);
		struct trace_pump pump;

		if (daemon_pump_traced(d))
			d->hw.ops->power_line(d->hw.ctx, &pump.edges, &pump.relay);
		trace_rows(d->trace, &d->ctl, now_s, &out, truth ? true_pad : NULL, truth ? true_sink : NULL,
			   daemon_pump_traced(d) ? &pump : NULL);
	}

	if (ev.fault_tripped && !ev.session_ended) {
		char desc[256];

		describe_fault(d, desc, sizeof(desc));
		log_err("safety fault latched: %s", desc);
	}
	if (ev.phase_changed) {
		report_progress(d->progress, &d->ctl, now_s);
		d->next_status_s = now_s + d->progress_every_s;
	} else if (d->progress_every_s > 0.0 && !d->fast && d->ctl.state == SESSION_RUNNING &&
		   now_s >= d->next_status_s) {
		report_progress(d->progress, &d->ctl, now_s);
		d->next_status_s = now_s + d->progress_every_s;
	}
	if (ev.autotune_ended)
		autotune_ended(d);
	if (ev.session_ended)
		session_ended(d);
	else if (d->records_on)
		records_tick(&d->records, &d->ctl, now_s);     /* rows while running; pruning */

	if (!d->ready_sent) {
		/* The hardware is open and the first readings are in. */
		notify_ready();
		d->ready_sent = true;
	}
	notify_tick(d, gap_s, sensors_answered(d, &in));

	if (d->start_pending) {
		d->start_pending = false;
		start_session(d, d->opt.start_program, "--start");
	}
}

void daemon_step(struct daemon *d)
{
	double gap_s;
	double now_s = d->clock.ops->next_tick(d->clock.ctx, &gap_s);

	daemon_tick(d, now_s, gap_s);
}

/* Stop what runs, outputs off, and leave the loop (SIGINT, SIGTERM). */
static void shutdown_on_signal(struct daemon *d, const char *signame)
{
	log_notice("%s: stopping", signame);
	notify_stopping();
	autotune_stop(d, signame);
	if (controller_stop(&d->ctl, d->now_s) == 0) {
		d->hw.ops->all_off(d->hw.ctx);
		d->end_how = signame;
		session_ended(d);
	}
	d->hw.ops->all_off(d->hw.ctx);
	d->quit = true;
	d->exit_code = 0;
	loop_quit(&d->loop, 0);
}

/*
 * The settings that are fixed once the hardware is open and the loop runs:
 * which lines and sensors, their polarity, the PWM and the loop rate.
 * Returns the name of the first that differs, or NULL.
 */
static const char *fixed_setting_changed(const struct config *a, const struct config *b)
{
	if (a->daemon.control_hz != b->daemon.control_hz)
		return "[daemon] control_hz";
	if (a->daemon.pwm_period_s != b->daemon.pwm_period_s)
		return "[daemon] pwm_period_s";
	if (a->daemon.dead_time_ms != b->daemon.dead_time_ms)
		return "[daemon] dead_time_ms";
	if (strcmp(a->daemon.iio_context, b->daemon.iio_context))
		return "[daemon] iio_context";
	/* The instance lock is on it. */
	if (strcmp(a->daemon.state_dir, b->daemon.state_dir))
		return "[daemon] state_dir";
	if (a->daemon.realtime != b->daemon.realtime)
		return "[daemon] realtime";
	if (a->button.present != b->button.present || strcmp(a->button.line, b->button.line) ||
	    a->button.active_low != b->button.active_low || a->button.debounce_ms != b->button.debounce_ms ||
	    a->button.long_press_s != b->button.long_press_s || strcmp(a->button.led, b->button.led) ||
	    a->button.led_active_low != b->button.led_active_low)
		return "[button]";
	if (strcmp(a->power_line, b->power_line) || a->power_active_low != b->power_active_low)
		return "[safety] power";
	if (a->power_mode != b->power_mode || a->charge_pump_hz != b->charge_pump_hz)
		return "[safety] power_mode or charge_pump_hz";
	if (a->n_zones != b->n_zones)
		return "the number of zones";
	for (int z = 0; z < a->n_zones; z++) {
		const struct config_zone *za = &a->zones[z], *zb = &b->zones[z];

		if (strcmp(za->name, zb->name) || strcmp(za->heat, zb->heat) || strcmp(za->cool, zb->cool) ||
		    strcmp(za->enable, zb->enable) || strcmp(za->fan, zb->fan) ||
		    za->active_low != zb->active_low || strcmp(za->pad_sensor, zb->pad_sensor) ||
		    strcmp(za->pad_sensor2, zb->pad_sensor2) || strcmp(za->heatsink_sensor, zb->heatsink_sensor))
			return "a zone's name, lines or sensors";
	}
	return NULL;
}

static void reload(struct daemon *d)
{
	struct config_error err;

	/* cfg_pending may hold a valid config waiting for the session: parse beside it. */
	static struct config loaded;

	if (config_load(d->opt.config_path, &loaded, &err) < 0) {
		log_err("SIGHUP: %s; keeping the configuration in force", err.msg);
		reload_outcome(d, RELOAD_FAILED, err.msg);
		return;
	}
	const char *changed = fixed_setting_changed(&d->cfg, &loaded);
	char hw_fixed[160];

	if (!changed && d->hw.ops->reload_check &&
	    d->hw.ops->reload_check(d->hw.ctx, &loaded, hw_fixed, sizeof(hw_fixed)) < 0)
		changed = hw_fixed;
	if (changed) {
		char why[sizeof(d->reload.message)];

		snprintf(why, sizeof(why), "%s changes %s, which only a restart can apply",
			 d->opt.config_path, changed);
		log_err("SIGHUP: %s; keeping the configuration in force", why);
		reload_outcome(d, RELOAD_FAILED, why);
		return;
	}
	d->cfg_pending = loaded;
	d->reload_pending = true;
	if (d->ctl.state == SESSION_RUNNING) {
		log_notice("SIGHUP: %s is valid; it applies when this session ends", d->opt.config_path);
		reload_outcome(d, RELOAD_PENDING, "");
	}
	apply_pending_reload(d);
}

static void handled_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGUSR1);
	sigaddset(mask, SIGUSR2);
	sigaddset(mask, SIGALRM);
}

void daemon_block_signals(void)
{
	sigset_t mask;

	handled_signals(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);
}

void daemon_unblock_signals(void)
{
	sigset_t mask;

	handled_signals(&mask);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
}

static void on_signal(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload(d);
		} else if (si.ssi_signo == SIGINT) {
			shutdown_on_signal(d, "SIGINT");
		} else if (si.ssi_signo == SIGTERM) {
			shutdown_on_signal(d, "SIGTERM");
		} else if (si.ssi_signo == SIGUSR1) {
			char status[256];

			report_status(&d->ctl, d->now_s, status, sizeof(status));
			log_notice("SIGUSR1: %s", status);
		} else {
			log_notice("%s from pid %ld: ignored", si.ssi_signo == SIGUSR2 ? "SIGUSR2" : "SIGALRM",
				   (long)si.ssi_pid);
		}
	}
}

static void go_fast(struct daemon *d);

static void on_timer(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	uint64_t expirations = timer_read(fd);

	(void)events;
	uint64_t due = d->clock.ops->ticks_due(d->clock.ctx, expirations);

	for (uint64_t i = 0; i < due && !d->quit; i++)
		daemon_step(d);
	if (!d->quit && d->clock.ops->period_s(d->clock.ctx) == 0.0)
		go_fast(d);
}

static void on_busy(void *arg)
{
	struct daemon *d = arg;

	for (int i = 0; i < FAST_BATCH && !d->quit; i++)
		daemon_step(d);
}

static void go_fast(struct daemon *d)
{
	if (d->fast)
		return;
	d->fast = true;
	if (d->timer_fd >= 0) {
		loop_remove_fd(&d->loop, d->timer_fd);
		close(d->timer_fd);
		d->timer_fd = -1;
	}
	loop_set_busy(&d->loop, on_busy, d);
}

/*
 * The control socket's commands (lib/protocol.h), one handler each. They
 * run between ticks, at the last tick's time. who: the peer, for the log
 * and the records. A refusal goes back to the client as the reply's error;
 * control.c logs it with the peer.
 */
typedef void (*command_handler)(struct daemon *d, const struct control_request *req, const char *who,
				struct control_reply *reply);

static void status_top(void *arg, struct json_out *j)
{
	struct daemon *d = arg;

	guard_status_json(&d->guard, &d->ctl, calendar_now(d), j);
}

static void status_zone(void *arg, int z, struct json_out *j)
{
	struct daemon *d = arg;

	guard_zone_json(&d->guard, &d->ctl, z, calendar_now(d), j);
}

/* The reply to status, start, stop and ack: the status as it is now. */
static void reply_status(struct daemon *d, struct control_reply *reply)
{
	struct status_extra x = { .top = status_top, .zone = status_zone, .arg = d,
				  .lockout = lockout_locked(&d->guard.lockout) };

	if (status_json_build_extra(&d->ctl, d->now_s, &d->reload, &x, control_reply_value(reply),
				    reply->value_cap) < 0)
		control_reply_error(reply, "the status does not fit in a reply");
}

static void handle_status(struct daemon *d, const struct control_request *req, const char *who,
			  struct control_reply *reply)
{
	(void)req;
	(void)who;
	reply_status(d, reply);
}

static void handle_start(struct daemon *d, const struct control_request *req, const char *who,
			 struct control_reply *reply)
{
	char why[512];

	if (req->arg.given && config_find_program(&d->cfg, req->arg.name) < 0) {
		control_reply_error(reply, "%s", config_unknown_program(&d->cfg, req->arg.name, why, sizeof(why)));
		return;
	}
	if (guard_start(&d->guard, &d->ctl, req->arg.given ? req->arg.name : NULL, d->now_s, calendar_now(d),
			why, sizeof(why)) < 0) {
		control_reply_error(reply, "%s", why);
		return;
	}
	session_started(d, who);
	reply_status(d, reply);
}

static void handle_stop(struct daemon *d, const struct control_request *req, const char *who,
			struct control_reply *reply)
{
	(void)req;
	if (autotune_stop(d, who) == 0) {
		reply_status(d, reply);
		return;
	}
	if (controller_stop(&d->ctl, d->now_s) < 0) {
		control_reply_error(reply, "%s", protocol_command(CONTROL_STOP)->nothing_to_do);
		return;
	}
	/* Off now, not at the next tick. */
	if (d->hw.ops->all_off(d->hw.ctx) < 0)
		log_err("could not drive every output off after a stop");
	d->end_how = who;
	session_ended(d);
	reply_status(d, reply);
}

static void handle_ack(struct daemon *d, const struct control_request *req, const char *who,
		       struct control_reply *reply)
{
	char why[512];

	(void)req;
	if (!safety_latched(&d->ctl.safety)) {
		control_reply_error(reply, "%s", protocol_command(CONTROL_ACK)->nothing_to_do);
		return;
	}
	if (guard_ack(&d->guard, &d->ctl, d->now_s, why, sizeof(why)) < 0) {
		control_reply_error(reply, "%s", why);
		return;
	}
	log_notice("fault acknowledged (%s): idle", who);
	apply_pending_reload(d);
	reply_status(d, reply);
}

static void handle_programs(struct daemon *d, const struct control_request *req, const char *who,
			    struct control_reply *reply)
{
	(void)who;
	if (req->arg.given) {
		int index = config_find_program(&d->cfg, req->arg.name);
		char why[512];

		if (index < 0)
			control_reply_error(reply, "%s", config_unknown_program(&d->cfg, req->arg.name, why,
										 sizeof(why)));
		else if (program_json_build_one(&d->cfg, index, control_reply_value(reply), reply->value_cap) < 0)
			control_reply_error(reply, "the program does not fit in a reply");
		return;
	}
	if (programs_json_build(&d->cfg, control_reply_value(reply), reply->value_cap) < 0)
		control_reply_error(reply, "the programs do not fit in a reply");
}

static void handle_log(struct daemon *d, const struct control_request *req, const char *who,
		       struct control_reply *reply)
{
	(void)who;
	if (records_list_json(d->cfg.daemon.state_dir, req->arg.count, control_reply_value(reply),
			      reply->value_cap) < 0)
		control_reply_error(reply, "cannot read %s/sessions.jsonl (the daemon's log says why)",
				    d->cfg.daemon.state_dir);
}

static void handle_calibrate(struct daemon *d, const struct control_request *req, const char *who,
			     struct control_reply *reply)
{
	char msg[1024];
	struct json_out j;

	(void)who;
	if (guard_calibrate(&d->guard, &d->ctl, req->arg.name, req->arg.real, msg, sizeof(msg)) < 0) {
		control_reply_error(reply, "%s", msg);
		return;
	}
	json_out_init(&j, control_reply_value(reply), reply->value_cap);
	json_out_begin_object(&j);
	json_out_key(&j, "zone");
	json_out_string(&j, req->arg.name);
	json_out_key(&j, "reference_c");
	json_out_number(&j, req->arg.real, 2);
	json_out_key(&j, "message");
	json_out_string(&j, msg);
	json_out_end_object(&j);
	if (json_out_overflow(&j))
		control_reply_error(reply, "the reply does not fit");
}

static void handle_autotune(struct daemon *d, const struct control_request *req, const char *who,
			    struct control_reply *reply)
{
	char why[512];
	int zone = -1;
	size_t pos = 0;

	for (int z = 0; z < d->cfg.n_zones; z++)
		if (strcmp(d->cfg.zones[z].name, req->arg.name) == 0)
			zone = z;
	if (zone < 0) {
		strbuf_appendf(why, sizeof(why), &pos, "no zone named '%s' (zones:", req->arg.name);
		for (int z = 0; z < d->cfg.n_zones; z++)
			strbuf_appendf(why, sizeof(why), &pos, " %s", d->cfg.zones[z].name);
		strbuf_appendf(why, sizeof(why), &pos, ")");
		control_reply_error(reply, "%s", why);
		return;
	}
	if (lockout_locked(&d->guard.lockout)) {
		control_reply_error(reply, "a lockout is in force: no autotune until it ends");
		return;
	}
	if (controller_autotune_start(&d->ctl, zone, d->now_s, why, sizeof(why)) < 0) {
		control_reply_error(reply, "%s", why);
		return;
	}
	log_notice("autotune %s started (%s): heat around %.1f C, then cool around %.1f C", req->arg.name, who,
		   d->ctl.tune.p.heat_mid_c, d->ctl.tune.p.cool_mid_c);
	reply_status(d, reply);
}

/*
 * The handler of each command of the protocol table. A switch and not an
 * array: with -Wswitch (-Wall) and -Werror the build fails when a command
 * has no case here, where an array would silently hold a NULL.
 */
static command_handler handler_of(enum control_command c)
{
	switch (c) {
	case CONTROL_STATUS:
		return handle_status;
	case CONTROL_START:
		return handle_start;
	case CONTROL_STOP:
		return handle_stop;
	case CONTROL_ACK:
		return handle_ack;
	case CONTROL_PROGRAMS:
		return handle_programs;
	case CONTROL_LOG:
		return handle_log;
	case CONTROL_CALIBRATE:
		return handle_calibrate;
	case CONTROL_AUTOTUNE:
		return handle_autotune;
	case CONTROL_N_COMMANDS:
		break;
	}
	return NULL;
}

/* A command from the control socket (control.h): its handler. */
static void on_control(void *arg, const struct control_request *req, struct control_reply *reply)
{
	struct daemon *d = arg;
	command_handler handler = handler_of(req->command);
	char who[64];

	if (!handler) {
		control_reply_error(reply, "unknown command");
		return;
	}
	if (req->peer.known)
		snprintf(who, sizeof(who), "uid %ld pid %ld", (long)req->peer.uid, (long)req->peer.pid);
	else
		snprintf(who, sizeof(who), "control socket");
	handler(d, req, who, reply);
}

/*
 * The bedside button (hw_events). A short press starts the default
 * program when no session runs and stops the one that runs; a long press
 * acknowledges a latched fault once its cause has cleared, and, like a
 * short one, stops a running session (someone holding the button in a
 * hurry must not find it ignored). Every press is logged, and recorded in
 * the running session's CSV. Runs between ticks, at the last tick's time,
 * like a control-socket command.
 */
void daemon_button(struct daemon *d, enum button_event event)
{
	char why[512], what[48];

	log_notice("button: %s (session %s)", button_event_name(event), session_state_name(d->ctl.state));
	snprintf(what, sizeof(what), "button %s", button_event_name(event));
	if (d->records_on && d->ctl.state == SESSION_RUNNING)
		records_event(&d->records, &d->ctl, d->now_s, what);
	/* Any press ends an autotune run, as it stops a session. */
	if (autotune_stop(d, "button") == 0)
		return;
	switch (d->ctl.state) {
	case SESSION_RUNNING:
		if (controller_stop(&d->ctl, d->now_s) < 0)
			return;
		/* Off now, not at the next tick. */
		if (d->hw.ops->all_off(d->hw.ctx) < 0)
			log_err("could not drive every output off after a stop");
		d->end_how = "button";
		session_ended(d);
		return;
	case SESSION_FAULT:
		if (event != BUTTON_LONG_PRESS) {
			log_warning("button: a fault is latched: hold the button %.0f s to acknowledge it "
				    "once its cause has cleared", d->cfg.button.long_press_s);
			return;
		}
		if (guard_ack(&d->guard, &d->ctl, d->now_s, why, sizeof(why)) < 0) {
			log_warning("button: fault not acknowledged: %s", why);
			return;
		}
		log_notice("fault acknowledged (button): idle");
		apply_pending_reload(d);
		return;
	case SESSION_IDLE:
	case SESSION_COMPLETED:
	case SESSION_STOPPED:
		/* [button] start_press: which press starts; the other one is only logged. */
		if ((event == BUTTON_LONG_PRESS) == (d->cfg.button.start_press == START_PRESS_LONG))
			start_session(d, NULL, "button");
		else if (event == BUTTON_SHORT_PRESS)
			log_notice("button: short press: start_press = long: hold the button %.0f s to start "
				   "a session", d->cfg.button.long_press_s);
		else
			log_notice("button: long press: no fault to acknowledge");
		return;
	}
}

/* hw_events: the real hardware reports a press (now_s is its own clock: the tick's time counts). */
static void on_button(void *arg, enum button_event event, double now_s)
{
	(void)now_s;
	daemon_button(arg, event);
}

int daemon_run(struct daemon *d)
{
	sigset_t mask;

	if (loop_init(&d->loop) < 0) {
		log_err("epoll: %s", strerror(errno));
		return 2;
	}
	handled_signals(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->signal_fd < 0 || loop_add_fd(&d->loop, d->signal_fd, EPOLLIN, on_signal, d) < 0) {
		log_err("signalfd: %s", strerror(errno));
		return 2;
	}
	/* The real hardware's PWM-edge timer and button; the simulated one has none. */
	if (d->hw.ops->attach) {
		struct hw_events ev = { .button = on_button, .arg = d };

		if (d->hw.ops->attach(d->hw.ctx, &d->loop, &ev) < 0)
			return 2;       /* attach logged why */
	}
	if (d->cfg.daemon.realtime) {
		char err[256];

		if (realtime_enter(err, sizeof(err)) < 0)
			log_err("realtime = yes: %s; running at normal priority", err);
		else
			log_info("realtime: SCHED_FIFO at priority %d, memory locked", REALTIME_PRIORITY);
	}
	d->clock.ops->start(d->clock.ctx);
	d->watchdog_period_s = notify_watchdog_period_s();
	if (d->watchdog_period_s > 0.0)
		log_info("watchdog: WATCHDOG=1 every %.1f s while the loop and the sensors are healthy",
			 d->watchdog_period_s);

	if (!d->batch) {
		char err[512];

		/*
		 * Fatal: a daemon nobody can ask or stop but by signal is worse than
		 * one that says why it did not start (contrastctl would call it not
		 * running). Exit 1: the configuration names a socket it cannot have.
		 */
		if (control_open(&d->control, &d->loop, d->cfg.daemon.socket, 0.0, on_control, d, err,
				 sizeof(err)) < 0) {
			log_err("%s; contrastd does not run without its control socket", err);
			d->hw.ops->all_off(d->hw.ctx);
			return EXIT_NO_SOCKET;
		}
		d->control_on = true;
	}

	double period_s = d->clock.ops->period_s(d->clock.ctx);

	if (period_s == 0.0) {
		go_fast(d);
	} else {
		d->timer_fd = timer_create_fd();
		if (d->timer_fd < 0 || timer_arm(d->timer_fd, 0.0, period_s) < 0 ||
		    loop_add_fd(&d->loop, d->timer_fd, EPOLLIN, on_timer, d) < 0) {
			log_err("timerfd: %s", strerror(errno));
			return 2;
		}
	}
	int rc = loop_run(&d->loop);

	if (rc < 0) {
		log_err("event loop: %s", strerror(errno));
		rc = 2;
	}
	d->hw.ops->all_off(d->hw.ctx);
	/* A trace that could not be written whole is a failed run, not exit 0. */
	if (d->trace) {
		if (trace_close(d->trace, d->opt.trace_path) < 0 && rc == 0)
			rc = 1;
		d->trace = NULL;
	}
	return rc;
}

void daemon_close(struct daemon *d)
{
	if (d->control_on) {
		control_close(&d->control);
		d->control_on = false;
	}
	if (d->records_on)
		records_finalise(&d->records);
	syncer_stop(&d->syncer);        /* what it holds reaches the storage first */
	if (d->hw.ops) {
		d->hw.ops->all_off(d->hw.ctx);
		d->hw.ops->close(d->hw.ctx);
		d->hw.ops = NULL;
	}
	if (d->trace) {
		fclose(d->trace);
		d->trace = NULL;
	}
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	d->timer_fd = d->signal_fd = -1;
	if (d->loop.epoll_fd > 0)
		loop_finalise(&d->loop);
}
