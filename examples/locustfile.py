"""Basic HttpUser: weighted ``@task`` methods and a random ``wait_time`` between them.

The shape most load tests start from. ``ShopVisitor`` browses the demo shop: the product list is
requested most often (weight 5), product pages and searches next, the home page rarely (weight 1).
Each simulated user waits 1-3 seconds between tasks.

Start the demo target first:  node examples/target/server.mjs
"""

import random

from locust import HttpUser, between, task


class ShopVisitor(HttpUser):
    host = "http://127.0.0.1:8080"
    wait_time = between(1, 3)

    @task(5)
    def browse_products(self):
        self.client.get("/products")

    @task(3)
    def view_product(self):
        # name= groups all product pages under one row in the statistics
        self.client.get(f"/products/{random.randint(1, 20)}", name="/products/[id]")

    @task(2)
    def search(self):
        term = random.choice(["lamp", "mug", "kitchen", "pen"])
        self.client.get("/products", params={"q": term}, name="/products?q=[term]")

    @task(1)
    def home(self):
        self.client.get("/")
