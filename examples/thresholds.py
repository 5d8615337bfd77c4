"""Pass/fail targets: a module-level ``THRESHOLDS`` list that judges the run.

Each string is one target, ``[endpoint:] metric op value``, over the whole run unless it says otherwise
(``over 30s``, ``after 1m``, ``abort``). Locust Studio reads the list without running the file: the editor
checks every entry and explains it on hover, the Testing view lists the file with one test per threshold
(run it there: each one passes, or fails with the value measured), and the command line judges them too
(``node dist/cli.js run examples/thresholds.py -t 10s`` exits 1 when one fails).

Against the demo target the first two hold and the last one fails on purpose: ``Checkout`` calls ``/error``,
which always answers 500, so about one request in four fails. Run it for a few seconds (``-t 10s``, or the
``locustStudio.defaultRunTime`` setting for the Testing view): the verdict needs no long run.

Start the demo target first:  node examples/target/server.mjs
"""

from locust import HttpUser, between, task

THRESHOLDS = [
    "p95 < 2s",
    "GET /products: fail_ratio < 1%",
    "fail_ratio < 1%",
]


class Checkout(HttpUser):
    host = "http://127.0.0.1:8080"
    wait_time = between(0.1, 0.5)

    @task(3)
    def browse_products(self):
        self.client.get("/products")

    @task(1)
    def pay(self):
        # The demo target has no payment service: /error stands in for one that is down.
        self.client.get("/error")
