"""TaskSet and SequentialTaskSet nested in a User's ``tasks``; both hand control back with ``self.interrupt()``.

* ``BrowseCatalogue`` (TaskSet) picks its tasks at random by weight, as a User does, until its
  ``leave`` task calls ``self.interrupt()`` and the user chooses its next activity.
* ``CheckoutFlow`` (SequentialTaskSet) runs its tasks in the order they are written: log in, add to
  cart, view the cart, log out; the last step interrupts so the flow does not start over at once.

``WebShopUser`` spends three quarters of its choices browsing and one quarter checking out.
"""

import random

from locust import HttpUser, SequentialTaskSet, TaskSet, between, task


class BrowseCatalogue(TaskSet):
    @task(4)
    def view_product(self):
        self.client.get(f"/products/{random.randint(1, 20)}", name="/products/[id]")

    @task(2)
    def search(self):
        self.client.get("/products", params={"q": random.choice(["lamp", "mug", "desk"])}, name="/products?q=[term]")

    @task(1)
    def leave(self):
        self.interrupt()  # back to WebShopUser, which picks BrowseCatalogue or CheckoutFlow again


class CheckoutFlow(SequentialTaskSet):
    token = None

    @task
    def login(self):
        response = self.client.post("/login", json={"username": "checkout", "password": "secret"})
        self.token = response.json().get("token") if response.ok else None
        if not self.token:
            self.interrupt()  # cannot check out without a session

    @task
    def add_to_cart(self):
        self.client.post("/cart", json={"productId": random.randint(1, 20), "quantity": 1}, headers=self.auth())

    @task
    def view_cart(self):
        self.client.get("/cart", headers=self.auth())

    @task
    def logout(self):
        self.client.post("/logout", headers=self.auth())
        self.interrupt()

    def auth(self):
        return {"Authorization": f"Bearer {self.token}"}


class WebShopUser(HttpUser):
    host = "http://127.0.0.1:8080"
    wait_time = between(0.5, 1.5)
    tasks = {BrowseCatalogue: 3, CheckoutFlow: 1}
