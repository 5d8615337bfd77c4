// The run panel: renders the run the host sends (snapshot, then ticks) and the single task, and posts the user's controls back.
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { assertNever } from '../protocol/exhaustive';
import { endpointKey, type EndpointStats } from '../protocol/runner';
import {
  appendPoint,
  emptySeries,
  ENDPOINT_SERIES_BUDGET,
  isRollingWindow,
  parseHostToWebview,
  ROLLING_WINDOWS,
  type EndpointKey,
  type HostToWebview,
  type RunView,
  type Series,
  type TaskView,
} from '../protocol/webview';
import { BaselineBar } from './baselineBar';
import { RunCharts } from './charts';
import { LoadWarning } from './loadWarning';
import { WorkersView } from './workersView';
import { RunControls } from './controls';
import { element, setText } from './dom';
import { ExceptionsView, FailuresView } from './failures';
import { formatCount, formatDuration, formatPercent, formatRate } from '../protocol/format';
import { ElapsedClock } from './runClock';
import { RatioView } from './ratioView';
import { StatsTable } from './statsTable';
import { TaskPanel } from './taskView';
import { ThresholdStrip } from './thresholdStrip';
import { onThemeChange } from './theme';
import { ViewSwitch, type PanelView } from './viewSwitch';
import { loadUiState, postToHost, saveUiState } from './vscodeApi';

const ui = loadUiState();
const app = document.getElementById('app') ?? document.body;

// ---- Empty state
const empty = element('section', { className: 'empty' });
empty.append(
  element('h2', { text: 'No run yet' }),
  element('p', { text: 'Open a locustfile and click “Run load test” above a User class to start one, or “Run task once” above a task.' }),
);

// ---- Header: what runs, how it goes, the controls
const header = element('header', { className: 'run-header' });
const title = element('h2');
const stateBadge = element('span', { className: 'state' });
stateBadge.setAttribute('role', 'status');
const subtitle = element('p', { className: 'subtitle' });
const metrics = element('dl', { className: 'metrics' });
const metricValues = new Map<string, HTMLElement>();
for (const label of ['Users', 'Requests/s', 'Failures', 'Requests', 'Elapsed']) {
  const group = element('div');
  const dd = element('dd', { text: '–' });
  group.append(element('dt', { text: label }), dd);
  metrics.append(group);
  metricValues.set(label, dd);
}
const controls = new RunControls(postToHost);
const message = element('p', { className: 'message' });
message.setAttribute('role', 'alert');
header.append(title, stateBadge, subtitle, metrics, controls.element, message);

// ---- Thresholds: where each stands, and the verdict once the run ended (hidden for a run without thresholds)
const thresholds = new ThresholdStrip();

// ---- Baseline: the run it is compared with, and the verdict so far (hidden for a run without a baseline)
const baselineBar = new BaselineBar();

// ---- Charts with the endpoint selector
const chartsSection = element('section', { className: 'charts-section' });
const chartsBar = element('div', { className: 'charts-bar' });
const scopeLabel = element('label', { text: 'Charts for' });
scopeLabel.htmlFor = 'endpoint-select';
const endpointSelect = document.createElement('vscode-single-select');
endpointSelect.id = 'endpoint-select';
endpointSelect.setAttribute('aria-label', 'Charts for endpoint');
endpointSelect.setAttribute('combobox', '');
const windowLabel = element('label', { text: 'Percentiles over' });
windowLabel.htmlFor = 'percentile-window';
const windowSelect = document.createElement('vscode-single-select');
windowSelect.id = 'percentile-window';
windowSelect.setAttribute('aria-label', 'Response-time percentiles over a rolling window of');
for (const seconds of ROLLING_WINDOWS) {
  const option = document.createElement('vscode-option');
  option.setAttribute('value', String(seconds));
  if (seconds === ui.percentileWindow) option.setAttribute('selected', '');
  option.textContent = `${seconds} s`;
  windowSelect.append(option);
}
// On a narrow panel the charts take turns under these tabs (CSS shows them there only), so the table stays in reach.
const chartTabs = element('div', { className: 'chart-tabs' });
chartTabs.setAttribute('role', 'group');
chartTabs.setAttribute('aria-label', 'Chart shown');
chartsBar.append(scopeLabel, endpointSelect, windowLabel, windowSelect, chartTabs);
const charts = new RunCharts(ui.percentileWindow);
windowSelect.addEventListener('change', () => {
  const seconds = Number(windowSelect.value);
  if (!isRollingWindow(seconds)) return;
  ui.percentileWindow = seconds;
  saveUiState(ui);
  charts.setPercentileWindow(seconds);
});
const chartTabButtons = [...charts.element.querySelectorAll<HTMLElement>('figure[data-chart]')].map((figure) => {
  const button = element('button', { className: 'view-button', text: figure.querySelector('figcaption')?.textContent?.split(' (')[0] ?? '' });
  button.type = 'button';
  button.dataset['chart'] = figure.dataset['chart'];
  button.addEventListener('click', () => showChartTab(figure.dataset['chart'] ?? ''));
  chartTabs.append(button);
  return button;
});
function showChartTab(id: string): void {
  ui.chart = id;
  saveUiState(ui);
  for (const figure of charts.element.querySelectorAll<HTMLElement>('figure[data-chart]')) figure.classList.toggle('current', figure.dataset['chart'] === id);
  for (const button of chartTabButtons) button.setAttribute('aria-pressed', String(button.dataset['chart'] === id));
}
showChartTab(ui.chart);
// The load generator's saturation is said on the charts it makes untrustworthy; its workers are listed below them.
const loadWarning = new LoadWarning();
const workersView = new WorkersView(postToHost);
chartsSection.append(chartsBar, loadWarning.element, charts.element, workersView.element);

