# Locust Studio bridge: streams a running Locust's state and statistics to the Node runner and carries its commands back.
"""
Imported by locust_studio_launch.py before ``locust.main.main()`` runs. It only registers event listeners (no User
classes, so Locust never takes it for a locustfile). The channel is the file descriptor named by
``LOCUST_STUDIO_CHANNEL_FD``: one JSON object per line in each direction, as specified by protocol/runner.ts.

Rules this module keeps: it never writes to stdout (the user's prints and Locust's logs live there), it never calls a
Locust function that resets statistics unless a ``reset`` command asks for it, and no exception of its own ever
reaches Locust (an exception escaping an event listener would turn the run's exit code into 2).
"""

import gc
import json
import logging
import os
import signal
import sys
import time
import traceback

import gevent
import locust
import locust.runners as locust_runners
import locust.stats as locust_stats
from locust_studio_channel import MAX_COMMAND_LINE_BYTES, MAX_LINE_BYTES, encode, open_channel

PROTOCOL_VERSION = 1
# PERCENTILES in protocol/runner.ts, in the same order (test/runner/bridgeConstants.test.ts compares them).
PERCENTILES = (0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 1.0)
MAX_ENDPOINTS_PER_TICK = 500
# Past this many distinct request names, the run is told once that names should be grouped (Locust keeps every one).
MANY_ENDPOINTS_WARNING = 1000
# Failures and exceptions per tick, and in the final message; the rest go out in later ticks (the oldest first).
MAX_FAILURES_PER_TICK = 200
MAX_EXCEPTIONS_PER_TICK = 50
MAX_FINAL_FAILURES = 1000
MAX_FINAL_EXCEPTIONS = 200
# An error text or traceback longer than this is cut (a 1 MB response body used as a message must not flood the panel).
MAX_TEXT_CHARS = 4096
# What a worker's reports are lowered to, so that the master's ticks are smooth (Locust's default is 3 s).
WORKER_REPORT_INTERVAL = 1.0
# protocol/limits.ts's statistics interval in seconds (test/runner/bridgeConstants.test.ts compares them).
DEFAULT_STATS_INTERVAL = 1.0
MIN_STATS_INTERVAL = 0.25
MAX_STATS_INTERVAL = 10.0
STATE_POLL_SECONDS = 0.1
# A failing stats loop must not flood the channel with the same traceback every interval.
MAX_ERROR_REPORTS = 20
# Endpoints named in the final message's `pending` (the ones waited on longest first); the counts cover them all.
MAX_PENDING_ENDPOINTS = 50
# The key under which a worker's bridge adds its probe's figures to its reports (Locust's report_to_master data).
PROBE_REPORT_KEY = "locust_studio"
# How often a load-generating process's event loop is asked to wake a sleeper: how late it wakes is its lag (_LoopLag).
LOOP_LAG_INTERVAL = 0.1
# Names the host a remote worker runs on (runner/remoteWorkers.ts sets it); its reports carry it to the master.
WORKER_HOST_ENV = "LOCUST_STUDIO_WORKER_HOST"
WORKER_HOST_REPORT_KEY = "locust_studio_host"

# Runner states as protocol/runner.ts names them; Locust's "cleanup" is its stopping phase, "missing" is worker-only.
STATES = {
    "ready": "ready",
    "spawning": "spawning",
    "running": "running",
    "cleanup": "stopping",
    "stopping": "stopping",
    "stopped": "stopped",
}

logger = logging.getLogger("locust_studio")


def _now_ms():
    return time.time() * 1000.0


def _ms(value):
    """A duration or size for the protocol: finite and non-negative (custom clients may report anything)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        return 0
    return int(value) if value.is_integer() else value


def _cut(text, limit=MAX_TEXT_CHARS):
    """`text` as a str of at most about `limit` characters; a longer one ends with a marker saying how long it was."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [truncated: {len(text)} characters]"


def _percentiles_of(histogram, count, percents):
    """
    Locust's percentiles (``calculate_response_time_percentile``) of a {rounded response time: count} histogram for
    several percents at once: the very same walk from the slowest time down, with the very same test
    (``count - processed <= int(count * percent)``), done once with one sort instead of once per percent. That sort per
    percent was most of a tick's time with many endpoints (14 sorts per changed endpoint), all of it on the gevent loop.
    """
    out = [0] * len(percents)
    # Percent i is answered by the first time (slowest first) at which processed >= need[i]; needs met in ascending order.
    need = [count - int(count * percent) for percent in percents]
    order = sorted(range(len(percents)), key=need.__getitem__)
    pending = len(order)
    j = 0
    processed = 0
    for response_time in sorted(histogram, reverse=True):
        processed += histogram[response_time]
        while j < pending and processed >= need[order[j]]:
            out[order[j]] = response_time
            j += 1
        if j == pending:
            break
    # Never reached (a histogram holding fewer than `count`): 0, as Locust says "if all response times were None".
    return out


def _locust_percentiles(entry):
    """
    The entry's cumulative PERCENTILES and its 99.99th, exactly as its own get_response_time_percentile gives them: in one
    pass when that method is Locust's plain one over its module function (every 2.x), else through the method itself.
    """
    percents = PERCENTILES + (0.9999,)
    entry_class = getattr(locust_stats, "StatsEntry", None)
    if (
        entry_class is not None
        and getattr(type(entry), "get_response_time_percentile", None) is getattr(entry_class, "get_response_time_percentile", None)
        and _SAME_WALK
    ):
        return _percentiles_of(entry.response_times, entry.num_requests, percents)
    return [entry.get_response_time_percentile(p) for p in percents]


def _same_walk():
    """Whether this Locust's calculate_response_time_percentile agrees with _percentiles_of (checked once, on samples)."""
    calculate = getattr(locust_stats, "calculate_response_time_percentile", None)
    if calculate is None:
        return False
    samples = [({}, 0), ({5: 1}, 1), ({1: 3, 7: 1, 90: 2, 1000: 1}, 7), ({2: 5, 40: 5}, 12), ({3: 2, 8: 9, 300: 4}, 15)]
    percents = PERCENTILES + (0.9999, 0.0)
    try:
        return all(_percentiles_of(h, n, percents) == [calculate(h, n, p) for p in percents] for h, n in samples)
    except Exception:
        return False


