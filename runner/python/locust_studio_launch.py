# Starts Locust exactly as its `locust` console script does, with the Locust Studio bridge loaded first.
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))

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
