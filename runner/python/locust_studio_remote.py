# Runs one Locust worker on another host for Locust Studio, reached through ssh: says what this host's Locust can do,
# receives the files the worker needs into a scratch folder, starts the worker, and ends it and removes the folder when
# the worker exits, when the connection drops or when the Node side goes away (stdin reaches its end in both cases).
#
# Sent as the first line of ssh's stdin (runner/remoteWorkers.ts) and run by `python -c`: nothing needs installing on the
# host but Python and Locust. Standard library only; Python 3.7+.
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

# Starts each line this script writes for the Node side (everything else on stdout is the worker's own output).
REPLY_PREFIX = "LOCUST_STUDIO_REMOTE "
# The Node side writes a line every this many seconds (runner/remoteWorkers.ts sends it in the start message); when none
# came for this many of them, the connection is taken as gone (a cut network never ends stdin) and the worker is ended.
MISSED_HEARTBEATS = 4
# How long the master's port may take to answer a connection from this host.
MASTER_CONNECT_SECONDS = 5
# Exit status when the worker could not be started here (the reason was sent first).
EXIT_CANNOT_START = 3
# What this host's Locust can do, asked of Locust itself: its version, and whether a worker can take its locustfile from
# its master (`--locustfile -`).
PROBE = r"""
import json, locust, locust.argument_parser as parser
print(json.dumps({"version": getattr(locust, "__version__", "") or "", "shipsLocustfile": hasattr(parser, "retrieve_locustfiles_from_master")}))
"""


def reply(**fields):
    sys.stdout.write(REPLY_PREFIX + json.dumps(fields) + "\n")
    sys.stdout.flush()


def refuse(reason):
    reply(ok=False, reason=reason)
    sys.exit(EXIT_CANNOT_START)


def probe_locust():
    try:
        done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    except Exception as error:  # noqa: BLE001  (any failure is the answer)
        refuse(f"cannot run {sys.executable}: {error}")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        refuse(f"Locust is not installed for {sys.executable} on this host ({last})")
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        refuse(f"{sys.executable} could not say what its Locust can do: {done.stdout.strip()[:200]}")


def reach_master(host, port):
    try:
        socket.create_connection((host, port), timeout=MASTER_CONNECT_SECONDS).close()
    except OSError as error:
        refuse(f"cannot reach the master at {host}:{port} from this host ({error.strerror or error})")


def main():
    hello = json.loads(sys.stdin.readline())
    features = probe_locust()
    reach_master(hello["masterHost"], int(hello["masterPort"]))
    reply(ok=True, stage="probed", python=sys.executable, **features)

    line = sys.stdin.readline()
    if not line:
        return
    start = json.loads(line)
    folder = tempfile.mkdtemp(prefix="locust-studio-worker-")
    worker = None
    try:
        for name, data in start["files"].items():
            target = os.path.realpath(os.path.join(folder, name))
            if not target.startswith(folder + os.sep):
                refuse(f"refusing a file outside the worker's folder: {name}")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(base64.b64decode(data))
        env = dict(os.environ)
        env.update(start.get("env", {}))
        # The launcher's own watchdog ends the worker when this process goes; Locust writes a locustfile it takes from its
        # master into the temporary folder, which is then this one.
        env["LOCUST_STUDIO_OWNER_PID"] = str(os.getpid())
        project = os.path.join(folder, start["project"])
        os.makedirs(project, exist_ok=True)
        env["TMPDIR"] = project
        env["PYTHONUNBUFFERED"] = "1"
        worker = subprocess.Popen(
            [sys.executable, os.path.join(folder, start["launcher"]), *start["args"]],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        reply(ok=True, stage="started", pid=worker.pid)

        heartbeat = float(start["heartbeatSeconds"])
        last_line = [time.monotonic()]
        gone = threading.Event()

        def read_heartbeats():
            # The end of stdin means the Node side closed it, died, or ssh saw the connection drop.
            try:
                while sys.stdin.readline():
                    last_line[0] = time.monotonic()
            except Exception:  # noqa: BLE001
                pass
            gone.set()

        def end_when_owner_gone():
            # A cut network ends nothing: only the missing heartbeats say the Node side is unreachable.
            while not gone.wait(heartbeat):
                if time.monotonic() - last_line[0] > heartbeat * MISSED_HEARTBEATS:
                    try:
                        sys.stderr.write(f"Locust Studio: nothing from the run for {heartbeat * MISSED_HEARTBEATS:.0f} s; ending this worker\n")
                    except Exception:  # noqa: BLE001  (nobody may be reading any more)
                        pass
                    break
            try:
                os.killpg(worker.pid, signal.SIGKILL)
            except OSError:
                pass

        threading.Thread(target=read_heartbeats, daemon=True).start()
        threading.Thread(target=end_when_owner_gone, daemon=True).start()
        code = worker.wait()
        # Whatever the locustfile started in the worker's group goes with it.
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except OSError:
            pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(code if code >= 0 else 128 - code)


main()
