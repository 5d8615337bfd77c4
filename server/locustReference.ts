// Locust Studio's own short explanations of the Locust API (signatures + texts) used by hover and completion.

export interface ApiEntry {
  /** Python signature shown in a code block. */
  signature: string;
  /** One or two sentences in the project's words. */
  text: string;
}

const CLIENT_METHOD_TEXT = (verb: string): string =>
  `Sends an HTTP ${verb} request through the simulated user's own session and records it in the statistics, ` +
  'grouped by `name` (the URL when no name is given). Returns the response; use it in a `with` block together with ' +
  '`catch_response=True` to decide yourself whether the request counts as a success or a failure.';

const CLIENT_SIGNATURE = (method: string): string =>
  `self.client.${method}(url, *, name=None, catch_response=False, params=None, data=None, json=None, headers=None, timeout=None, allow_redirects=True, **kwargs)`;

export const CLIENT_METHODS: Record<string, ApiEntry> = {
  get: { signature: CLIENT_SIGNATURE('get'), text: CLIENT_METHOD_TEXT('GET') },
  post: { signature: CLIENT_SIGNATURE('post'), text: CLIENT_METHOD_TEXT('POST') },
  put: { signature: CLIENT_SIGNATURE('put'), text: CLIENT_METHOD_TEXT('PUT') },
  patch: { signature: CLIENT_SIGNATURE('patch'), text: CLIENT_METHOD_TEXT('PATCH') },
  delete: { signature: CLIENT_SIGNATURE('delete'), text: CLIENT_METHOD_TEXT('DELETE') },
  head: { signature: CLIENT_SIGNATURE('head'), text: CLIENT_METHOD_TEXT('HEAD') },
  options: { signature: CLIENT_SIGNATURE('options'), text: CLIENT_METHOD_TEXT('OPTIONS') },
  request: {
    signature: 'self.client.request(method, url, *, name=None, catch_response=False, **kwargs)',
    text: 'Sends a request with any HTTP method given as a string; the per-verb helpers (`get`, `post`…) are shortcuts for it.',
  },
};

export const CLIENT_KEYWORDS: Record<string, string> = {
  name: 'Row under which the request appears in the statistics. Give URLs with ids one name (`"/items/[id]"`) so they share a row.',
  catch_response: 'When `True`, the request is only recorded when you call `response.success()` or `response.failure(reason)` inside the `with` block.',
  json: 'A Python value sent as the JSON body (sets `Content-Type: application/json`).',
  headers: 'Extra HTTP headers for this request, as a dict.',
  params: 'Query-string parameters, as a dict or a list of pairs.',
  data: 'Form fields (dict) or a raw body (str/bytes).',
  timeout: 'Seconds to wait for the server before the request fails; a `(connect, read)` tuple is accepted too.',
  allow_redirects: 'Whether redirects are followed (default `True`).',
};

export const WAIT_TIME_FUNCTIONS: Record<string, ApiEntry & { snippet: string }> = {
  between: {
    signature: 'between(min_wait: float, max_wait: float)',
    text: 'Wait time: after each task the user pauses a random number of seconds between `min_wait` and `max_wait`.',
    snippet: 'between(${1:1}, ${2:3})',
  },
  constant: {
    signature: 'constant(wait_time: float)',
    text: 'Wait time: the user pauses the same number of seconds after every task.',
    snippet: 'constant(${1:1})',
  },
  constant_pacing: {
    signature: 'constant_pacing(wait_time: float)',
    text: 'Wait time: each task starts `wait_time` seconds after the previous one started, however long the task took (the pause shrinks as tasks get slower).',
    snippet: 'constant_pacing(${1:1})',
  },
  constant_throughput: {
    signature: 'constant_throughput(task_runs_per_second: float)',
    text: 'Wait time: the user aims at this many task runs per second; the inverse of `constant_pacing`.',
    snippet: 'constant_throughput(${1:1})',
  },
};