// ---- Statistics table with its filter
const statsSection = element('section', { className: 'stats-section' });
const statsBar = element('div', { className: 'stats-bar' });
const statsHeading = element('h3', { text: 'Statistics' });
const filterField = document.createElement('vscode-textfield');
filterField.id = 'name-filter';
filterField.setAttribute('placeholder', 'Filter by name');
filterField.setAttribute('aria-label', 'Filter endpoints by name');
filterField.value = ui.filter;
// A narrow panel shows the compact set of columns (CSS); this asks for the rest, as Locust users expect them on demand.
const columnsToggle = element('button', { className: 'view-button columns-toggle' });
columnsToggle.type = 'button';
statsBar.append(statsHeading, columnsToggle, filterField);
const tableElement = element('table', { className: 'stats' });
function showAllColumns(all: boolean): void {
  ui.allColumns = all;
  tableElement.classList.toggle('all-columns', all);
  setText(columnsToggle, all ? 'Fewer columns' : 'All columns');
  columnsToggle.setAttribute('aria-pressed', String(all));
}
showAllColumns(ui.allColumns);
columnsToggle.addEventListener('click', () => {
  showAllColumns(!ui.allColumns);
  saveUiState(ui);
});
tableElement.setAttribute('aria-label', 'Statistics per endpoint');
const table = new StatsTable(tableElement);
table.setSort(ui.sort);
table.setFilter(ui.filter);
table.onSelect = (endpoint) => select(ui.selected && keyOf(ui.selected) === keyOf(endpoint) ? null : { method: endpoint.method, name: endpoint.name });
table.onSortChange = (sort) => {
  ui.sort = sort;
  saveUiState(ui);
};
filterField.addEventListener('input', () => {
  ui.filter = filterField.value;
  table.setFilter(ui.filter);
  saveUiState(ui);
});
statsSection.append(statsBar, table.container);

// ---- Failures and exceptions
const failures = new FailuresView();
const openSource = (path: string, line: number) => postToHost({ type: 'openSource', path, line });
const exceptions = new ExceptionsView(openSource);

const runSection = element('section', { className: 'run' });
// ---- Current ratio (Locust's tab): the model's shares beside the run's users
const ratio = new RatioView();
/** Users per User class now: the latest sample of each class's series. */
function showClassUsers(): void {
  ratio.setUsers(new Map([...classSeries].map(([name, series]) => [name, series.recent.at(-1)?.v[0] ?? 0])));
}

runSection.append(header, thresholds.element, baselineBar.element, chartsSection, statsSection, ratio.element, failures.element, exceptions.element);

// ---- The single task, and the switch between it and the load test (shown when there are both)
const taskPanel = new TaskPanel(openSource);
const viewSwitch = new ViewSwitch((view) => {
  ui.view = view;
  saveUiState(ui);
  layout();
});
/** The view's content changes under the switch, which stays put so that it keeps the keyboard focus. */
const content = element('div', { className: 'view-content' });
app.replaceChildren(viewSwitch.element, content);

// ---- State of the view (the host owns the run and the task; these are its latest copies)
let run: RunView | null = null;
let task: TaskView | null = null;
let sourceRoots: readonly string[] = [];
const elapsed = new ElapsedClock();
let totalSeries: Series = emptySeries();
let classSeries = new Map<string, Series>();
/** The selected endpoint's series; null while the host has not answered selectEndpoint yet. */
let endpointSeries: Series | null = null;
const endpointOptions = new Map<string, EndpointKey>();
const optionValues = new Map<string, string>();
/** The selector's value for the whole run (an empty value would show as no selection). */
const ALL = 'all';

