"""Several User classes in one file: ``weight`` sets their share of the users, ``fixed_count`` pins an exact number.

With 10 users: one ``HealthMonitor`` (fixed_count = 1), and the other 9 split 3 : 1 : 1 between
``WebVisitor``, ``ApiClient`` and ``ReportViewer``. ``ReportViewer`` hits the slow and the flaky
endpoints, so expect some (deliberate) failures on ``/flaky``. Pick classes at run time with
``locust -f multiple_users.py WebVisitor ApiClient``.
"""

import random

from locust import HttpUser, between, constant, task


class WebVisitor(HttpUser):
    host = "http://127.0.0.1:8080"
    weight = 3
    wait_time = between(1, 2)

    @task(3)
    def browse(self):
        self.client.get("/products")

    @task(1)
    def view_product(self):
        self.client.get(f"/products/{random.randint(1, 20)}", name="/products/[id]")


class ApiClient(HttpUser):
    host = "http://127.0.0.1:8080"
    weight = 1
    wait_time = between(0.5, 1)

    @task
    def list_items(self):
        self.client.get("/api/items", headers={"Accept": "application/json"})


class ReportViewer(HttpUser):
    host = "http://127.0.0.1:8080"
    weight = 1
    wait_time = between(1, 2)

    @task(2)
    def slow_report(self):
        self.client.get("/slow", params={"ms": 300}, name="/slow?ms=300")

    @task(3)
    def flaky_widget(self):
        self.client.get("/flaky")  # fails about 1 time in 20, on purpose


class HealthMonitor(HttpUser):
    host = "http://127.0.0.1:8080"
    fixed_count = 1
    wait_time = constant(1)

    @task
    def health(self):
        self.client.get("/health")