_SAME_WALK = _same_walk()


def _failures_timed_by_locust():
    """Whether Locust's StatsError notes when a failure was first and last seen (newer Locusts do)."""
    try:
        error = locust_stats.StatsError("GET", "/", "probe")
    except Exception:
        return False
    return hasattr(error, "first_seen") and hasattr(error, "last_seen")


# LOCUST_STUDIO_SHAPE_CLASS's value for "no shape" (not a Python name, so no class is called that).
NO_SHAPE = "-"


def _is_shape_class(value):
    """Locust's own test (``is_shape_class``): a LoadTestShape subclass that is not Locust's base class itself."""
    base = getattr(locust, "LoadTestShape", None)
    return (
        isinstance(value, type)
        and base is not None
        and issubclass(value, base)
        and value.__dict__.get("__module__") != base.__module__
    )


def _shape_classes(environment):
    """
    The shape classes a run may name: those in the locustfile's namespace, where Locust looks for its own (it imports
    the file as a module named after it). With several locustfiles (a directory, a list), every LoadTestShape subclass
    loaded so far.
    """
    locustfile = getattr(environment, "locustfile", None)
    module = sys.modules.get(os.path.splitext(os.path.basename(locustfile))[0]) if locustfile else None
    if module is not None:
        return [value for value in list(vars(module).values()) if _is_shape_class(value)]
    found, pending = [], list(getattr(locust, "LoadTestShape", type).__subclasses__())
    while pending:
        cls = pending.pop()
        if cls not in found:
            found.append(cls)
            pending.extend(cls.__subclasses__())
    return [cls for cls in found if _is_shape_class(cls)]


def locust_version():
    """Locust's version, or "" when the build does not know it (Debian's 2.12.1 says "" and its metadata "0.0.0")."""
    version = getattr(locust, "__version__", "") or ""
    if version:
        return str(version)
    try:
        from importlib.metadata import version as metadata_version

        version = metadata_version("locust")
    except Exception:
        version = ""
    if version and version != "0.0.0":
        return str(version)
    return debian_package_version()


def debian_package_version():
    """The upstream version dpkg knows for Debian's python3-locust ("2.12.1-1" -> "2.12.1"), or "" elsewhere."""
    if not str(getattr(locust, "__file__", "")).startswith("/usr/lib/python3/dist-packages/"):
        return ""
    try:
        import subprocess

        answer = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "python3-locust"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except Exception:
        return ""
    return answer.split(":", 1)[-1].rsplit("-", 1)[0] if answer else ""

def _request_name(url, args, kwargs):
    """The name a request is counted under: its `name=`, else its path (and query) as Locust names it."""
    name = kwargs.get("name") or (args[0] if args and isinstance(args[0], str) else None)
    if name:
        return str(name)
    text = str(url)
    if "://" in text:
        rest = text.split("://", 1)[1]
        slash = rest.find("/")
        text = rest[slash:] if slash >= 0 else "/"
    return text


