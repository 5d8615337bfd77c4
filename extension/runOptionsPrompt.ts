// The "Run load test" questions: users, spawn rate, run time and host in a few input boxes, then tags and extra arguments.
import * as vscode from 'vscode';
import type { CustomArgumentInfo } from '../protocol/model';
import {
  parseArguments,
  parseList,
  validateCustomArgument,
  validateHost,
  validateRunTime,
  validateSpawnRate,
  validateUsers,
  type RunChoices,
} from '../runner/runChoices';

interface Question {
  prompt: string;
  value: string;
  placeHolder?: string;
  validate: (text: string) => string | undefined;
}

async function ask(title: string, step: number, steps: number, q: Question): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `${title} (${step}/${steps})`,
    prompt: q.prompt,
    value: q.value,
    placeHolder: q.placeHolder,
    ignoreFocusOut: true,
    validateInput: (text) => q.validate(text) ?? null,
  });
}

/**
 * Asks for a run's choices, prefilled with `defaults`. A load shape decides users and duration itself, so `shaped`
 * skips those questions. Returns undefined when the user cancels.
 */
export async function askRunChoices(
  title: string,
  defaults: RunChoices,
  shaped: boolean,
  customArguments: readonly CustomArgumentInfo[] = [],
  /** locustHasProfile: the interpreter's Locust takes --profile; workerHosts: SSH targets the run's workers start on (the
   * locustStudio.workerHosts setting), said in the confirmation. */
  { locustHasProfile = false, workerHosts = [] }: { locustHasProfile?: boolean; workerHosts?: readonly string[] } = {},
): Promise<RunChoices | undefined> {
  const choices: RunChoices = {
    ...defaults,
    tags: [...defaults.tags],
    excludeTags: [...defaults.excludeTags],
    extraArgs: [...defaults.extraArgs],
    customArgs: { ...defaults.customArgs },
  };
  // The last step is the confirmation (start, or refine the run first): counted like the questions before it.
  const steps = shaped ? 2 : 5;
  let step = 1;
  if (!shaped) {
    const users = await ask(title, step++, steps, { prompt: 'Number of users (peak concurrency)', value: String(choices.users), validate: validateUsers });
    if (users === undefined) return undefined;
    choices.users = Number(users);
    const rate = await ask(title, step++, steps, { prompt: 'Users started per second', value: String(choices.spawnRate), validate: validateSpawnRate });
    if (rate === undefined) return undefined;
    choices.spawnRate = Number(rate);
    const runTime = await ask(title, step++, steps, {
      prompt: 'Run time (30s, 5m, 1h30m); empty runs until you stop it',
      value: choices.runTime,
      placeHolder: 'until stopped',
      validate: validateRunTime,
    });
    if (runTime === undefined) return undefined;
    choices.runTime = runTime.trim();
  }
  const host = await ask(title, step, steps, {
    prompt: 'Host to load; empty keeps what the locustfile or locust.conf sets',
    value: choices.host,
    placeHolder: 'from the locustfile / locust.conf',
    validate: validateHost,
  });
  if (host === undefined) return undefined;
  choices.host = host.trim();
  return (await refineChoices(`${title} (${steps}/${steps})`, choices, customArguments.filter((a) => a.inWebUi), { locustHasProfile, workerHosts })) ? choices : undefined;
}

/**
 * Asks only for the host, for a run whose other choices are known (the Testing view): nothing names one, and a load test
 * needs a target. Returns undefined when the user cancels.
 */
export async function askHost(title: string, defaults: RunChoices): Promise<RunChoices | undefined> {
  const host = await vscode.window.showInputBox({
    title,
    prompt: 'Host to load: neither the locustfile, locust.conf nor your last run names one',
    placeHolder: 'http://127.0.0.1:8080',
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() ? (validateHost(text) ?? null) : 'A URL such as http://127.0.0.1:8080.'),
  });
  return host === undefined ? undefined : { ...defaults, host: host.trim() };
}

type Refinement = vscode.QuickPickItem & { id: 'start' | 'tags' | 'excludeTags' | 'extraArgs' | 'profile' | 'custom'; argument?: CustomArgumentInfo };

/** What a custom argument's row says of its value: the value chosen, else its default; a secret never shows. */
function customValueText(argument: CustomArgumentInfo, choices: RunChoices): string {
  const chosen = Object.hasOwn(choices.customArgs, argument.flag) ? choices.customArgs[argument.flag] : undefined;
  if (argument.secret) return chosen ? '•••••• (set)' : 'not set';
  const value = chosen ?? argument.default;
  if (argument.kind === 'flag') return value === 'true' ? 'on' : 'off';
  return value === null || value === '' ? 'not set' : `${value}${chosen === undefined ? ' (default)' : ''}`;
}

