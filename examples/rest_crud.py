"""REST CRUD with ``catch_response=True``: check status codes and bodies, then call ``response.success()`` or ``response.failure()``.

By default Locust counts any 4xx/5xx as a failure and anything else as a success. With
``catch_response=True`` the task decides: a 201 without the expected body can fail, and an expected
422 (a validation error the test provokes on purpose) can count as a success.
"""

import random

from locust import HttpUser, between, task


class ItemsApiUser(HttpUser):
    host = "http://127.0.0.1:8080"
    wait_time = between(0.5, 1.5)

    @task(3)
    def item_life_cycle(self):
        name = f"item-{random.randint(1, 1_000_000)}"
        with self.client.post("/api/items", json={"name": name, "price": 9.99}, catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"create: expected 201, got {response.status_code}")
                return
            item = response.json()
            if item.get("name") != name or "id" not in item:
                response.failure("create: response does not echo the new item")
                return
            response.success()

        url = f"/api/items/{item['id']}"
        with self.client.get(url, name="/api/items/[id]", catch_response=True) as response:
            if response.ok and response.json().get("price") == 9.99:
                response.success()
            else:
                response.failure(f"read: unexpected answer {response.status_code}")

        with self.client.patch(url, json={"price": 12.5}, name="/api/items/[id]", catch_response=True) as response:
            if response.ok and response.json().get("price") == 12.5:
                response.success()
            else:
                response.failure("patch: price was not updated")

        with self.client.put(url, json={"name": name, "price": 15, "tags": ["load"]}, name="/api/items/[id]", catch_response=True) as response:
            if response.ok and response.json().get("tags") == ["load"]:
                response.success()
            else:
                response.failure("put: item was not replaced")

        with self.client.delete(url, name="/api/items/[id]", catch_response=True) as response:
            if response.status_code == 204:
                response.success()
            else:
                response.failure(f"delete: expected 204, got {response.status_code}")

    @task(2)
    def list_items(self):
        with self.client.get("/api/items", params={"limit": 10}, catch_response=True) as response:
            if response.ok and isinstance(response.json().get("items"), list):
                response.success()
            else:
                response.failure("list: no items array")

    @task(1)
    def invalid_item_is_rejected(self):
        # A missing price must be refused with 422: that is the correct behaviour, so it is a success.
        with self.client.post("/api/items", json={"name": "no price"}, name="/api/items (invalid)", catch_response=True) as response:
            if response.status_code == 422:
                response.success()
            else:
                response.failure(f"validation: expected 422, got {response.status_code}")