class _Probe:
    """
    What Locust itself does not count and a run must still say, in every process of a run (workers too, which have no
    channel: they hand their figures to the master in their reports): users whose on_start raised (and exceptions from
    on_start and on_stop, which Locust 2.12 lets escape to gevent's hub unrecorded), and requests still waiting for an
    answer when the users were stopped (Locust counts a request only once it completed).
    """

    def __init__(self):
        self.environment = None
        self.started = 0
        self.failed_to_start = 0
        # token -> (method, name, monotonic start): requests waiting for their answer now.
        self.in_flight = {}
        self.next_token = 0
        # (method, name) -> [count, longest wait in seconds]: requests whose user was stopped while they waited.
        self.abandoned = {}
        # On a master: each worker's latest figures (its reports carry them), by worker id.
        self.reports = {}
        # On a master: the host each remote worker said it runs on, by worker id.
        self.hosts = {}
        self.own_host = os.environ.get(WORKER_HOST_ENV, "")

    # ---- installed once, at import, before Locust builds anything ----

    def install(self):
        events = getattr(locust, "events", None)
        if events is None:
            return
        for name, listener in (
            ("user_error", self._on_user_error),
            ("report_to_master", self._on_report_to_master),
            ("worker_report", self._on_worker_report),
            ("reset_stats", self._on_reset),
            ("init", self._on_init),
        ):
            hook = getattr(events, name, None)
            if hook is not None:
                hook.add_listener(listener)
        self._wrap_user_run()
        try:
            from locust.clients import HttpSession

            self._wrap_request(HttpSession)
        except Exception:
            pass
        try:
            from locust.contrib.fasthttp import FastHttpSession

            self._wrap_request(FastHttpSession)
        except Exception:
            pass

    def _wrap_user_run(self):
        user_class = getattr(locust, "User", None)
        original = getattr(user_class, "run", None)
        if original is None or getattr(original, "_locust_studio", False):
            return
        exceptions = getattr(locust, "exception", None)
        # Ways a user ends on purpose, never errors.
        quiet = tuple(cls for cls in (getattr(exceptions, "StopUser", None), getattr(exceptions, "StopTest", None)) if cls)
        probe = self

        def run(user):
            on_start = user.on_start
            started = []

            def on_start_noted(*args, **kwargs):
                result = on_start(*args, **kwargs)
                started.append(True)
                probe.started += 1
                return result

            try:
                user.on_start = on_start_noted
            except Exception:
                started.append(None)
            try:
                return original(user)
            except Exception as error:
                # Only on_start's and on_stop's exceptions get here: a task's are caught (and recorded) by its TaskSet.
                if not started:
                    probe.failed_to_start += 1
                if not isinstance(error, quiet):
                    probe._report_user_error(user, error, sys.exc_info()[2])
                raise

        run._locust_studio = True
        run.__wrapped__ = original
        user_class.run = run

    def _wrap_request(self, session_class):
        original = session_class.__dict__.get("request")
        if original is None or getattr(original, "_locust_studio", False):
            return
        probe = self
        greenlet_exit = gevent.GreenletExit

        def request(session, method, url, *args, **kwargs):
            token = probe._begin(method, url, args, kwargs)
            try:
                return original(session, method, url, *args, **kwargs)
            except greenlet_exit:
                probe._abandon(token)
                raise
            finally:
                probe.in_flight.pop(token, None)

        request._locust_studio = True
        request.__wrapped__ = original
        session_class.request = request

    def _begin(self, method, url, args, kwargs):
        self.next_token += 1
        try:
            self.in_flight[self.next_token] = (str(method).upper(), _request_name(url, args, kwargs), time.monotonic())
        except Exception:
            pass
        return self.next_token

    def _abandon(self, token):
        entry = self.in_flight.pop(token, None)
        if entry is None:
            return
        method, name, started = entry
        row = self.abandoned.setdefault((method, name), [0, 0.0])
        row[0] += 1
        row[1] = max(row[1], time.monotonic() - started)

    # ---- event listeners (each one guarded: an exception escaping one would change Locust's exit code) ----

    def _on_init(self, environment=None, runner=None, **_kwargs):
        self.environment = environment
        try:
            # Processes that run users (local, worker) measure their loop's lag; a master runs none.
            if not isinstance(runner if runner is not None else getattr(environment, "runner", None), locust_runners.MasterRunner):
                _loop_lag.start()
        except Exception:
            pass

    def _on_user_error(self, exception=None, **_kwargs):
        try:
            exception._locust_studio_reported = True
        except Exception:
            pass

    def _report_user_error(self, user, error, tb):
        """Records the exception as Locust records a task's (its user_error event), unless Locust already did."""
        if getattr(error, "_locust_studio_reported", False):
            return
        try:
            events = getattr(getattr(user, "environment", None), "events", None) or locust.events
            # The traceback from the user's code on, without this wrapper's frame.
            events.user_error.fire(user_instance=user, exception=error, tb=tb.tb_next if tb is not None else tb)
        except Exception:
            pass

    def _on_report_to_master(self, data=None, **_kwargs):
        try:
            if isinstance(data, dict):
                figures = self.figures(own=True)
                lag = _loop_lag.read()
                if lag is not None:
                    figures["loopLag"] = lag
                data[PROBE_REPORT_KEY] = figures
                if self.own_host:
                    data[WORKER_HOST_REPORT_KEY] = self.own_host
        except Exception:
            pass

    def _on_worker_report(self, client_id=None, data=None, **_kwargs):
        try:
            figures = data.get(PROBE_REPORT_KEY) if isinstance(data, dict) else None
            if isinstance(figures, dict):
                self.reports[str(client_id)] = figures
            host = data.get(WORKER_HOST_REPORT_KEY) if isinstance(data, dict) else None
            if isinstance(host, str) and host:
                self.hosts[str(client_id)] = host[:MAX_TEXT_CHARS]
        except Exception:
            pass

    def _on_reset(self, **_kwargs):
        self.abandoned.clear()
        for figures in self.reports.values():
            figures["pending"] = []

    # ---- figures ----

    def figures(self, own=False):
        """This process's figures (`own`), or with every worker's added: users started and not, requests pending."""
        now = time.monotonic()
        rows = {}

        def add(method, name, count, seconds):
            row = rows.setdefault((method, name), [0, 0.0])
            row[0] += count
            row[1] = max(row[1], seconds)

        for (method, name), (count, seconds) in list(self.abandoned.items()):
            add(method, name, count, seconds)
        for method, name, started in list(self.in_flight.values()):
            add(method, name, 1, now - started)
        started, failed = self.started, self.failed_to_start
        if not own:
            for figures in list(self.reports.values()):
                started += int(figures.get("started", 0) or 0)
                failed += int(figures.get("failedToStart", 0) or 0)
                for row in figures.get("pending") or ():
                    try:
                        add(str(row[0]), str(row[1]), int(row[2]), float(row[3]))
                    except Exception:
                        pass
        return {
            "started": started,
            "failedToStart": failed,
            "pending": [[method, name, count, seconds] for (method, name), (count, seconds) in rows.items()],
        }


_probe = _Probe()


class _LoopLag:
    """
    How late this process's gevent loop wakes a sleeper, on average since the last read. Every response time Locust
    measures includes that wait for the process: a loop kept busy by the users' own code, or a process starved of CPU
    by its neighbours on the machine, which its CPU use alone does not show.
    """

    def __init__(self):
        self.late_seconds = 0.0
        self.wakeups = 0
        self.started = False

    def start(self):
        if not self.started:
            self.started = True
            gevent.spawn(self._loop)

    def _loop(self):
        while True:
            before = time.monotonic()
            gevent.sleep(LOOP_LAG_INTERVAL)
            self.late_seconds += max(0.0, time.monotonic() - before - LOOP_LAG_INTERVAL)
            self.wakeups += 1

    def read(self):
        """The mean lateness in ms since the last read (None when the loop has not woken since), and starts anew."""
        if not self.wakeups:
            return None
        mean = self.late_seconds / self.wakeups * 1000
        self.late_seconds, self.wakeups = 0.0, 0
        return round(mean, 1)


_loop_lag = _LoopLag()


class _Seen:
    """What an endpoint looked like when it was last sent: the base of its next window."""

    __slots__ = ("entry", "requests", "failures", "response_times", "at")

    def __init__(self, entry, at):
        self.entry = entry
        self.requests = entry.num_requests
        self.failures = entry.num_failures
        self.response_times = dict(entry.response_times)
        self.at = at


