"""Tags: label tasks with ``@tag(...)`` and choose them at run time with ``--tags`` / ``--exclude-tags``.

* ``--tags smoke`` runs only the quick checks,
* ``--tags catalogue`` only the shop pages,
* ``--exclude-tags errors slow`` everything except the failing and the slow endpoints.

With no filter every task runs, including ``error_page``, which always fails (HTTP 500) on purpose.
Untagged tasks (``home``) run only when no ``--tags`` filter is given.
"""

import random

from locust import HttpUser, between, tag, task


class TaggedUser(HttpUser):
    host = "http://127.0.0.1:8080"
    wait_time = between(0.5, 1.5)

    @tag("smoke")
    @task(2)
    def health(self):
        self.client.get("/health")

    @tag("smoke", "catalogue")
    @task(3)
    def products(self):
        self.client.get("/products")

    @tag("catalogue")
    @task(2)
    def product_detail(self):
        self.client.get(f"/products/{random.randint(1, 20)}", name="/products/[id]")

    @tag("slow")
    @task(1)
    def slow_page(self):
        self.client.get("/slow", params={"ms": 500}, name="/slow?ms=500")

    @tag("errors")
    @task(1)
    def error_page(self):
        self.client.get("/error")  # always HTTP 500

    @task(1)
    def home(self):
        self.client.get("/")