const keyOf = (e: EndpointKey) => endpointKey(e);

/**
 * The chart selector lists the first endpoints only: a select of 200,000 options stalls the page (and appending them all
 * at once overflows the call stack). Any endpoint can be charted from its row in the table; it then gets an option too.
 */
const MAX_ENDPOINT_OPTIONS = 500;
const moreEndpoints = element('span', { className: 'more-endpoints' });
chartsBar.append(moreEndpoints);

/** `selected`: the option to mark selected as it is created (see resetEndpointOptions). */
function addEndpointOptions(endpoints: readonly EndpointStats[], selected: EndpointKey | null = null): void {
  const fresh = document.createDocumentFragment();
  for (const e of endpoints) {
    if (optionValues.size >= MAX_ENDPOINT_OPTIONS && !(selected && keyOf(selected) === keyOf(e))) continue;
    const option = endpointOption(e);
    if (option) {
      if (selected && keyOf(selected) === keyOf(e)) option.setAttribute('selected', '');
      fresh.append(option);
    }
  }
  if (fresh.childNodes.length) endpointSelect.append(fresh);
  const unlisted = table.rowCount - optionValues.size;
  setText(moreEndpoints, unlisted > 0 ? `${formatCount(unlisted)} more: pick a row in the table` : '');
}

/** A new option for an endpoint the selector does not list yet (undefined when it does). */
function endpointOption(e: EndpointKey): HTMLElement | undefined {
  const key = keyOf(e);
  if (optionValues.has(key)) return undefined;
  // Option values are our own ids: endpoint names are untrusted and may contain anything.
  const value = `e${optionValues.size}`;
  optionValues.set(key, value);
  endpointOptions.set(value, { method: e.method, name: e.name });
  const option = document.createElement('vscode-option');
  option.setAttribute('value', value);
  option.textContent = e.method ? `${e.method} ${e.name}` : e.name;
  return option;
}

function resetEndpointOptions(selected: EndpointKey | null): void {
  optionValues.clear();
  endpointOptions.clear();
  const all = document.createElement('vscode-option');
  all.setAttribute('value', ALL);
  // Selected by attribute: a value set in the same turn as new options is lost before the select sees them.
  if (!selected) all.setAttribute('selected', '');
  all.textContent = 'All endpoints';
  endpointSelect.replaceChildren(all);
  setText(moreEndpoints, '');
}

function select(endpoint: EndpointKey | null): void {
  ui.selected = endpoint;
  saveUiState(ui);
  endpointSeries = null;
  // An endpoint past the selector's list (chosen in the table) gets its option now, so the selector names it.
  const option = endpoint && endpointOption(endpoint);
  if (option) endpointSelect.append(option);
  table.setSelected(endpoint);
  endpointSelect.value = endpoint ? (optionValues.get(keyOf(endpoint)) ?? ALL) : ALL;
  postToHost({ type: 'selectEndpoint', endpoint });
  scheduleCharts();
}

endpointSelect.addEventListener('change', () => {
  const chosen = endpointOptions.get(endpointSelect.value) ?? null;
  if ((chosen && ui.selected && keyOf(chosen) === keyOf(ui.selected)) || (!chosen && !ui.selected)) return;
  select(chosen);
});

// Charts redraw at most once a frame, however many messages arrive.
let chartsScheduled = false;
function scheduleCharts(): void {
  if (chartsScheduled) return;
  chartsScheduled = true;
  requestAnimationFrame(() => {
    chartsScheduled = false;
    drawCharts();
  });
}

function drawCharts(): void {
  if (!run) return;
  const selected = ui.selected;
  charts.update({
    scope: selected ? (endpointSeries ?? emptySeries()) : totalSeries,
    scopeLabel: selected ? (selected.method ? `${selected.method} ${selected.name}` : selected.name) : '',
    total: totalSeries,
    userClasses: [...classSeries].map(([name, value]) => ({ name, value })),
    limits: thresholds.limitsFor(selected),
    // The baseline's series are of the whole run: overlaid only when the charts show the whole run.
    ...(run.baseline && !selected && { baseline: run.baseline.series }),
  });
}

/** A run that is over (or never started) has no current rate, no controls to send and no clock running. */
const isActive = (state: RunView['state']) => state !== 'stopped' && state !== 'failed' && state !== 'quitting';