class Bridge:
    """Follows one Locust environment: hello at init, state changes, ticks, commands, final statistics at quitting."""

    def __init__(self, channel, interval, shape_name=None):
        self.channel = channel
        self.interval = interval
        # The LoadTestShape subclass the run asked for by name (Locust itself takes the first one it finds).
        self.shape_name = shape_name
        self.environment = None
        self.runner = None
        self.seq = 0
        self.state = None
        self.closing = False
        self.last_tick_at = time.monotonic()
        self.seen = {}
        self.total_seen = None
        self.errors_reported = 0
        self.csv_repair = False
        # Locust keeps no times for failures: the bridge notes when it first and last saw each one change.
        # key -> [occurrences sent, firstSeen, lastSeen, occurrences seen]
        self.failures_seen = {}
        # Exception key (Locust's, a hash of the traceback) -> count sent.
        self.exceptions_sent = {}
        self.warned_many_endpoints = False
        self.tag_check_done = False
        # CPU the bridge's own loops spent (ticks, state polls): what it costs Locust, reported in the final message.
        self.cpu_seconds = 0.0
        # Whether a test began (a spawning or running state was seen): before that, a master may be waiting for workers.
        self.test_started = False
        self.quit_requested = False

    def leave_forked_child(self):
        """In a worker Locust forked (--processes): no hello, ticks or commands from here; the channel is the master's."""
        try:
            self.channel.open = False
            os.close(self.channel.fd)
        except OSError:
            pass
        for event, listener in ((locust.events.init, self.on_init), (locust.events.quitting, self.on_quitting)):
            try:
                event.remove_listener(listener)
            except Exception:
                pass

    # ---- event listeners (each one guarded: see the module docstring) ----

    def on_init(self, environment=None, runner=None, **_kwargs):
        try:
            self.environment = environment
            self.runner = runner if runner is not None else getattr(environment, "runner", None)
            if self.shape_name == NO_SHAPE:
                # The user chose users, spawn rate and run time: Locust would otherwise run the file's shape instead
                # (and bail out on --run-time).
                self.environment.shape_class = None
            elif self.shape_name:
                self._select_shape(self.shape_name)
            self.csv_repair = self._csv_needs_repair()
            if isinstance(self.runner, locust_runners.MasterRunner):
                # Locust installs its own SIGTERM handler only once its wait for workers is over; until then a SIGTERM
                # would kill the master outright, without final statistics. This one acts during that wait only.
                gevent.signal_handler(signal.SIGTERM, self._on_sigterm)
            self._send(self._hello())
            self._check_state()
            self.last_tick_at = time.monotonic()
            for loop in (self._stats_loop, self._state_loop, self._command_loop):
                gevent.spawn(self._guarded_loop, loop)
        except Exception:
            self._report("init")

    def on_quitting(self, environment=None, **_kwargs):
        if self.environment is None or self.closing:
            return
        try:
            # The run usually stopped just before (run time over, quit command): say so before saying "quitting".
            self._check_state()
            self.closing = True
            self._send({"type": "state", "state": "quitting", "userCount": self._user_count(), "t": _now_ms()})
            final = self._final()
            if self.csv_repair:
                self._write_final_csv()
            self._send(final)
        except Exception:
            self._report("quitting")

    # ---- the load shape ----

    def _select_shape(self, name):
        """
        Makes `name` the run's LoadTestShape: an instance of the locustfile's shape class of that name becomes
        ``environment.shape_class`` before the test starts (init fires before the headless start, which reads it from
        the environment). An unknown name ends the run with a clear message and exit code 1.
        """
        environment = self.environment
        current = getattr(environment, "shape_class", None)
        if current is not None and type(current).__name__ == name:
            return
        candidates = _shape_classes(environment)
        chosen = [cls for cls in candidates if cls.__name__ == name]
        if len(chosen) != 1:
            available = sorted({cls.__name__ for cls in candidates})
            if chosen:
                problem = f"{len(chosen)} LoadTestShape classes are named {name!r}"
            else:
                problem = f"no LoadTestShape class named {name!r} in the locustfile"
            message = f"{problem}; available: {', '.join(available) if available else 'none'}"
            self._send({"type": "error", "message": message})
            sys.stderr.write(f"Locust Studio: {message}\n")
            # SystemExit is no Exception: it passes Locust's event hook and ends locust.main with this status.
            sys.exit(1)
        shape = chosen[0]()
        shape.runner = self.runner
        environment.shape_class = shape

    # ---- messages ----

    def _hello(self):
        environment = self.environment
        shape = getattr(environment, "shape_class", None)
        return {
            "type": "hello",
            "protocol": PROTOCOL_VERSION,
            "pid": os.getpid(),
            "locustVersion": locust_version(),
            "runnerKind": self._runner_kind(),
            "userClasses": [cls.__name__ for cls in (getattr(environment, "user_classes", None) or [])],
            "shape": type(shape).__name__ if shape is not None else None,
            "host": self._host(),
            "features": self._features(),
            # Newer Locust names a run by its profile (--profile); an older one has no such attribute.
            **({"profile": environment.profile} if hasattr(environment, "profile") else {}),
        }

    def _warn_empty_user_classes(self):
        """
        --tags / --exclude-tags that leave a User class without tasks make every such user fail: say so once. Locust
        filters the tasks when a test starts (not at init), so this runs at the first spawning or running state.
        """
        if self.tag_check_done:
            return
        self.tag_check_done = True
        options = getattr(self.environment, "parsed_options", None)
        tags = getattr(options, "tags", None) or getattr(self.environment, "tags", None)
        exclude = getattr(options, "exclude_tags", None) or getattr(self.environment, "exclude_tags", None)
        if not tags and not exclude:
            return
        empty = [cls.__name__ for cls in (getattr(self.environment, "user_classes", None) or []) if not getattr(cls, "tasks", None)]
        if empty:
            wanted = f"tags {', '.join(tags)}" if tags else ""
            excluded = f"excluding {', '.join(exclude)}" if exclude else ""
            self._send(
                {
                    "type": "error",
                    "message": f"No task of {', '.join(empty)} matches the tag filter ({'; '.join(x for x in (wanted, excluded) if x)}):"
                    " those users will fail",
                }
            )

    def _host(self):
        # --host (or locust.conf) wins over the classes' own `host`, as in Locust; else the classes' one if they agree.
        environment = self.environment
        if getattr(environment, "host", None):
            return environment.host
        hosts = {getattr(cls, "host", None) for cls in (getattr(environment, "user_classes", None) or [])}
        return hosts.pop() if len(hosts) == 1 else None

    def _runner_kind(self):
        if isinstance(self.runner, locust_runners.MasterRunner):
            return "master"
        if isinstance(self.runner, locust_runners.WorkerRunner):
            return "worker"
        return "local"

    def _features(self):
        """What this Locust offers that the Node side may rely on, detected rather than read from a version string."""
        runner = self.runner
        events = getattr(self.environment, "events", None)
        options = getattr(self.environment, "parsed_options", None)
        checks = {
            "userClassesCount": hasattr(type(runner), "user_classes_count"),
            "reportedUserClassesCount": hasattr(type(runner), "reported_user_classes_count"),
            "targetUserCount": hasattr(runner, "target_user_count"),
            "testStoppingEvent": hasattr(events, "test_stopping"),
            "resetStatsEvent": hasattr(events, "reset_stats"),
            "processExitCode": hasattr(self.environment, "process_exit_code"),
            "exitCodeOnError": hasattr(options, "exit_code_on_error"),
            "fastHttpUser": hasattr(locust, "FastHttpUser"),
            "runnerExceptions": hasattr(runner, "exceptions"),
            "finalCsvRepair": self.csv_repair,
            # Failures timed by Locust itself: its failures CSV then has First Seen / Last Seen columns.
            "failureTimes": _failures_timed_by_locust(),
        }
        return [name for name, present in checks.items() if present]

    def _state_name(self):
        state = STATES.get(getattr(self.runner, "state", None))
        return state or self.state or "ready"

    def _user_count(self):
        try:
            return max(0, int(self.runner.user_count)) if self.runner is not None else 0
        except Exception:
            return 0

    def _users_by_class(self):
        runner = self.runner
        if runner is None:
            return {}
        # A master runs no users itself: its per-class counts are what the workers report.
        if isinstance(runner, locust_runners.MasterRunner) and hasattr(runner, "reported_user_classes_count"):
            counts = runner.reported_user_classes_count
        else:
            counts = getattr(runner, "user_classes_count", None) or {}
        return {str(name): max(0, int(count)) for name, count in dict(counts).items()}

    def _endpoint(self, entry, seen, now, method=None, name=None):
        """An entry in protocol shape; `seen` (or the last tick, for an entry not seen before) is its window's base."""
        if entry is None:
            requests = failures = 0
            total_time = max_time = content = 0
            min_time = None
            percentiles = [None] * len(PERCENTILES)
            extra = {}
            histogram = {}
        else:
            method, name = entry.method, entry.name
            requests, failures = entry.num_requests, entry.num_failures
            total_time, max_time, content = entry.total_response_time, entry.max_response_time, entry.total_content_length
            min_time = entry.min_response_time
            # Cumulative, from the entry's own histogram, exactly as Locust's reports compute them.
            if requests:
                *percentiles, p9999 = [_ms(value) for value in _locust_percentiles(entry)]
                # For exports in Locust's CSV layout, which has a 99.99% column and its own median.
                extra = {"median": _ms(entry.median_response_time), "p9999": p9999}
            else:
                percentiles = [None] * len(PERCENTILES)
                extra = {}
            histogram = entry.response_times

        # Counts that went down, or an entry object that was replaced, mean Locust reset or cleared its statistics: the
        # window then covers everything since.
        if seen is None or seen.entry is not entry or requests < seen.requests or failures < seen.failures:
            base_requests = base_failures = 0
            base_histogram = {}
        else:
            base_requests, base_failures, base_histogram = seen.requests, seen.failures, seen.response_times
        since = seen.at if seen is not None else self.last_tick_at
        delta = {}
        for response_time, count in histogram.items():
            grown = count - base_histogram.get(response_time, 0)
            if grown > 0:
                delta[response_time] = grown
        delta_count = sum(delta.values())
        # The window's response times for thresholds judged over part of a run, flat and sorted: [ms, count, ms, count, …]
        # (protocol/runner.ts `window.histogram`). Keys clamped as every time here: a custom client may log anything.
        window_histogram = []
        for response_time in sorted(delta):
            window_histogram += (_ms(response_time), delta[response_time])
        window_p50, window_p95, window_p99 = (
            _percentiles_of(delta, delta_count, (0.5, 0.95, 0.99)) if delta_count else (None, None, None)
        )
        return {
            **extra,
            "method": method or "",
            "name": str(name),
            "requests": requests,
            "failures": failures,
            "totalResponseTime": _ms(total_time),
            "minResponseTime": None if min_time is None else _ms(min_time),
            "maxResponseTime": _ms(max_time),
            "totalContentLength": _ms(content),
            "percentiles": percentiles,
            "window": {
                "seconds": max(0.0, now - since),
                "requests": max(0, requests - base_requests),
                "failures": max(0, failures - base_failures),
                "p50": None if window_p50 is None else _ms(window_p50),
                "p95": None if window_p95 is None else _ms(window_p95),
                "p99": None if window_p99 is None else _ms(window_p99),
                "histogram": window_histogram,
            },
        }

    def _tick(self):
        stats = self.environment.stats
        now = time.monotonic()
        entries = dict(stats.entries)
        if len(entries) > MANY_ENDPOINTS_WARNING and not self.warned_many_endpoints:
            self.warned_many_endpoints = True
            self._send(
                {
                    "type": "error",
                    "message": f"{len(entries)} distinct request names so far: ticks carry at most {MAX_ENDPOINTS_PER_TICK}"
                    " changed ones each (the rest follow later, counted in 'omitted'). Group dynamic URLs with name=...",
                }
            )
        changed = []
        for key, entry in entries.items():
            seen = self.seen.get(key)
            if (
                seen is None
                or seen.entry is not entry
                or seen.requests != entry.num_requests
                or seen.failures != entry.num_failures
            ):
                changed.append((seen.at if seen is not None else self.last_tick_at, key, entry, seen))
        # Entries Locust dropped (it clears its statistics when a stopped test starts again) go out once as zeros.
        for key, seen in self.seen.items():
            if key not in entries:
                changed.append((seen.at, key, None, seen))
        # The longest-unsent first, so that the cap delays every endpoint in turn rather than starving some.
        changed.sort(key=lambda item: item[0])
        endpoints = []
        for _, key, entry, seen in changed[:MAX_ENDPOINTS_PER_TICK]:
            name, method = key
            endpoints.append(self._endpoint(entry, seen, now, method=method, name=name))
            if entry is None:
                del self.seen[key]
            else:
                self.seen[key] = _Seen(entry, now)
        total = self._endpoint(stats.total, self.total_seen, now)
        self.total_seen = _Seen(stats.total, now)
        self.last_tick_at = now
        self.seq += 1
        tick = {
            "type": "tick",
            "seq": self.seq,
            "t": _now_ms(),
            "state": self._state_name(),
            "userCount": self._user_count(),
            "usersByClass": self._users_by_class(),
            "endpoints": endpoints,
            "total": total,
            "omitted": max(0, len(changed) - MAX_ENDPOINTS_PER_TICK),
        }
        failures = self._changed_failures()
        if failures:
            tick["failures"] = failures
        exceptions = self._changed_exceptions()
        if exceptions:
            tick["exceptions"] = exceptions
        if isinstance(self.runner, locust_runners.MasterRunner):
            tick["workers"] = self._workers()
        elif isinstance(self.runner, locust_runners.LocalRunner):
            # A local run generates its load in this process: its CPU (Locust samples it every 5 s) and its loop's lag
            # tell whether it kept up.
            if hasattr(self.runner, "current_cpu_usage"):
                tick["cpu"] = _ms(self.runner.current_cpu_usage)
            lag = _loop_lag.read()
            if lag is not None:
                tick["loopLag"] = lag
        return tick

    def _workers(self):
        clients = getattr(self.runner, "clients", None) or {}
        workers = []
        for node in list(clients.values())[:MAX_ENDPOINTS_PER_TICK]:
            entry = {
                "id": str(node.id),
                "state": str(node.state),
                "userCount": max(0, int(getattr(node, "user_count", 0) or 0)),
                "cpu": _ms(getattr(node, "cpu_usage", 0)),
            }
            if hasattr(node, "memory_usage"):
                entry["memory"] = _ms(node.memory_usage)
            lag = (_probe.reports.get(str(node.id)) or {}).get("loopLag")
            if isinstance(lag, (int, float)) and not isinstance(lag, bool) and lag >= 0:
                entry["loopLag"] = _ms(lag)
            host = _probe.hosts.get(str(node.id))
            if host:
                entry["host"] = host
            workers.append(entry)
        return workers

    # ---- failures and exceptions ----

    def _failure(self, key, error, times):
        parse_error = getattr(locust_stats.StatsError, "parse_error", repr)
        entry = {
            "method": error.method or "",
            "name": _cut(error.name, 2048),
            # The same text as the Error column of Locust's own failures CSV (cut when huge).
            "error": _cut(parse_error(error.error)),
            "occurrences": max(0, int(error.occurrences)),
        }
        if times is not None:
            entry["firstSeen"], entry["lastSeen"] = times[1], times[2]
        # Where Locust times failures itself (on a master: the earliest and latest of its workers'), its times win, so
        # that an export equals its failures CSV.
        for field, attribute in (("firstSeen", "first_seen"), ("lastSeen", "last_seen")):
            seconds = getattr(error, attribute, None)
            if isinstance(seconds, (int, float)) and seconds > 0:
                entry[field] = seconds * 1000.0
        return entry

    def _note_failures(self):
        """Updates first/last seen of every failure whose count moved since the last look."""
        now = _now_ms()
        errors = dict(self.environment.stats.errors)
        for key, error in errors.items():
            occurrences = int(error.occurrences)
            times = self.failures_seen.get(key)
            if times is None:
                self.failures_seen[key] = [-1, now, now, occurrences]
            elif occurrences != times[3]:
                times[2], times[3] = now, occurrences
        # Locust cleared them (reset stats): forget, so that they count as new when they come back.
        for key in [key for key in self.failures_seen if key not in errors]:
            del self.failures_seen[key]
        return errors

    def _changed_failures(self):
        errors = self._note_failures()
        changed = [
            (times[2], key) for key, times in self.failures_seen.items() if times[0] != int(errors[key].occurrences)
        ]
        # The longest-waiting first (by last change), so that the cap delays each in turn.
        changed.sort()
        out = []
        for _, key in changed[:MAX_FAILURES_PER_TICK]:
            times = self.failures_seen[key]
            entry = self._failure(key, errors[key], times)
            times[0] = entry["occurrences"]
            out.append(entry)
        return out

    def _exception(self, row):
        nodes = row.get("nodes") or ()
        return {
            "count": max(0, int(row.get("count", 0))),
            "message": _cut(row.get("msg", "")),
            "traceback": _cut(row.get("traceback", ""), 4 * MAX_TEXT_CHARS),
            "nodes": ", ".join(sorted(str(node) for node in nodes)),
        }

    def _exceptions(self):
        return dict(getattr(self.runner, "exceptions", None) or {})

    def _changed_exceptions(self):
        rows = self._exceptions()
        if len(rows) < len(self.exceptions_sent):
            # Cleared by a reset.
            self.exceptions_sent = {key: count for key, count in self.exceptions_sent.items() if key in rows}
        out = []
        for key, row in rows.items():
            count = int(row.get("count", 0))
            if self.exceptions_sent.get(key) == count:
                continue
            if len(out) >= MAX_EXCEPTIONS_PER_TICK:
                break
            self.exceptions_sent[key] = count
            out.append(self._exception(row))
        return out

    def _final(self):
        stats = self.environment.stats
        now = time.monotonic()
        endpoints = [
            self._endpoint(entry, self.seen.get(key), now)
            for key, entry in sorted(stats.entries.items(), key=lambda item: item[0])
        ]
        errors = self._note_failures()
        # In Locust's own order (its failures CSV sorts by the same key).
        failures = [
            self._failure(key, errors[key], self.failures_seen.get(key)) for key in sorted(errors)[:MAX_FINAL_FAILURES]
        ]
        exceptions = [self._exception(row) for row in list(self._exceptions().values())[:MAX_FINAL_EXCEPTIONS]]
        final = {
            "type": "final",
            "t": _now_ms(),
            "endpoints": endpoints,
            "total": self._endpoint(stats.total, self.total_seen, now),
            "failures": failures,
            "exceptions": exceptions,
            "cost": {"bridgeCpuSeconds": round(self.cpu_seconds, 6), "processCpuSeconds": round(time.process_time(), 6)},
        }
        figures = _probe.figures()
        final["userStarts"] = {"started": figures["started"], "failed": figures["failedToStart"]}
        final["pending"] = self._pending(figures["pending"])
        # What Locust's Requests/s and Failures/s columns divide by; in seconds, unconverted, so that the same division
        # gives the same float.
        start_time = getattr(stats, "start_time", None)
        last_request = getattr(stats, "last_request_timestamp", None)
        if start_time:
            final["startTime"] = float(start_time)
        if last_request:
            final["lastRequestTime"] = float(last_request)
        return self._fit(final)

    def _pending(self, rows):
        """Requests still waiting for their answer when the users stopped, the longest-waited first (Locust drops them)."""
        rows = sorted(rows, key=lambda row: (-row[3], row[0], row[1]))
        return {
            "requests": sum(row[2] for row in rows),
            "oldestSeconds": round(rows[0][3], 3) if rows else 0,
            "endpoints": [
                {"method": method, "name": _cut(name, 2048), "requests": count, "oldestSeconds": round(seconds, 3)}
                for method, name, count, seconds in rows[:MAX_PENDING_ENDPOINTS]
            ],
        }

    def _fit(self, final):
        """Keeps the final message under the line cap by dropping the least-requested endpoints, and says so."""
        size = len(encode(final))
        if size <= MAX_LINE_BYTES:
            return final
        endpoints = sorted(final["endpoints"], key=lambda e: e["requests"], reverse=True)
        keep = max(0, int(len(endpoints) * (MAX_LINE_BYTES * 0.9) / size))
        self._send(
            {
                "type": "error",
                "message": f"final statistics: {len(endpoints) - keep} of {len(endpoints)} endpoints left out "
                "(message too large); the totals are complete",
            }
        )
        final["endpoints"] = endpoints[:keep]
        final["failures"] = final["failures"][:100]
        final["exceptions"] = final["exceptions"][:20]
        return final

    def _check_state(self):
        state = self._state_name()
        if state != self.state and not self.closing:
            self.state = state
            self._send({"type": "state", "state": state, "userCount": self._user_count(), "t": _now_ms()})
            if state in ("spawning", "running"):
                self.test_started = True
                self._warn_empty_user_classes()

    # ---- loops ----

    def _guarded_loop(self, loop):
        try:
            loop()
        except Exception:
            self._report(loop.__name__.strip("_"))

    def _stats_loop(self):
        while not self.closing and self.channel.open:
            gevent.sleep(self.interval)
            if self.closing:
                return
            started = time.process_time()
            try:
                self._check_state()
                self._send(self._tick())
            except Exception:
                self._report("stats")
            self.cpu_seconds += time.process_time() - started

    def _state_loop(self):
        while not self.closing and self.channel.open:
            gevent.sleep(STATE_POLL_SECONDS)
            started = time.process_time()
            try:
                self._check_state()
            except Exception:
                self._report("state")
            self.cpu_seconds += time.process_time() - started

    def _command_loop(self):
        for line in self.channel.lines():
            if self.closing:
                return
            if line is None:
                self._send({"type": "error", "message": f"command line longer than {MAX_COMMAND_LINE_BYTES} bytes ignored"})
                continue
            try:
                self._command(line)
            except Exception:
                self._report("command")
        # The Node side is gone (closed its end, or died): a run nobody watches must not go on loading the target.
        if not self.closing:
            self.channel.open = False
            logger.warning("Locust Studio: the runner's channel closed; quitting")
            self._quit()

    # ---- commands ----

    def _command(self, line):
        try:
            command = json.loads(line.decode("utf-8"))
        except ValueError as error:
            self._send({"type": "error", "message": f"command is not JSON: {error}"})
            return
        command_id = command.get("id") if isinstance(command, dict) else None
        if not isinstance(command_id, int) or isinstance(command_id, bool) or command_id < 0:
            self._send({"type": "error", "message": "command without a valid id ignored"})
            return
        kind = command.get("type")
        if kind == "quit":
            # Acknowledged first: quitting ends the process, and the ack would race the exit.
            self._ack(command_id, None)
            gevent.spawn(self._quit)
            return
        handler = {"setUsers": self._set_users, "stop": self._stop, "reset": self._reset, "expectWorkers": self._expect_workers}.get(kind)
        if handler is None:
            self._ack(command_id, f"unknown command type {kind!r}")
            return
        try:
            self._ack(command_id, handler(command))
        except Exception as error:
            self._ack(command_id, f"{type(error).__name__}: {error}")

    def _ack(self, command_id, error):
        message = {"type": "ack", "id": command_id, "ok": error is None}
        if error is not None:
            message["error"] = error
        self._send(message)

    def _set_users(self, command):
        users, spawn_rate = command.get("users"), command.get("spawnRate")
        if not isinstance(users, int) or isinstance(users, bool) or users < 0:
            return "users must be a non-negative integer"
        if not isinstance(spawn_rate, (int, float)) or isinstance(spawn_rate, bool) or not spawn_rate > 0:
            # Locust divides by the spawn rate.
            return "spawnRate must be a number above 0"
        if self.runner is None:
            return "Locust has no runner yet"
        if isinstance(self.runner, locust_runners.WorkerRunner):
            return "a worker takes its users from its master"
        if getattr(self.environment, "shape_class", None) is not None:
            return "the locustfile's load shape controls the number of users"
        # Locust's start() on a test that is not spawning or running begins a new one: it clears every statistic and
        # exception, which would break "stop: the run ends, its statistics stay".
        state = STATES.get(getattr(self.runner, "state", None))
        if state in ("stopping", "stopped"):
            return f"the test is {state}; start a new run"
        self.runner.start(users, spawn_rate)
        return None

    def _expect_workers(self, command):
        """Fewer workers to wait for (one could not start on its host): Locust's wait reads the count on every round."""
        workers = command.get("workers")
        if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
            return "workers must be a positive integer"
        if not self._waiting_for_workers():
            return "the master is not waiting for workers"
        self.environment.parsed_options.expect_workers = workers
        return None

    def _stop(self, _command):
        if self.runner is None:
            return "Locust has no runner yet"
        self.runner.stop()
        return None

    def _reset(self, _command):
        # What Locust's own web UI does for "Reset stats".
        self.environment.events.reset_stats.fire()
        self.environment.stats.reset_all()
        if self.runner is not None and hasattr(self.runner, "exceptions"):
            self.runner.exceptions = {}
        return None

    def _waiting_for_workers(self):
        """Whether this is a master still in Locust's wait for its workers (--expect-workers), before any test began."""
        options = getattr(self.environment, "parsed_options", None)
        return (
            isinstance(self.runner, locust_runners.MasterRunner)
            and not self.test_started
            and bool(getattr(options, "expect_workers", 0))
            and self._state_name() == "ready"
        )

    def _on_sigterm(self):
        if self._waiting_for_workers():
            gevent.spawn(self._quit)

    def _end_wait_for_workers(self):
        """
        Locust's headless master waits for its workers in a loop that nothing else ends (runner.quit() does not): it reads
        the expected count on every round, so a count of 0 ends it within a second. What follows the wait must not start
        a test any more: no shape, and the runner's start does nothing (the runner is quitting).
        """
        if not self._waiting_for_workers():
            return
        options = self.environment.parsed_options
        options.expect_workers = 0
        self.environment.shape_class = None
        self.runner.start = lambda *_args, **_kwargs: None
        logger.info("Locust Studio: quitting while waiting for workers")

    def _quit(self):
        if self.quit_requested:
            return
        self.quit_requested = True
        try:
            self._end_wait_for_workers()
            if self.runner is not None:
                self.runner.quit()
            # With a web UI the main greenlet is the UI's, which only ends when the UI stops.
            web_ui = getattr(self.environment, "web_ui", None)
            if web_ui is not None:
                web_ui.stop()
        except Exception:
            self._report("quit")

    # ---- Locust 2.12's CSV files ----

    def _csv_needs_repair(self):
        """Locust up to at least 2.14 rewrites --csv files once a second but not at exit, so they miss the last second."""
        options = getattr(self.environment, "parsed_options", None)
        writer_class = getattr(locust_stats, "StatsCSVFileWriter", None)
        return bool(getattr(options, "csv_prefix", None)) and writer_class is not None and all(
            hasattr(writer_class, name) for name in ("requests_csv", "failures_csv", "exceptions_csv")
        )

    def _write_final_csv(self):
        """Has Locust's own CSV writer write its files once more, from the final statistics, through its own handles."""
        try:
            writer_class = locust_stats.StatsCSVFileWriter
            writers = [
                obj
                for obj in gc.get_objects()
                if isinstance(obj, writer_class) and getattr(obj, "environment", None) is self.environment
            ]
            for writer in writers:
                for handle, csv_writer, write in (
                    (writer.requests_csv_filehandle, writer.requests_csv_writer, writer.requests_csv),
                    (writer.failures_csv_filehandle, writer.failures_csv_writer, writer.failures_csv),
                    (writer.exceptions_csv_filehandle, writer.exceptions_csv_writer, writer.exceptions_csv),
                ):
                    if handle.closed:
                        continue
                    handle.seek(0)
                    write(csv_writer)
                    handle.truncate()
                    handle.flush()
        except Exception:
            self._report("final CSV")

    # ---- plumbing ----

    def _send(self, message):
        try:
            return self.channel.send(message)
        except Exception:
            self._report(f"sending {message.get('type')}")
            return False

    def _report(self, where):
        """Sends the current exception as an `error` message; the run itself carries on."""
        if self.errors_reported >= MAX_ERROR_REPORTS:
            return
        self.errors_reported += 1
        error_type, error, _ = sys.exc_info()
        message = f"Locust Studio bridge, {where}: {error_type.__name__ if error_type else 'error'}: {error}"
        try:
            self.channel.send({"type": "error", "message": message, "traceback": traceback.format_exc()})
        except Exception:
            pass


