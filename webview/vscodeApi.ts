// The webview side of the host channel: typed postMessage to the extension host, and UI state kept across hides.
import { DEFAULT_ROLLING_WINDOW, isRollingWindow, type EndpointKey, type RollingWindowSeconds, type WebviewToHost } from '../protocol/webview';
import type { SortState } from './statsTable';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function postToHost(message: WebviewToHost): void {
  api.postMessage(message);
}

/** What only the view knows (not the run's data, which the host refills): it survives the panel being hidden. */
export interface PanelUiState {
  selected: EndpointKey | null;
  sort: SortState | null;
  filter: string;
  /** The record of the run shown: the host reads it back when a window reload restores the panel. */
  recordDir?: string;
  /** The view in front when both a load test and a single task exist, so that a reload shows the same one. */
  view?: 'run' | 'task';
  /** The rolling window the response-time chart reads its percentiles over, in seconds. */
  percentileWindow: RollingWindowSeconds;
  /** A narrow panel shows every column of the table instead of the compact set. */
  allColumns: boolean;
  /** On a narrow panel (charts under tabs): the chart shown. */
  chart: string;
}

export function loadUiState(): PanelUiState {
  const raw = api.getState() as Partial<PanelUiState> | undefined;
  // Our own state, but a previous version may have written another shape: take only what checks out.
  const selected = raw?.selected && typeof raw.selected.method === 'string' && typeof raw.selected.name === 'string' ? raw.selected : null;
  const sort = raw?.sort && typeof raw.sort.column === 'number' && (raw.sort.direction === 'ascending' || raw.sort.direction === 'descending') ? raw.sort : null;
  return {
    selected,
    sort,
    filter: typeof raw?.filter === 'string' ? raw.filter : '',
    ...(typeof raw?.recordDir === 'string' && { recordDir: raw.recordDir }),
    ...((raw?.view === 'run' || raw?.view === 'task') && { view: raw.view }),
    percentileWindow: isRollingWindow(raw?.percentileWindow) ? raw.percentileWindow : DEFAULT_ROLLING_WINDOW,
    allColumns: raw?.allColumns === true,
    chart: typeof raw?.chart === 'string' ? raw.chart : 'requests',
  };
}

export function saveUiState(state: PanelUiState): void {
  api.setState(state);
}
