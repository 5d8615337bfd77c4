# The channel to the Node runner, shared by the bridge and the task shim: one JSON object per line on the fd it passed us.
"""
The Node runner (runner/childProcess.ts) gives its child an extra pipe and names its fd in ``LOCUST_STUDIO_CHANNEL_FD``.
Messages go out as one JSON object per line, as protocol/runner.ts specifies them; commands come in the same way. Never
stdout: that belongs to the user's prints and Locust's logs. This module imports nothing outside the standard library at
import time, so that the task shim can still report a Python without gevent or Locust.
"""

import json
import os
import sys

CHANNEL_FD_ENV = "LOCUST_STUDIO_CHANNEL_FD"
# protocol/runner.ts MAX_BRIDGE_LINE_BYTES: the Node side rejects longer lines unread.
MAX_LINE_BYTES = 8 * 1024 * 1024
# Commands are tiny; anything longer is garbage and is skipped without being buffered.
MAX_COMMAND_LINE_BYTES = 64 * 1024
# A message the Node side does not read within this time means it is wedged; the run must not hang on it.
SEND_TIMEOUT_SECONDS = 30.0
_READ_BYTES = 65536


def encode(message):
    """
    One message as one line of bytes. ASCII only, so that a message's length in characters is its length on the wire.
    Raises ValueError or TypeError for what JSON cannot carry (NaN too: the Node side's JSON.parse refuses it).
    """
    return (json.dumps(message, separators=(",", ":"), allow_nan=False) + "\n").encode("ascii")


class Channel:
    """Blocking writes and reads: for a process that is not (yet) inside gevent's loop, such as the task shim."""

    def __init__(self, fd):
        self.fd = fd
        self.open = True

    def send(self, message):
        """Writes one message as one line; False when the channel is gone. Raises only for unserialisable messages."""
        if not self.open:
            return False
        return self._write_all(encode(message))

    def lines(self):
        """Yields each incoming line as bytes (None for a line over MAX_COMMAND_LINE_BYTES) until the other end closes."""
        pending = bytearray()
        skipping = False
        while True:
            try:
                chunk = self._read(self.fd, _READ_BYTES)
            except OSError:
                return
            if not chunk:
                return
            start = 0
            while True:
                newline = chunk.find(b"\n", start)
                if newline < 0:
                    if not skipping:
                        pending += chunk[start:]
                        if len(pending) > MAX_COMMAND_LINE_BYTES:
                            pending.clear()
                            skipping = True
                            yield None
                    break
                if skipping:
                    skipping = False
                else:
                    pending += chunk[start:newline]
                    yield bytes(pending)
                    pending.clear()
                start = newline + 1

    def _write_all(self, data):
        view = memoryview(data)
        try:
            while view:
                view = view[self._write(self.fd, view):]
        except OSError:
            # A half-written line cannot be completed later; the channel is unusable from here on.
            self.open = False
            return False
        return True

    def _write(self, fd, data):
        return os.write(fd, data)

    def _read(self, fd, size):
        return os.read(fd, size)


class CooperativeChannel(Channel):
    """
    For a process inside gevent's loop (the bridge in Locust): reads and writes yield to the other greenlets instead of
    blocking them, one message at a time (greenlets must not interleave lines), each bounded by SEND_TIMEOUT_SECONDS.
    """

    def __init__(self, fd):
        import gevent
        import gevent.lock
        import gevent.os

        super().__init__(fd)
        self._gevent = gevent
        gevent.os.make_nonblocking(fd)
        self._write_lock = gevent.lock.BoundedSemaphore()

    def send(self, message):
        if not self.open:
            return False
        data = encode(message)
        with self._write_lock:
            if not self.open:
                return False
            timeout = self._gevent.Timeout(SEND_TIMEOUT_SECONDS)
            timeout.start()
            try:
                return self._write_all(data)
            except self._gevent.Timeout as expired:
                if expired is not timeout:
                    raise
                self.open = False
                return False
            finally:
                timeout.close()

    def _write(self, fd, data):
        return self._gevent.os.nb_write(fd, data)

    def _read(self, fd, size):
        return self._gevent.os.nb_read(fd, size)


def open_channel(who, cooperative=False):
    """
    The channel the runner passed, or None without one (a worker of a distributed run, a run by hand). The variable is
    taken out of the environment and the fd made non-inheritable: processes the locustfile starts must neither take fd
    3 for a channel nor hold ours open (the Node side watches for its end).
    """
    text = os.environ.pop(CHANNEL_FD_ENV, "")
    if not text:
        return None
    try:
        fd = int(text)
        os.fstat(fd)
        os.set_inheritable(fd, False)
        return CooperativeChannel(fd) if cooperative else Channel(fd)
    except (ValueError, OSError) as error:
        sys.stderr.write(f"{who}: no channel at fd {text!r} ({error}); running without it\n")
        return None