/** Which view is in front: the one chosen (by the user, or the host), if what it shows exists. */
function currentView(): PanelView {
  if (!task) return 'run';
  if (!run) return 'task';
  return ui.view ?? 'run';
}

function layout(): void {
  const view = currentView();
  viewSwitch.element.hidden = !(run && task);
  viewSwitch.show(view);
  const shown = view === 'task' ? taskPanel.element : run ? runSection : empty;
  if (content.firstElementChild !== shown) content.replaceChildren(shown);
  syncClock();
}

function renderElapsed(): void {
  if (!run) return;
  const seconds = elapsed.read();
  const runTime = run.runTimeSeconds;
  const text = seconds === undefined ? '–' : formatDuration(Math.floor(seconds));
  setText(metricValues.get('Elapsed')!, runTime ? `${text} / ${formatDuration(runTime)}` : text);
}

// Elapsed (run) and duration (task) advance on the panel's own clock while something runs; nothing ticks otherwise.
let clockTimer: ReturnType<typeof setInterval> | undefined;
function syncClock(): void {
  const needed = (run !== null && elapsed.advancing) || taskPanel.running;
  if (needed && clockTimer === undefined) {
    clockTimer = setInterval(() => {
      renderElapsed();
      taskPanel.tickClock();
    }, 250);
  } else if (!needed && clockTimer !== undefined) {
    clearInterval(clockTimer);
    clockTimer = undefined;
  }
}

function renderHeader(): void {
  if (!run) return;
  // An attached run follows a Locust web UI: no locustfile, and the web API tells no target users.
  const attached = run.attachedTo;
  const shown = attached ? (URL.canParse(attached) ? new URL(attached).host : attached) : (run.locustfile.split(/[\\/]/).pop() ?? run.locustfile);
  setText(title, shown);
  title.title = attached ?? run.locustfile;
  setText(stateBadge, run.state);
  stateBadge.dataset['state'] = run.state;
  const classes = run.userClasses.length ? run.userClasses.join(', ') : 'all User classes';
  setText(subtitle, attached ? `attached to ${attached}${run.host ? ` · ${run.host}` : ''}` : `${run.host || 'no host'} · ${classes}`);
  const total = run.total;
  const seconds = total?.window.seconds || 1;
  const users = formatCount(run.userCount);
  setText(metricValues.get('Users')!, run.targetUsers > 0 ? `${users} / ${formatCount(run.targetUsers)}` : users);
  const active = isActive(run.state);
  // A finished run has no current rate: its last window would read as if traffic were still flowing.
  setText(metricValues.get('Requests/s')!, total && active ? formatRate(total.window.requests / seconds) : '–');
  setText(metricValues.get('Failures')!, total ? formatPercent(total.failures, total.requests) : '–');
  setText(metricValues.get('Requests')!, total ? formatCount(total.requests) : '–');
  renderElapsed();
  controls.showRun(run.targetUsers || run.userCount, run.spawnRate, active, run.recordDir !== undefined, !attached && run.locustfile !== '');
  table.setLive(active);
  ratio.setLive(active);
  workersView.setLive(active && !attached);
  setText(message, run.message ?? '');
}

function show(view: RunView | null): void {
  const sameRun = run !== null && view !== null && run.id === view.id;
  run = view;
  if (!sameRun) elapsed.reset();
  table.clear();
  failures.reset(view?.startedAt ?? 0);
  exceptions.reset(sourceRoots);
  if (!sameRun) controls.clearStatus();
  // Remembered across a window reload (the serializer hands this state back to the host), never trusted there blindly.
  if (view?.recordDir !== ui.recordDir && (view || !ui.recordDir)) {
    if (view?.recordDir) ui.recordDir = view.recordDir;
    else delete ui.recordDir;
    saveUiState(ui);
  }
  if (!view) {
    showBaseline(undefined);
    layout();
    return;
  }
  totalSeries = view.series?.total ?? emptySeries();
  followRunState(totalSeries.recent.at(-1)?.t);
  classSeries = new Map((view.series?.userClasses ?? []).map((c) => [c.name, c.value]));
  ratio.setModel(view.modelRatio);
  showClassUsers();
  // The selection survives a hidden panel (getState) if the run still has that endpoint.
  const known = new Set(view.endpoints.map(keyOf));
  const selected = ui.selected && known.has(keyOf(ui.selected)) ? ui.selected : null;
  // A new snapshot of the same run (state change, users changed) keeps the selector as it is.
  if (!sameRun) resetEndpointOptions(selected);
  layout();
  table.update(view.endpoints, view.total);
  addEndpointOptions(view.endpoints, sameRun ? null : selected);
  failures.update(view.failures ?? []);
  exceptions.update(view.exceptions ?? []);
  // A run that completed ends 'stopped' with its verdict (a 'stopped' snapshot without one comes before it); 'failed' gets none.
  thresholds.show(view.thresholds, view.verdict, view.state === 'failed');
  showBaseline(view.baseline);
  showLoadGenerator(view.loadGenerator);
  renderHeader();
  // The snapshot carries the run's series only; the selected endpoint's come on request.
  if (selected) select(selected);
  else {
    ui.selected = null;
    endpointSeries = null;
    if (sameRun) endpointSelect.value = ALL;
    scheduleCharts();
  }
}

