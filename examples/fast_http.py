"""FastHttpUser: Locust's geventhttpclient-based client, several times more requests per CPU core than HttpUser.

Use it when the load generator's CPU is the bottleneck. Its ``self.client`` is close to HttpUser's
(``get``/``post``, ``json=``, ``name=``, ``catch_response=True``) but not identical to ``requests``;
connection behaviour is tuned with class attributes such as ``network_timeout`` and
``connection_timeout``.
"""

import random

from locust import FastHttpUser, between, task


class FastShopper(FastHttpUser):
    host = "http://127.0.0.1:8080"
    wait_time = between(0.2, 0.8)
    connection_timeout = 5.0
    network_timeout = 10.0

    @task(5)
    def browse_products(self):
        self.client.get("/products")

    @task(3)
    def view_product(self):
        self.client.get(f"/products/{random.randint(1, 20)}", name="/products/[id]")

    @task(1)
    def create_item(self):
        with self.client.post("/api/items", json={"name": "fast", "price": 1.0}, catch_response=True) as response:
            if response.status_code == 201:
                response.success()
            else:
                response.failure(f"expected 201, got {response.status_code}")
