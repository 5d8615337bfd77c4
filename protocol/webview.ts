// Messages between the extension host and the run panel webview, with their validators.
import * as v from 'valibot';
import { EndpointStatsSchema, RunStateSchema } from './runner';

/** What the panel shows of one run; the host owns it and refills the view from it. */
export const RunViewSchema = v.object({
  id: v.string(),
  locustfile: v.string(),
  host: v.string(),
  userClasses: v.array(v.string()),
  state: v.union([RunStateSchema, v.literal('starting'), v.literal('failed')]),
  startedAt: v.number(),
  userCount: v.number(),
  targetUsers: v.number(),
  endpoints: v.array(EndpointStatsSchema),
  total: v.nullable(EndpointStatsSchema),
  message: v.optional(v.string()),
});
export type RunView = v.InferOutput<typeof RunViewSchema>;

export const HostToWebviewSchema = v.variant('type', [
  v.object({ type: v.literal('snapshot'), run: v.nullable(RunViewSchema) }),
  v.object({
    type: v.literal('tick'),
    runId: v.string(),
    state: RunViewSchema.entries.state,
    userCount: v.number(),
    endpoints: v.array(EndpointStatsSchema),
    total: EndpointStatsSchema,
  }),
]);
export type HostToWebview = v.InferOutput<typeof HostToWebviewSchema>;

export const WebviewToHostSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('stop') }),
  v.object({ type: v.literal('reset') }),
  v.object({
    type: v.literal('setUsers'),
    users: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000)),
    spawnRate: v.pipe(v.number(), v.minValue(0.01), v.maxValue(100_000)),
  }),
]);
export type WebviewToHost = v.InferOutput<typeof WebviewToHostSchema>;

export function parseHostToWebview(raw: unknown): HostToWebview | undefined {
  const r = v.safeParse(HostToWebviewSchema, raw);
  return r.success ? r.output : undefined;
}

export function parseWebviewToHost(raw: unknown): WebviewToHost | undefined {
  const r = v.safeParse(WebviewToHostSchema, raw);
  return r.success ? r.output : undefined;
}
