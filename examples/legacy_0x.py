"""INTENTIONALLY OUTDATED: a locustfile written for Locust 0.x. It does not run on Locust 2.

It is here so that Locust Studio's language server has something to diagnose: ``HttpLocust`` and
``Locust`` (now ``HttpUser`` / ``User``), ``task_set =`` (now ``tasks = [...]``), ``min_wait`` /
``max_wait`` in milliseconds (now ``wait_time = between(...)`` in seconds), ``TaskSequence`` and
``@seq_task`` (now ``SequentialTaskSet`` and plain ``@task``), ``events.request_success +=``
(now ``@events.request.add_listener``), ``self.locust`` (now ``self.user``) and ``hatch_rate``
(now ``spawn_rate``). Open the file to see the diagnostics and their quick fixes; see
``locustfile.py`` for the modern equivalent.
"""

from locust import HttpLocust, TaskSequence, TaskSet, events, seq_task, task


def on_request_success(request_type, name, response_time, response_length):
    print("OK", request_type, name, response_time)


events.request_success += on_request_success


class BrowseBehavior(TaskSet):
    def on_start(self):
        self.client.post("/login", json={"username": "legacy", "password": "secret"})

    @task(2)
    def products(self):
        self.client.get("/products")

    @task(1)
    def home(self):
        print("testing", self.locust.host)
        self.client.get("/")


class CheckoutSequence(TaskSequence):
    @seq_task(1)
    def view_product(self):
        self.client.get("/products/1")

    @seq_task(2)
    def health(self):
        self.client.get("/health")


class WebsiteUser(HttpLocust):
    host = "http://127.0.0.1:8080"
    task_set = BrowseBehavior
    min_wait = 1000
    max_wait = 3000


class CheckoutUser(HttpLocust):
    host = "http://127.0.0.1:8080"
    task_set = CheckoutSequence
    min_wait = 500
    max_wait = 1500
    stop_timeout = 30


# Started the 0.x way:  locust -f legacy_0x.py --no-web -c 10 --hatch-rate 2
SETTINGS = {"clients": 10, "hatch_rate": 2}
