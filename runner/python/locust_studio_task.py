# Runs one task of one User class once (on_start, the task inside its TaskSets, on_stop), or one test function of a pytest-style
# locustfile once with its fixtures, streaming requests over fd 3.
import argparse
import os
import sys
import time
import traceback

_here = os.path.dirname(os.path.abspath(__file__))
# Found through sys.path[0], which running as a script set to our directory: imported before that entry goes.
from locust_studio_channel import encode, open_channel  # noqa: E402

# The user's modules must not be shadowed from our directory.
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == _here:
    del sys.path[0]

# Exit codes: the task raised (user code), or the shim could not even get to the task (bad input, Locust missing).
EXIT_USER_EXCEPTION = 1
EXIT_SHIM_ERROR = 2
MAX_TEXT = 64 * 1024


channel = open_channel("Locust Studio task")


def send(message):
    """To the runner; without a channel (or once it broke), to stderr, where the run's log still shows it."""
    try:
        if channel is not None and channel.send(message):
            return
        line = encode(message).decode("ascii")
    except (TypeError, ValueError) as error:
        # A message JSON cannot carry must not become an exception in the user's task (requests are reported from it).
        line = f"cannot send a {message.get('type')!r} message: {error}\n"
    sys.stderr.write("Locust Studio task: " + line)


def _cut(text):
    text = "" if text is None else str(text)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + f"… [{len(text)} characters, cut]"


def send_exception(message, tb, where="task"):
    send({"type": "exception", "message": _cut(message), "traceback": _cut(tb), "where": where})


def fail_shim(message, tb=""):
    send_exception(message, tb, where="shim")
    send({"type": "taskDone", "ok": False, "durationMs": 0})
    sys.exit(EXIT_SHIM_ERROR)


def parse_args():
    parser = argparse.ArgumentParser(prog="locust_studio_task", description="Runs one Locust task once.")
    parser.add_argument("--locustfile", required=True)
    parser.add_argument("--user-class", required=True)
    parser.add_argument("--task", required=True)
    parser.add_argument("--taskset", default="", help="dotted path of nested TaskSet classes, outermost first")
    parser.add_argument("--host", default="")
    parser.add_argument("--debug-port", type=int, default=0, help="listen for a debugger on 127.0.0.1:PORT and wait for it")
    return parser.parse_args()


def wait_for_debugger(port):
    """Starts debugpy's adapter (from this interpreter) on 127.0.0.1:port, says so, and waits until a client configured it."""
    try:
        import debugpy
    except ImportError as error:
        fail_shim(
            f"debugpy is not installed for {sys.executable} ({error}). Install it with: {sys.executable} -m pip install debugpy"
            " (on Debian or Ubuntu: sudo apt-get install python3-debugpy)"
        )
    try:
        debugpy.listen(("127.0.0.1", port))
    except Exception as error:  # noqa: BLE001  (a port taken in the meantime, an adapter that did not start)
        fail_shim(f"The debugger could not listen on 127.0.0.1:{port}: {type(error).__name__}: {error}", traceback.format_exc())
    send({"type": "debugReady", "port": port})
    # Returns after the client's configurationDone: breakpoints in on_start and the task are set by then.
    debugpy.wait_for_client()


def on_request(request_type=None, name=None, response_time=None, response_length=None, response=None,
               exception=None, start_time=None, url=None, **_kwargs):
    status = getattr(response, "status_code", None)
    message = {
        "type": "request",
        "method": str(request_type),
        "name": str(name),
        "url": str(url if url is not None else getattr(response, "url", None) or name),
        # Locust reports a request that got no response (refused, timed out) with status_code 0: that is "none".
        "status": status if isinstance(status, int) and status > 0 else None,
        "responseTimeMs": float(response_time or 0),
        "responseLength": int(response_length or 0),
        "failure": None if exception is None else _cut(str(exception) or type(exception).__name__),
        "startTime": float(start_time) if start_time is not None else time.time(),
    }
    send(message)


def is_taskset(value, TaskSet):
    return isinstance(value, type) and issubclass(value, TaskSet)


