"""A staged load profile with a ``LoadTestShape``: ``tick()`` returns (users, spawn_rate) per stage.

Locust calls ``tick()`` about once a second. Returning a tuple sets the target user count and spawn
rate; returning ``None`` ends the test. When a shape class is present, the users / spawn-rate
settings are ignored. The stages below ramp up to 15 users and back down in 30 seconds.
"""

import random

from locust import HttpUser, LoadTestShape, between, task


class StageVisitor(HttpUser):
    host = "http://127.0.0.1:8080"
    wait_time = between(0.5, 1.5)

    @task(3)
    def browse_products(self):
        self.client.get("/products")

    @task(1)
    def view_product(self):
        self.client.get(f"/products/{random.randint(1, 20)}", name="/products/[id]")


class StagesShape(LoadTestShape):
    # "duration" is the time (seconds since the start) at which each stage ends
    stages = [
        {"duration": 5, "users": 3, "spawn_rate": 3},
        {"duration": 12, "users": 10, "spawn_rate": 5},
        {"duration": 20, "users": 15, "spawn_rate": 5},
        {"duration": 25, "users": 5, "spawn_rate": 5},
        {"duration": 30, "users": 1, "spawn_rate": 1},
    ]

    def tick(self):
        run_time = self.get_run_time()
        for stage in self.stages:
            if run_time < stage["duration"]:
                return stage["users"], stage["spawn_rate"]
        return None
