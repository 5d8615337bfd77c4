// The run panel: renders the run the host sends (snapshot, then ticks) and posts the user's controls back.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { assertNever } from '../protocol/exhaustive';
import type { EndpointStats } from '../protocol/runner';
import { parseHostToWebview, type HostToWebview, type RunView } from '../protocol/webview';
import { formatCount, formatPercent, formatRate } from './format';
import { StatsTable } from './statsTable';
import { postToHost } from './vscodeApi';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string } = {}): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.text !== undefined) el.textContent = props.text;
  return el;
}

const app = document.getElementById('app') ?? document.body;
const empty = element('section', { className: 'empty' });
empty.append(
  element('h2', { text: 'No run yet' }),
  element('p', { text: 'Open a locustfile and click “Run load test” above a User class to start one.' }),
);

const header = element('header', { className: 'run-header' });
const title = element('h2');
const stateBadge = element('span', { className: 'state' });
stateBadge.setAttribute('role', 'status');
const subtitle = element('p', { className: 'subtitle' });
const metrics = element('dl', { className: 'metrics' });
const metricValues = new Map<string, HTMLElement>();
for (const label of ['Users', 'Requests/s', 'Failures', 'Requests']) {
  const dt = element('dt', { text: label });
  const dd = element('dd', { text: '–' });
  metrics.append(element('div'));
  metrics.lastElementChild?.append(dt, dd);
  metricValues.set(label, dd);
}
const stopButton = document.createElement('vscode-button');
stopButton.textContent = 'Stop';
stopButton.setAttribute('icon', 'debug-stop');
stopButton.setAttribute('aria-label', 'Stop the run');
stopButton.addEventListener('click', () => postToHost({ type: 'stop' }));
const message = element('p', { className: 'message' });
message.setAttribute('role', 'alert');
header.append(title, stateBadge, subtitle, metrics, stopButton, message);

const tableElement = element('table', { className: 'stats' });
tableElement.setAttribute('aria-label', 'Statistics per endpoint');
const table = new StatsTable(tableElement);
const runSection = element('section', { className: 'run' });
runSection.append(header, tableElement);

let run: RunView | null = null;
const endpoints = new Map<string, EndpointStats>();

function renderHeader(): void {
  if (!run) return;
  title.textContent = run.locustfile.split(/[\\/]/).pop() ?? run.locustfile;
  stateBadge.textContent = run.state;
  stateBadge.dataset['state'] = run.state;
  subtitle.textContent = `${run.host || 'no host'} · ${run.userClasses.length ? run.userClasses.join(', ') : 'all User classes'}`;
  const total = run.total;
  const seconds = total?.window.seconds || 1;
  metricValues.get('Users')!.textContent = `${formatCount(run.userCount)} / ${formatCount(run.targetUsers)}`;
  metricValues.get('Requests/s')!.textContent = total ? formatRate(total.window.requests / seconds) : '–';
  metricValues.get('Failures')!.textContent = total ? formatPercent(total.failures, total.requests) : '–';
  metricValues.get('Requests')!.textContent = total ? formatCount(total.requests) : '–';
  const active = run.state !== 'stopped' && run.state !== 'failed';
  stopButton.toggleAttribute('disabled', !active);
  message.textContent = run.message ?? '';
}

function show(view: RunView | null): void {
  run = view;
  endpoints.clear();
  table.clear();
  if (!view) {
    app.replaceChildren(empty);
    return;
  }
  for (const e of view.endpoints) endpoints.set(`${e.method} ${e.name}`, e);
  app.replaceChildren(runSection);
  table.update(view.endpoints, view.total);
  renderHeader();
}

function apply(msg: HostToWebview): void {
  switch (msg.type) {
    case 'snapshot':
      show(msg.run);
      break;
    case 'tick':
      if (!run || run.id !== msg.runId) return;
      run.state = msg.state;
      run.userCount = msg.userCount;
      run.total = msg.total;
      table.update(msg.endpoints, msg.total);
      renderHeader();
      break;
    default:
      assertNever(msg);
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = parseHostToWebview(event.data);
  if (!msg) {
    console.warn('Locust Studio panel ignored an invalid message');
    return;
  }
  apply(msg);
});

show(null);
postToHost({ type: 'ready' });