def _stats_interval():
    try:
        interval = float(os.environ.get("LOCUST_STUDIO_STATS_INTERVAL", DEFAULT_STATS_INTERVAL))
    except ValueError:
        interval = DEFAULT_STATS_INTERVAL
    if interval != interval:
        interval = DEFAULT_STATS_INTERVAL
    return min(MAX_STATS_INTERVAL, max(MIN_STATS_INTERVAL, interval))


def _repair_distributed():
    """
    Debian's 2.12.1 has an empty ``__version__``; its worker sends that as its version in ``client_ready`` and its master
    rejects an empty one as "an old (pre 2.0) worker". Master and worker both run this bridge, so both announce the same
    non-empty stand-in and the master's comparison (``msg.data != __version__``) sees equal versions.
    """
    if not getattr(locust_runners, "__version__", "x"):
        locust_runners.__version__ = locust_version() or "0.0.0+locust-studio"
    # Workers report every WORKER_REPORT_INTERVAL seconds (3 by default); read at each report, so lowering it here works.
    if getattr(locust_runners, "WORKER_REPORT_INTERVAL", 0) > WORKER_REPORT_INTERVAL:
        locust_runners.WORKER_REPORT_INTERVAL = WORKER_REPORT_INTERVAL


def _install():
    # Done first and whatever the channel: workers run the bridge without one.
    try:
        _repair_distributed()
    except Exception as error:
        sys.stderr.write(f"Locust Studio bridge: cannot prepare distributed runs ({error})\n")
    try:
        _probe.install()
    except Exception as error:
        sys.stderr.write(f"Locust Studio bridge: cannot watch users and requests ({error})\n")
    # Taken out of the environment so that processes the locustfile starts do not take it for theirs.
    shape_name = os.environ.pop("LOCUST_STUDIO_SHAPE_CLASS", "").strip() or None
    channel = open_channel("Locust Studio bridge", cooperative=True)
    if channel is None:
        return None
    bridge = Bridge(channel, _stats_interval(), shape_name)
    # Registered before the locustfile is imported: our init listener runs first, and since Locust fires `quitting` in
    # reverse order, our quitting listener runs last, after every other one has settled the statistics.
    locust.events.init.add_listener(bridge.on_init)
    locust.events.quitting.add_listener(bridge.on_quitting)
    # With --processes Locust forks its workers from this process after this module is loaded: each child inherits the
    # channel's fd and these listeners. Only the master (this process) speaks for the run, so a child lets both go before
    # it runs anything (its probe stays: its figures reach the master in its reports).
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=bridge.leave_forked_child)
    return bridge


bridge = _install()