export const EVENT_HOOKS: Record<string, ApiEntry> = {
  request: {
    signature: 'events.request  # listener(request_type, name, response_time, response_length, response, context, exception, start_time, url, **kwargs)',
    text: 'Fired after every request, successful or not. `exception` is `None` for a success; fire it yourself to record custom measurements.',
  },
  init: {
    signature: 'events.init  # listener(environment, **kwargs)',
    text: 'Fired once per Locust process after the environment and runner exist, before any test starts.',
  },
  init_command_line_parser: {
    signature: 'events.init_command_line_parser  # listener(parser, **kwargs)',
    text: 'Lets the locustfile add its own command-line options to Locust\'s parser.',
  },
  test_start: { signature: 'events.test_start  # listener(environment, **kwargs)', text: 'Fired when a test starts (on the master in a distributed run, and on each worker).' },
  test_stopping: { signature: 'events.test_stopping  # listener(environment, **kwargs)', text: 'Fired when a test is about to stop, before users are stopped.' },
  test_stop: { signature: 'events.test_stop  # listener(environment, **kwargs)', text: 'Fired when a test has stopped.' },
  quitting: { signature: 'events.quitting  # listener(environment, **kwargs)', text: 'Fired when the Locust process is about to exit; set `environment.process_exit_code` here to fail a CI run.' },
  quit: { signature: 'events.quit  # listener(exit_code, **kwargs)', text: 'Fired as the very last thing before the process exits.' },
  spawning_complete: { signature: 'events.spawning_complete  # listener(user_count, **kwargs)', text: 'Fired when every requested user has been started.' },
  user_error: { signature: 'events.user_error  # listener(user_instance, exception, tb, **kwargs)', text: 'Fired when a task raises an exception that is not a request failure.' },
  report_to_master: { signature: 'events.report_to_master  # listener(client_id, data, **kwargs)', text: 'On a worker: add your own values to the periodic report sent to the master.' },
  worker_report: { signature: 'events.worker_report  # listener(client_id, data, **kwargs)', text: 'On the master: read the values a worker added with `report_to_master`.' },
  reset_stats: { signature: 'events.reset_stats  # listener(**kwargs)', text: 'Fired when the statistics are reset.' },
  cpu_warning: { signature: 'events.cpu_warning  # listener(environment, cpu_usage, **kwargs)', text: 'Fired when a load generator\'s CPU stays above 90%: its numbers may no longer be reliable.' },
};

export const LOCUST_NAMES_HELP: Record<string, ApiEntry> = {
  User: {
    signature: 'class User  # wait_time, tasks, weight, fixed_count, host, abstract, on_start(), on_stop()',
    text: 'One simulated user. Locust starts many instances; each runs its tasks, pausing `wait_time` between them. Has no HTTP client of its own: use it for other protocols.',
  },
  HttpUser: {
    signature: 'class HttpUser(User)  # self.client: HTTP session bound to host',
    text: 'A simulated user with `self.client`, an HTTP session that records every request in the statistics. Set `host` (or pass `--host`).',
  },
  FastHttpUser: {
    signature: 'class FastHttpUser(User)  # self.client: geventhttpclient session',
    text: 'Like `HttpUser`, with a faster client (geventhttpclient): more requests per CPU core, a slightly different client API.',
  },
  TaskSet: {
    signature: 'class TaskSet  # tasks, wait_time, on_start(), on_stop(), interrupt(reschedule=True)',
    text: 'A group of tasks a user enters as one of its tasks; it picks its own tasks by weight until a task calls `self.interrupt()`. `self.user` is the owning user.',
  },
  SequentialTaskSet: {
    signature: 'class SequentialTaskSet(TaskSet)',
    text: 'A TaskSet whose tasks run in the order they are written, over and over, instead of at random.',
  },
  MarkovTaskSet: {
    signature: 'class MarkovTaskSet(TaskSet)  # Locust 2.38+',
    text: 'A TaskSet run as a Markov chain: each state is a method decorated with `@transition(...)` / `@transitions(...)`; the user starts in the first one and moves to the next state by the weights of its transitions.',
  },
  transition: {
    signature: '@transition(func_name: str, weight: int = 1)  # Locust 2.38+',
    text: 'In a MarkovTaskSet: after this state, go to `func_name` with this weight among the state\'s transitions. Stack several to give a state several.',
  },
  transitions: {
    signature: "@transitions(weights: dict[str, int] | list[str | tuple[str, int]])  # Locust 2.38+",
    text: 'In a MarkovTaskSet: several transitions at once, `{"cart": 2, "home": 1}` or `["home", ("cart", 2)]` (a plain name has weight 1).',
  },
  LoadTestShape: {
    signature: 'class LoadTestShape  # def tick(self) -> tuple[int, float] | None',
    text: 'Controls the number of users over time: Locust calls `tick()` about once a second; return `(users, spawn_rate)` or `None` to end the test.',
  },
  task: {
    signature: '@task  |  @task(weight: int = 1)',
    text: 'Marks a method of a User or TaskSet as a task. A task with weight 3 is picked three times as often as one with weight 1.',
  },
  tag: {
    signature: '@tag(*tags: str)',
    text: 'Labels a task (or TaskSet) so a run can include it with `--tags` or leave it out with `--exclude-tags`.',
  },
  StopTest: {
    signature: 'raise StopTest  # from locust.exception import StopTest (newer Locusts)',
    text: 'Raised in a task (or `on_start`), ends the whole test, not only this user: every user stops and Locust quits as after `--run-time`. The Locusts that lack it cannot import a file that imports it.',
  },
  events: {
    signature: 'locust.events',
    text: 'Locust\'s event hooks; register a function with `@events.<hook>.add_listener`.',
  },
};

