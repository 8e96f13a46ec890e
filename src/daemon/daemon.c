/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include "config_parse.h"
#include "daemon.h"
#include "log.h"
#include "report.h"
#include "trace.h"

/* Exit codes: the interface in docs and --help. */
#define EXIT_COMPLETED  0
#define EXIT_FAULT      3

/* Simulated flat out: ticks per loop turn, so signals are still seen often. */
#define FAST_BATCH      2000
/* Simulated at a watchable speed: a progress line this often (simulated). */
#define STATUS_EVERY_S  30.0

int daemon_init(struct daemon *d, const struct options *opt, const struct config *cfg,
		const struct hw *hw, char *err, size_t err_len)
{
	memset(d, 0, sizeof(*d));
	d->opt = *opt;
	d->cfg = *cfg;
	d->signal_fd = -1;
	d->timer_fd = -1;
	d->progress = stdout;
	d->tick_s = 1.0 / d->cfg.daemon.control_hz;
	d->simulated = opt->simulate;
	if (d->simulated) {
		hw_sim_init(&d->sim, &d->cfg, opt->seed);
		for (int i = 0; i < opt->n_inject; i++) {
			struct sim_injection inj;

			if (sim_injection_parse(opt->inject[i], &d->cfg, &inj, err, err_len) < 0)
				return -1;
			hw_sim_add_injection(&d->sim, &inj);
		}
		d->hw = hw_sim_hw(&d->sim);
	} else {
		d->hw = *hw;
	}
	controller_init(&d->ctl, &d->cfg);
	/* Outputs start inactive, whatever state the lines were left in. */
	d->hw.ops->all_off(d->hw.ctx);

	if (opt->trace_path) {
		d->trace = fopen(opt->trace_path, "w");
		if (!d->trace) {
			snprintf(err, err_len, "--trace %s: %s", opt->trace_path, strerror(errno));
			return -1;
		}
		trace_header(d->trace);
	}
	d->start_pending = opt->start;
	d->exit_code = EXIT_COMPLETED;
	return 0;
}

static void describe_fault(const struct daemon *d, char *buf, size_t len)
{
	const char *names[MAX_ZONES];

	for (int z = 0; z < MAX_ZONES; z++)
		names[z] = z < d->cfg.n_zones ? d->cfg.zones[z].name : "?";
	safety_describe(safety_latched_fault(&d->ctl.safety), names, buf, len);
}

static void apply_pending_reload(struct daemon *d)
{
	if (!d->reload_pending || d->ctl.state == SESSION_RUNNING)
		return;
	d->cfg = d->cfg_pending;
	d->reload_pending = false;
	controller_reconfigure(&d->ctl, &d->cfg);
	log_notice("new configuration in force");
}

static void session_ended(struct daemon *d)
{
	char json[2048];

	report_progress(d->progress, &d->ctl, d->now_s);
	report_summary_json(&d->ctl, json, sizeof(json));
	fprintf(d->progress, "%s\n", json);
	fflush(d->progress);
	if (d->ctl.state == SESSION_FAULT) {
		char desc[256];

		describe_fault(d, desc, sizeof(desc));
		log_err("session ended by a safety fault: %s", desc);
	} else {
		log_notice("session %s after %.0f s", session_state_name(d->ctl.state),
			   d->ctl.session_end_s - d->ctl.session_start_s);
	}
	apply_pending_reload(d);
	if (d->simulated && d->opt.start) {
		d->quit = true;
		d->exit_code = d->ctl.state == SESSION_FAULT ? EXIT_FAULT : EXIT_COMPLETED;
		loop_quit(&d->loop, d->exit_code);
	}
}

static void start_session(struct daemon *d, const char *program)
{
	char why[512];

	if (controller_start(&d->ctl, program, d->now_s, why, sizeof(why)) < 0) {
		log_err("session refused: %s", why);
		fprintf(d->progress, "refused: %s\n", why);
		fflush(d->progress);
		if (d->simulated && d->opt.start) {
			d->quit = true;
			d->exit_code = EXIT_FAULT;
			loop_quit(&d->loop, d->exit_code);
		}
		return;
	}
	log_notice("session started: program %s, %d cycles, planned %.0f s", d->ctl.program.name,
		   d->ctl.program.cycles, program_planned_s(&d->ctl.program));
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
	d->ticks++;

	if (d->trace) {
		double true_pad[MAX_ZONES], true_sink[MAX_ZONES];

		for (int z = 0; z < d->cfg.n_zones && d->simulated; z++) {
			true_pad[z] = d->sim.plant.zone[z].pad_c;
			true_sink[z] = d->sim.plant.zone[z].sink_c;
		}
		trace_rows(d->trace, &d->ctl, now_s, &out, d->simulated ? true_pad : NULL,
			   d->simulated ? true_sink : NULL);
	}

	if (ev.fault_tripped && !ev.session_ended) {
		char desc[256];

		describe_fault(d, desc, sizeof(desc));
		log_err("safety fault latched: %s", desc);
	}
	if (ev.phase_changed) {
		report_progress(d->progress, &d->ctl, now_s);
		d->next_status_s = now_s + STATUS_EVERY_S;
	} else if (!d->fast && d->simulated && d->ctl.state == SESSION_RUNNING && now_s >= d->next_status_s) {
		report_progress(d->progress, &d->ctl, now_s);
		d->next_status_s = now_s + STATUS_EVERY_S;
	}
	if (ev.session_ended)
		session_ended(d);

	if (d->start_pending) {
		d->start_pending = false;
		start_session(d, d->opt.start_program);
	}
}