def find_taskset(owner, name, TaskSet):
    """A TaskSet class named `name` among the tasks of `owner` (a User or TaskSet class), or as its attribute."""
    for candidate in getattr(owner, "tasks", None) or []:
        if is_taskset(candidate, TaskSet) and candidate.__name__ == name:
            return candidate
    value = getattr(owner, name, None)
    return value if is_taskset(value, TaskSet) else None


def find_task(owner, name, TaskSet):
    """The task function named `name`: from `tasks` first (what Locust would run), else a method of that name."""
    for candidate in getattr(owner, "tasks", None) or []:
        if callable(candidate) and not is_taskset(candidate, TaskSet) and getattr(candidate, "__name__", None) == name:
            return candidate
    value = getattr(owner, name, None)
    if callable(value) and not is_taskset(value, TaskSet):
        return value
    return None


def load_test_functions(locustfile):
    """The test functions of a pytest-style locustfile as Locust collects them (a User class each), where this Locust can."""
    from locust.util import load_locustfile as loading

    collect = getattr(loading, "load_locustfile_pytest", None)
    if collect is None:
        fail_shim(
            f"{locustfile} has no User classes, and this Locust cannot run pytest-style locustfiles (test_* functions with the"
            " session or fastsession fixture): upgrade Locust (2.40 or newer)."
        )
    try:
        return collect(locustfile)
    except BaseException as error:  # noqa: BLE001  (pytest's collection errors, a missing fixture)
        fail_shim(f"Cannot collect the test functions of {locustfile}: {type(error).__name__}: {error}", traceback.format_exc())