/** The kinds of locust class whose body can set a class attribute. */
export type AttributeOwner = 'User' | 'TaskSet' | 'LoadTestShape';

export interface ClassAttributeEntry extends ApiEntry {
  /** The classes on which Locust reads the attribute; elsewhere it has no effect. */
  readBy: AttributeOwner[];
}

const NO_LONGER_READ = 'Locust 2 does not read it, so it has no effect.';

/** Class attributes of User classes, TaskSets and load shapes, by name. */
export const CLASS_ATTRIBUTES: Record<string, ClassAttributeEntry> = {
  wait_time: {
    signature: 'wait_time = between(min, max)  # or constant(s), constant_pacing(s), constant_throughput(n): seconds',
    text: 'How long a user pauses after each task, in seconds. Without it a user runs its tasks back to back (`constant(0)`). Set on a TaskSet, it applies while the user is inside that TaskSet.',
    readBy: ['User', 'TaskSet'],
  },
  host: {
    signature: 'host: str | None = None',
    text: 'Base URL that relative request paths are joined to, e.g. `"http://127.0.0.1:8080"`. `--host` (or the host you give when you run) takes precedence.',
    readBy: ['User'],
  },
  weight: {
    signature: 'weight: int = 1',
    text: 'How often this User class is picked when users are started, relative to the weights of the other User classes: weight 3 gets three users for each user of a weight-1 class. Ignored when `fixed_count` is set.',
    readBy: ['User'],
  },
  fixed_count: {
    signature: 'fixed_count: int = 0',
    text: 'When above 0, exactly this many users of the class are started, before the weights share out the rest; `weight` is then ignored.',
    readBy: ['User'],
  },
  abstract: {
    signature: 'abstract: bool = False',
    text: '`True` makes this a base class: Locust never starts users of it, only of its subclasses (which are not abstract unless they set it too).',
    readBy: ['User'],
  },
  tasks: {
    signature: 'tasks: list[Callable | type[TaskSet]] | dict[Callable | type[TaskSet], int]',
    text: 'Tasks besides the `@task` methods: a list of functions and TaskSet classes (each counts once, `@task` weights of listed functions are ignored) or a dict of each one to its weight.',
    readBy: ['User', 'TaskSet'],
  },
  min_wait: {
    signature: 'min_wait = 1000  # Locust 0.x: milliseconds',
    text: `Locust 0.x's shortest pause between tasks, in milliseconds. Replaced in Locust 1.0 by \`wait_time = between(min, max)\`, in seconds. ${NO_LONGER_READ}`,
    readBy: [],
  },
  max_wait: {
    signature: 'max_wait = 1000  # Locust 0.x: milliseconds',
    text: `Locust 0.x's longest pause between tasks, in milliseconds. Replaced in Locust 1.0 by \`wait_time = between(min, max)\`, in seconds. ${NO_LONGER_READ}`,
    readBy: [],
  },
  task_set: {
    signature: 'task_set = SomeTaskSet  # Locust 0.x',
    text: `Locust 0.x's one TaskSet of a user class. Replaced in Locust 1.0 by \`tasks = [SomeTaskSet]\`. ${NO_LONGER_READ}`,
    readBy: [],
  },
};
