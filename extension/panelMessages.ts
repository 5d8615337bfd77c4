// What the host posts to the run panel, built from a run's aggregate: free of `vscode`, so it is unit-tested plainly.
import type { EndpointKey, HostToWebview, TaskView } from '../protocol/webview';
import { endpointKey, type RunAggregate, type RunChange } from '../runner/runAggregate';

/** The run the panel shows (active or recorded) and its record's folder, when it has one. */
export interface ShownRun {
  aggregate: RunAggregate;
  recordDir: string | undefined;
}

/** The whole view: sent on `ready`, when the panel becomes visible again, and when the run's frame changes (start, end, state). */
export function snapshotMessage(run: ShownRun | undefined, { sourceRoots, task, view }: { sourceRoots: string[]; task: TaskView | undefined; view: 'run' | 'task' }): HostToWebview {
  return {
    type: 'snapshot',
    run: run ? { ...run.aggregate.snapshot, ...(run.recordDir !== undefined && { recordDir: run.recordDir }) } : null,
    sourceRoots,
    task: task ?? null,
    view,
  };
}

/** What one tick (or the final statistics) changed; the selected endpoint's new samples ride along for its chart. */
export function tickMessage(aggregate: RunAggregate, change: RunChange, selected: EndpointKey | null): HostToWebview {
  const endpointPoints = selected && change.points?.byEndpoint.get(endpointKey(selected));
  return {
    type: 'tick',
    runId: aggregate.id,
    state: aggregate.state,
    userCount: aggregate.userCount,
    endpoints: change.endpoints,
    total: aggregate.total!,
    ...(change.points && {
      points: {
        total: change.points.total,
        userClasses: change.points.userClasses,
        ...(selected && endpointPoints && { endpoint: { ...selected, points: endpointPoints } }),
      },
    }),
    ...(change.failures && { failures: change.failures }),
    ...(change.exceptions && { exceptions: change.exceptions }),
    ...(change.replaceFailures && { replaceFailures: true }),
    ...(change.thresholds && { thresholds: change.thresholds }),
    ...(change.baseline && { baseline: change.baseline }),
    ...(change.loadGenerator && { loadGenerator: change.loadGenerator }),
  };
}