void daemon_sim_step(struct daemon *d)
{
	double prev_s = d->ticks ? d->now_s : -d->tick_s;
	double now_s = d->ticks ? d->now_s + d->tick_s : 0.0;

	hw_sim_advance(&d->sim, now_s);
	/* An injected stall: the loop sleeps, the plant does not. */
	double stall_s = hw_sim_take_stall(&d->sim);

	if (stall_s > 0.0) {
		now_s += stall_s;
		hw_sim_advance(&d->sim, now_s);
	}
	daemon_tick(d, now_s, now_s - prev_s);
}

/* Stop what runs, outputs off, and leave the loop (SIGINT, SIGTERM). */
static void shutdown_on_signal(struct daemon *d, const char *signame)
{
	log_notice("%s: stopping", signame);
	if (controller_stop(&d->ctl, d->now_s) == 0) {
		d->hw.ops->all_off(d->hw.ctx);
		session_ended(d);
	}
	d->hw.ops->all_off(d->hw.ctx);
	d->quit = true;
	d->exit_code = 0;
	loop_quit(&d->loop, 0);
}

static void reload(struct daemon *d)
{
	struct config_error err;

	if (config_load(d->opt.config_path, &d->cfg_pending, &err) < 0) {
		log_err("SIGHUP: %s; keeping the configuration in force", err.msg);
		return;
	}
	if (d->cfg_pending.n_zones != d->cfg.n_zones) {
		log_err("SIGHUP: %s has %d zones, the running daemon %d: restart to change zones; "
			"keeping the configuration in force", d->opt.config_path, d->cfg_pending.n_zones,
			d->cfg.n_zones);
		return;
	}
	d->reload_pending = true;
	if (d->ctl.state == SESSION_RUNNING)
		log_notice("SIGHUP: %s is valid; it applies when this session ends", d->opt.config_path);
	apply_pending_reload(d);
}

static void on_signal(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(d);
		else if (si.ssi_signo == SIGINT)
			shutdown_on_signal(d, "SIGINT");
		else if (si.ssi_signo == SIGTERM)
			shutdown_on_signal(d, "SIGTERM");
	}
}

static void go_fast(struct daemon *d);

static void on_timer(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	uint64_t expirations = timer_read(fd);

	(void)events;
	if (d->simulated) {
		/* Virtual time: one tick per expiration, so a slow machine only runs late. */
		for (uint64_t i = 0; i < expirations && !d->quit; i++)
			daemon_sim_step(d);
		if (!d->quit && d->opt.fast_after_s >= 0.0 &&
		    monotonic_s() - d->wall_start_s >= d->opt.fast_after_s)
			go_fast(d);
		return;
	}
	if (expirations == 0)
		return;
	double now_s = monotonic_s() - d->clock_origin_s;

	daemon_tick(d, now_s, d->ticks ? now_s - d->now_s : d->tick_s);
}

static void on_busy(void *arg)
{
	struct daemon *d = arg;

	for (int i = 0; i < FAST_BATCH && !d->quit; i++)
		daemon_sim_step(d);
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

int daemon_run(struct daemon *d)
{
	sigset_t mask;

	if (loop_init(&d->loop) < 0) {
		log_err("epoll: %s", strerror(errno));
		return 2;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->signal_fd < 0 || loop_add_fd(&d->loop, d->signal_fd, EPOLLIN, on_signal, d) < 0) {
		log_err("signalfd: %s", strerror(errno));
		return 2;
	}
	d->wall_start_s = monotonic_s();
	d->clock_origin_s = d->wall_start_s;

	if (d->simulated && (d->opt.speed == 0.0 || d->opt.fast_after_s == 0.0)) {
		go_fast(d);
	} else {
		double period_s = d->simulated ? d->tick_s / d->opt.speed : d->tick_s;

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
	return rc;
}

void daemon_close(struct daemon *d)
{
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
