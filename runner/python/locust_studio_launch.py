# Starts Locust exactly as its `locust` console script does, with the Locust Studio bridge loaded first.
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))

# The Node process that started this one (runner/childProcess.ts names it). Read before anything else, so that its death
# ends this process whatever it is doing: importing Locust or the locustfile, waiting for workers, spawning, running or
# stopping. A real thread, started before gevent patches the standard library: it runs even while the loop is blocked.
OWNER_PID_ENV = "LOCUST_STUDIO_OWNER_PID"
# How often the owner is looked at; a run outlives its owner by about this much.
OWNER_POLL_SECONDS = 0.2


def _watch_owner():
    text = os.environ.pop(OWNER_PID_ENV, "")
    try:
        owner = int(text)
    except ValueError:
        return
    if owner <= 1:
        return
    import _thread
    import signal
    import time

    sleep = time.sleep  # the real one: gevent replaces the module's later
    parent = os.getppid()

    def owner_gone():
        # Reparented (the owner, or a wrapper between us, died) or the owner's pid is free: either way nobody watches.
        if os.getppid() != parent:
            return True
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False

    def watch():
        while not owner_gone():
            sleep(OWNER_POLL_SECONDS)
        try:
            sys.stderr.write(f"Locust Studio: the process that ran this Locust (pid {owner}) is gone; ending\n")
        except Exception:
            pass
        # Hard, and the whole process group (this process leads it, with whatever the locustfile started): a graceful
        # quit cannot end Locust's wait for workers, and nobody is left to read final statistics.
        try:
            if os.getpgrp() == os.getpid():
                os.killpg(os.getpid(), signal.SIGKILL)
        finally:
            os.kill(os.getpid(), signal.SIGKILL)

    _thread.start_new_thread(watch, ())


_watch_owner()

try:
    import locust  # noqa: F401  (imported first, as the console script does: it monkey-patches through gevent)
except ImportError as error:
    sys.stderr.write(
        f"Locust Studio: Locust is not installed for {sys.executable} ({error}).\n"
        f"Install it with: {sys.executable} -m pip install locust"
        " (on Debian or Ubuntu: sudo apt-get install python3-locust)\n"
    )
    sys.exit(1)

import locust_studio_bridge  # noqa: E402,F401  (registers event listeners only; it defines no User class)

# Running as a script put our directory first on sys.path; the console script's would be its bin directory, never a
# place the user's modules could be shadowed from, so take ours away again.
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == _here:
    del sys.path[0]

from locust.main import main  # noqa: E402

if __name__ == "__main__":
    # Locust's help and error texts name the program from argv[0].
    sys.argv[0] = "locust"
    sys.exit(main())