def main():
    args = parse_args()
    if args.debug_port:
        wait_for_debugger(args.debug_port)
    try:
        import gevent  # noqa: F401
        import locust  # noqa: F401  (imported first, as Locust's console script does: it monkey-patches through gevent)
    except ImportError as error:
        fail_shim(
            f"Locust is not installed for {sys.executable} ({error}). Install it with: {sys.executable} -m pip install locust"
            " (on Debian or Ubuntu: sudo apt-get install python3-locust)"
        )
    import gevent
    from locust import TaskSet
    from locust.env import Environment
    from locust.exception import InterruptTaskSet, RescheduleTask, RescheduleTaskImmediately, StopUser
    from locust.util.load_locustfile import load_locustfile

    locustfile = os.path.abspath(args.locustfile)
    if not os.path.isfile(locustfile):
        fail_shim(f"Locustfile not found: {locustfile}")
    try:
        loaded = load_locustfile(locustfile)
    except BaseException as error:  # noqa: BLE001  (a SystemExit in module code must be reported too)
        fail_shim(f"Cannot import {locustfile}: {type(error).__name__}: {error}", traceback.format_exc())
    # Its dict of User classes, wherever this Locust puts it: (doc, users, shapes) in older ones, (users, shapes) in newer.
    user_classes = next((part for part in loaded if isinstance(part, dict)), {})
    # As Locust does: a file without User classes is a pytest-style locustfile, each test function a User class of its own.
    pytest_style = not user_classes
    if pytest_style:
        user_classes = load_test_functions(locustfile)

    user_class = user_classes.get(args.user_class)
    if user_class is None:
        known = ", ".join(sorted(user_classes)) or "none"
        kind, kinds = ("test function", "test functions") if pytest_style else ("User class", "User classes")
        fail_shim(f"No {kind} named {args.user_class} in {locustfile} ({kinds}: {known})")

    chain = []
    if pytest_style:
        task = None
    else:
        owner = user_class
        for segment in [s for s in args.taskset.split(".") if s]:
            found = find_taskset(owner, segment, TaskSet)
            if found is None:
                fail_shim(f"No TaskSet named {segment} in {owner.__name__}'s tasks ({locustfile})")
            chain.append(found)
            owner = found
        task = find_task(owner, args.task, TaskSet)
        if task is None:
            fail_shim(f"No task named {args.task} in {owner.__name__} ({locustfile})")

    host = args.host or getattr(user_class, "host", None) or None
    environment = Environment(user_classes=[user_class], host=host, locustfile=locustfile, events=locust.events)
    environment.events.request.add_listener(on_request)
    if host:
        # Users read their host from the class; an override for this one run must not depend on a runner setting it.
        user_class.host = host

    # Exceptions that end a task (or the user) the way Locust treats as normal.
    normal_ends = (InterruptTaskSet, RescheduleTask, RescheduleTaskImmediately, StopUser)
    outcome = {"ok": True}

    def guarded(step, what):
        """Runs one step; True when the run may go on. An exception in user code becomes an `exception` message."""
        try:
            step()
            return True
        except normal_ends:
            return False
        except gevent.GreenletExit:
            raise
        except BaseException as error:  # noqa: BLE001
            outcome["ok"] = False
            send_exception(f"{type(error).__name__}: {error}", traceback.format_exc(), where=what)
            return False

    def run_once():
        try:
            user = user_class(environment)
        except BaseException as error:  # noqa: BLE001  (e.g. HttpUser without a host)
            outcome["ok"] = False
            send_exception(f"Cannot create {user_class.__name__}: {type(error).__name__}: {error}", traceback.format_exc(), "shim")
            return
        if not guarded(user.on_start, "on_start"):
            guarded(user.on_stop, "on_stop")
            return
        try:
            parent = user
            entered = []
            ok = True
            for taskset_class in chain:
                taskset = taskset_class(parent)
                if not guarded(taskset.on_start, "on_start"):
                    ok = False
                    entered.append(taskset)
                    break
                entered.append(taskset)
                parent = taskset
            if ok:
                guarded(lambda: task(parent), "task")
            for taskset in reversed(entered):
                guarded(taskset.on_stop, "on_stop")
        finally:
            guarded(user.on_stop, "on_stop")

    def run_test_function_once():
        # As Locust's PytestUser runs it, once: each collected function with the value its fixture yields for this user
        # (`session`, `fastsession`: a session bound to the user's host that records every request), then the fixture's teardown.
        try:
            user = user_class(environment)
        except BaseException as error:  # noqa: BLE001
            outcome["ok"] = False
            send_exception(f"Cannot create {user_class.__name__}: {type(error).__name__}: {error}", traceback.format_exc(), "shim")
            return
        for function in user_class.functions:
            fixturedef = getattr(function, "fixturedef", None)
            if fixturedef is None:  # a test function without fixtures
                guarded(function.obj, "task")
                continue
            fixture = fixturedef.func(user)
            guarded(lambda: function.obj(next(fixture)), "task")  # noqa: B023  (called at once, in this iteration)
            guarded(fixture.close, "on_stop")

    def run_with_events():
        # Locustfiles set up shared data in init/test_start listeners and tear it down in test_stop, as in a real run
        # (without a runner: there is none, and listeners that look at environment.runner must see that).
        if not guarded(lambda: environment.events.init.fire(environment=environment, runner=None, web_ui=None), "events"):
            return
        if guarded(lambda: environment.events.test_start.fire(environment=environment), "events"):
            run_test_function_once() if pytest_style else run_once()
        guarded(lambda: environment.events.test_stop.fire(environment=environment), "events")

    started = time.perf_counter()
    # In a greenlet, as Locust runs its users: gevent's hub gets a chance to run while the task waits on the network.
    greenlet = gevent.spawn(run_with_events)
    greenlet.join()
    if not greenlet.successful():
        outcome["ok"] = False
        error = greenlet.exception
        send_exception(f"{type(error).__name__}: {error}", "".join(traceback.format_exception(type(error), error, error.__traceback__)), "shim")
    send({"type": "taskDone", "ok": outcome["ok"], "durationMs": (time.perf_counter() - started) * 1000})
    return 0 if outcome["ok"] else EXIT_USER_EXCEPTION


if __name__ == "__main__":
    try:
        code = main()
    except SystemExit:
        raise
    except BaseException as error:  # noqa: BLE001  (a bug in the shim itself still reaches the runner as a message)
        send_exception(f"Locust Studio task shim failed: {type(error).__name__}: {error}", traceback.format_exc(), "shim")
        send({"type": "taskDone", "ok": False, "durationMs": 0})
        code = EXIT_SHIM_ERROR
    sys.stdout.flush()
    sys.exit(code)
