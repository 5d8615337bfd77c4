"""Log in once per simulated user in ``on_start``, send the token on every request, log out in ``on_stop``.

``on_start`` runs when a user starts, before its first task; ``on_stop`` runs when the user is stopped
(end of the test, or fewer users requested). The bearer token is put on ``self.client.headers``, the
user's own HTTP session, so every later request carries it without repeating it in each task.
"""

import random

from locust import HttpUser, between, task
from locust.exception import StopUser


class Shopper(HttpUser):
    host = "http://127.0.0.1:8080"
    wait_time = between(1, 2)

    def on_start(self):
        self.in_cart = set()
        credentials = {"username": f"shopper{random.randint(1, 100_000)}", "password": "secret"}
        with self.client.post("/login", json=credentials, catch_response=True) as response:
            token = response.json().get("token") if response.ok else None
            if not token:
                response.failure(f"login failed: HTTP {response.status_code}")
        if not token:
            raise StopUser()  # without a session this user has nothing to do
        self.client.headers["Authorization"] = f"Bearer {token}"

    def on_stop(self):
        if "Authorization" in self.client.headers:
            self.client.post("/logout")
            del self.client.headers["Authorization"]

    @task(3)
    def view_cart(self):
        self.client.get("/cart")

    @task(2)
    def add_to_cart(self):
        product_id = random.randint(1, 20)
        response = self.client.post("/cart", json={"productId": product_id, "quantity": random.randint(1, 3)})
        if response.ok:
            self.in_cart.add(product_id)

    @task(1)
    def remove_from_cart(self):
        if self.in_cart:
            product_id = self.in_cart.pop()
            self.client.delete(f"/cart/{product_id}", name="/cart/[productId]")
