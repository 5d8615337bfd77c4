"""Custom metrics with ``events.request.fire(...)``, plus ``init``, ``test_start`` and ``test_stop`` listeners.

Anything can become a row in Locust's statistics: here each "browse and view" journey (two HTTP
requests) is timed as a whole and reported with request_type "FLOW", next to the ordinary requests.
The event listeners show the life cycle: ``init`` runs once when Locust starts (in every process of a
distributed run), ``test_start`` and ``test_stop`` when a test begins and ends.
"""

import logging
import random
import time

from locust import HttpUser, between, events, task
from locust.runners import MasterRunner

journeys = {"completed": 0, "failed": 0}


@events.init.add_listener
def on_locust_init(environment, **_kwargs):
    role = "master" if isinstance(environment.runner, MasterRunner) else "load generator"
    logging.info("custom_metrics: initialised as %s", role)


@events.test_start.add_listener
def on_test_start(environment, **_kwargs):
    journeys.update(completed=0, failed=0)


@events.test_stop.add_listener
def on_test_stop(environment, **_kwargs):
    logging.info("custom_metrics: %(completed)d journeys completed, %(failed)d failed", journeys)


class JourneyUser(HttpUser):
    host = "http://127.0.0.1:8080"
    wait_time = between(1, 2)

    @task(3)
    def browse_and_view(self):
        start = time.perf_counter()
        exception = None
        length = 0
        try:
            listing = self.client.get("/products")
            listing.raise_for_status()
            product_id = random.choice(listing.json()["products"])["id"]
            detail = self.client.get(f"/products/{product_id}", name="/products/[id]")
            detail.raise_for_status()
            length = len(listing.content) + len(detail.content)
        except Exception as e:  # report the whole journey as failed, whatever went wrong
            exception = e
        journeys["failed" if exception else "completed"] += 1
        events.request.fire(
            request_type="FLOW",
            name="browse and view",
            response_time=(time.perf_counter() - start) * 1000,  # milliseconds
            response_length=length,
            response=None,
            context={},
            exception=exception,
        )

    @task(1)
    def health(self):
        self.client.get("/health")