/**
 * A last pick: start, or first set the locustfile's own arguments (as Locust's web form lists them), tags, excluded tags,
 * extra arguments or, where the interpreter's Locust has `--profile`, the run's profile. False when cancelled.
 */
async function refineChoices(
  title: string,
  choices: RunChoices,
  customArguments: readonly CustomArgumentInfo[],
  { locustHasProfile, workerHosts }: { locustHasProfile: boolean; workerHosts: readonly string[] },
): Promise<boolean> {
  for (;;) {
    const items: Refinement[] = [
      { id: 'start', label: '$(play) Start the run', detail: summary(choices, workerHosts) },
      ...(customArguments.length ? [{ id: 'custom' as const, label: 'The locustfile’s arguments', kind: vscode.QuickPickItemKind.Separator }] : []),
      ...customArguments.map((argument): Refinement => ({
        id: 'custom',
        argument,
        label: `$(${argument.secret ? 'key' : 'symbol-parameter'}) ${argument.flag}`,
        description: customValueText(argument, choices),
        ...(argument.help && { detail: argument.help }),
      })),
      { id: 'tags', label: '$(tag) Run only tasks tagged…', description: choices.tags.join(', ') || 'all tasks' },
      { id: 'excludeTags', label: '$(exclude) Skip tasks tagged…', description: choices.excludeTags.join(', ') || 'none' },
      { id: 'extraArgs', label: '$(terminal) Extra Locust arguments…', description: choices.extraArgs.join(' ') || 'none' },
      ...(locustHasProfile ? [{ id: 'profile' as const, label: '$(bookmark) Profile (names the run in Locust)…', description: choices.profile || 'none' }] : []),
    ];
    const picked = await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true, placeHolder: 'Start, or refine the run first' });
    if (!picked) return false;
    if (picked.id === 'start') return true;
    if (picked.id === 'custom') {
      if (picked.argument) await askCustomArgument(title, picked.argument, choices);
      continue;
    }
    if (picked.id === 'profile') {
      const profile = await vscode.window.showInputBox({ title, prompt: 'Profile: Locust groups runs by it (--profile); empty for none', value: choices.profile, ignoreFocusOut: true });
      if (profile !== undefined) choices.profile = profile.trim();
      continue;
    }
    const current = picked.id === 'extraArgs' ? choices.extraArgs.join(' ') : choices[picked.id].join(', ');
    const text = await vscode.window.showInputBox({
      title,
      prompt: picked.id === 'extraArgs' ? 'Arguments passed to Locust as they are, e.g. --loglevel DEBUG' : 'Tags, separated by commas or spaces',
      value: current,
      ignoreFocusOut: true,
    });
    if (text === undefined) continue;
    if (picked.id === 'extraArgs') choices.extraArgs = parseArguments(text);
    else choices[picked.id] = parseList(text);
  }
}

/** Asks one of the locustfile's arguments as Locust's web form does: a pick for choices and switches, a password box for a secret. */
async function askCustomArgument(title: string, argument: CustomArgumentInfo, choices: RunChoices): Promise<void> {
  const current = Object.hasOwn(choices.customArgs, argument.flag) ? choices.customArgs[argument.flag]! : (argument.default ?? '');
  if (argument.kind === 'flag' || argument.choices) {
    const values = argument.kind === 'flag' ? ['true', 'false'] : argument.choices!;
    const picked = await vscode.window.showQuickPick(
      values.map((value) => ({
        label: argument.kind === 'flag' ? (value === 'true' ? 'on' : 'off') : value,
        value,
        description: [value === current ? 'current' : '', value === argument.default ? 'default' : ''].filter(Boolean).join(', '),
      })),
      { title: `${title}: ${argument.flag}`, placeHolder: argument.help ?? argument.flag, ignoreFocusOut: true },
    );
    if (picked) choices.customArgs[argument.flag] = picked.value;
    return;
  }
  const text = await vscode.window.showInputBox({
    title: `${title}: ${argument.flag}`,
    prompt: argument.help ?? `Value of ${argument.flag}${argument.default !== null ? ` (default ${argument.default})` : ''}`,
    value: argument.secret ? '' : current,
    password: argument.secret,
    placeHolder: argument.secret ? 'Not remembered after this run' : (argument.default ?? ''),
    ignoreFocusOut: true,
    validateInput: (value) => validateCustomArgument(argument, value) ?? null,
  });
  if (text !== undefined) choices.customArgs[argument.flag] = text.trim();
}

function summary(c: RunChoices, workerHosts: readonly string[]): string {
  const where = workerHosts.length ? ` · workers on ${workerHosts.join(', ')}` : '';
  return `${c.users} users at ${c.spawnRate}/s · ${c.runTime || 'until stopped'} · ${c.host || 'host from the locustfile'}${where}`;
}
