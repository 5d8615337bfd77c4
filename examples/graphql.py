"""GraphQL over HTTP POST: a reply with status 200 can still carry ``errors``, so ``catch_response`` checks the body.

GraphQL servers answer most problems (unknown fields, bad arguments) with HTTP 200 and an
``errors`` list, which Locust would count as a success. The ``graphql`` helper marks those as
failures and names every request after its operation, so each query gets its own statistics row.
``broken_query`` asks for a field the schema does not have: it fails on purpose, to show the result.
"""

import random

from locust import HttpUser, between, task

PRODUCT_LIST = "query ProductList { products { id name price } }"
PRODUCT = "query Product($id: ID!) { product(id: $id) { id name price description } }"
SEARCH = "query Search($q: String) { products(q: $q, limit: 5) { id name } }"
BROKEN = "query Broken { products { id colour } }"


class GraphQLUser(HttpUser):
    host = "http://127.0.0.1:8080"
    wait_time = between(0.5, 1.5)

    def graphql(self, operation, query, variables=None):
        payload = {"query": query, "operationName": operation, "variables": variables or {}}
        with self.client.post("/graphql", json=payload, name=f"graphql {operation}", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            try:
                body = response.json()
            except ValueError:
                response.failure("response is not JSON")
                return None
            if body.get("errors"):
                response.failure("; ".join(error.get("message", "?") for error in body["errors"]))
                return None
            response.success()
            return body.get("data")

    @task(3)
    def product_list(self):
        self.graphql("ProductList", PRODUCT_LIST)

    @task(3)
    def product(self):
        self.graphql("Product", PRODUCT, {"id": random.randint(1, 20)})

    @task(2)
    def search(self):
        self.graphql("Search", SEARCH, {"q": random.choice(["lamp", "mug", "garden"])})

    @task(1)
    def broken_query(self):
        self.graphql("Broken", BROKEN)  # expected failure: Cannot query field "colour" on type "Product"