function showLoadGenerator(health: RunView['loadGenerator']): void {
  loadWarning.show(health);
  workersView.show(health);
}

function showBaseline(view: RunView['baseline']): void {
  baselineBar.show(view);
  table.setBaseline(view);
}

/** The clock takes the newest sample's time and stops when the run does. */
function followRunState(sampleT: number | undefined): void {
  if (!run) return;
  if (sampleT !== undefined) elapsed.sample(sampleT);
  if (isActive(run.state)) elapsed.thaw();
  else elapsed.freeze();
  syncClock();
}

function showTask(view: TaskView): void {
  // A task the panel had not seen comes to the front; later changes to it leave the user's choice alone.
  if (view.id !== task?.id && ui.view !== 'task') {
    ui.view = 'task';
    saveUiState(ui);
  }
  task = view;
  taskPanel.show(view);
  layout();
}

function applyTick(msg: Extract<HostToWebview, { type: 'tick' }>): void {
  if (!run || run.id !== msg.runId) return;
  run.state = msg.state;
  run.userCount = msg.userCount;
  run.total = msg.total;
  // Only endpoints new to the run need an option in the chart selector (a tick may change thousands of known ones).
  addEndpointOptions(table.update(msg.endpoints, msg.total));
  if (msg.replaceFailures) failures.reset(run.startedAt);
  if (msg.failures) failures.update(msg.failures);
  if (msg.exceptions) exceptions.update(msg.exceptions);
  // Only a changed state recolours a limit line; values show in the chips alone.
  if (msg.thresholds) {
    run.thresholds = msg.thresholds;
    if (thresholds.update(msg.thresholds)) scheduleCharts();
  }
  if (msg.loadGenerator) {
    run.loadGenerator = msg.loadGenerator;
    showLoadGenerator(msg.loadGenerator);
  }
  if (msg.baseline) {
    run.baseline = msg.baseline;
    showBaseline(msg.baseline);
    scheduleCharts();
  }
  const points = msg.points;
  if (points) {
    appendPoint(totalSeries, points.total);
    for (const { name, value } of points.userClasses) {
      let series = classSeries.get(name);
      if (!series) classSeries.set(name, (series = emptySeries()));
      appendPoint(series, value);
    }
    showClassUsers();
    const selected = ui.selected;
    if (points.endpoint && selected && endpointSeries && keyOf(points.endpoint) === keyOf(selected)) {
      for (const point of points.endpoint.points) appendPoint(endpointSeries, point, ENDPOINT_SERIES_BUDGET);
    }
    scheduleCharts();
  }
  followRunState(points?.total.t);
  renderHeader();
}

function apply(msg: HostToWebview): void {
  switch (msg.type) {
    case 'snapshot':
      sourceRoots = msg.sourceRoots ?? [];
      taskPanel.setSourceRoots(sourceRoots);
      if (msg.view && msg.view !== ui.view) {
        ui.view = msg.view;
        saveUiState(ui);
      }
      // A snapshot without the field says nothing about the task (the host may not track one).
      if (msg.task !== undefined) {
        task = msg.task;
        if (task) taskPanel.show(task);
        else taskPanel.clear();
      }
      show(msg.run);
      break;
    case 'task':
      showTask(msg.task);
      break;
    case 'tick':
      applyTick(msg);
      break;
    case 'endpointSeries':
      if (run?.id === msg.runId && ui.selected && keyOf(msg) === keyOf(ui.selected)) {
        endpointSeries = msg.series;
        scheduleCharts();
      }
      break;
    case 'selectEndpoint':
      if (!ui.selected || keyOf(ui.selected) !== keyOf(msg.endpoint)) select(msg.endpoint);
      break;
    case 'ack':
      controls.acknowledged(msg);
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

onThemeChange(() => charts.applyTheme());

show(null);
postToHost({ type: 'ready' });
