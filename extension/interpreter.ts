// Chooses and verifies the Python interpreter a run uses: the locustStudio.python setting, the Python Environments extension's environment, the Python extension's active one, or PATH.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import { resolveInterpreter, type Interpreter } from '../runner/python';
import { logChannel, logError } from './log';

export type InterpreterSource = 'setting' | 'pythonEnvironments' | 'pythonExtension' | 'path';

export interface ChosenInterpreter extends Interpreter {
  source: InterpreterSource;
}

const SOURCE_LABEL: Record<InterpreterSource, string> = {
  setting: 'the locustStudio.python setting',
  pythonEnvironments: 'the Python Environments extension’s environment',
  pythonExtension: 'the Python extension’s selected interpreter',
  path: 'PATH',
};

/** The Python Environments extension (its API's npm package, @vscode/python-environments, is a facade over these exports). */
export const PYTHON_ENVIRONMENTS_EXTENSION_ID = 'ms-python.vscode-python-envs';

/** What Locust Studio uses of that extension's API: the environment chosen for a file or folder, and how to run its Python. */
interface PythonEnvironmentsApi {
  getEnvironment(scope: vscode.Uri | undefined): Promise<{ execInfo?: { run?: { executable?: unknown; args?: unknown } } } | undefined>;
}

/**
 * The Python Environments extension's environment for `resource`, when that extension is installed and has one whose
 * Python runs as a plain executable (one run through another program, such as `conda run`, is left to the next source).
 */
async function pythonEnvironmentsInterpreter(resource: vscode.Uri): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<Partial<PythonEnvironmentsApi> | undefined>(PYTHON_ENVIRONMENTS_EXTENSION_ID);
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    if (typeof api?.getEnvironment !== 'function') return undefined;
    const run = (await api.getEnvironment(resource))?.execInfo?.run;
    const plain = run?.args === undefined || (Array.isArray(run.args) && run.args.length === 0);
    return typeof run?.executable === 'string' && run.executable && plain ? run.executable : undefined;
  } catch (error) {
    logError('The Python Environments extension did not say which environment is selected', error);
    return undefined;
  }
}

export function describeInterpreter(chosen: ChosenInterpreter): string {
  return `${chosen.path} (Locust ${chosen.locustVersion || 'version unknown'}, from ${SOURCE_LABEL[chosen.source]})`;
}

/** The Python extension's active interpreter for `resource`, when that extension is installed and has one. */
async function pythonExtensionInterpreter(resource: vscode.Uri): Promise<string | undefined> {
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  try {
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath(resource);
    const resolved = await api.environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch (error) {
    logError('The Python extension did not say which interpreter is selected', error);
    return undefined;
  }
}

let lastChosen: ChosenInterpreter | undefined;
const changed = new vscode.EventEmitter<ChosenInterpreter>();
/** Fires each time a run verified an interpreter (the status bar shows it in its tooltip). */
export const onDidChooseInterpreter = changed.event;
export const lastInterpreter = (): ChosenInterpreter | undefined => lastChosen;

/** Where an interpreter is looked for, in this order; PATH (resolveInterpreter's own search) when none names one. */
const NAMED_BY: readonly { source: Exclude<InterpreterSource, 'path'>; find: (resource: vscode.Uri) => Promise<string | undefined> }[] = [
  // This extension's own setting: the user said it for Locust Studio.
  { source: 'setting', find: (resource) => Promise.resolve(vscode.workspace.getConfiguration('locustStudio', resource).get<string>('python')?.trim() || undefined) },
  { source: 'pythonEnvironments', find: pythonEnvironmentsInterpreter },
  { source: 'pythonExtension', find: pythonExtensionInterpreter },
];

/** The interpreter named for `resource` by the first source that names one, else PATH (undefined: resolveInterpreter searches it). */
export async function namedInterpreter(resource: vscode.Uri): Promise<{ source: InterpreterSource; path: string | undefined }> {
  for (const { source, find } of NAMED_BY) {
    const found = await find(resource);
    if (found) return { source, path: found };
  }
  return { source: 'path', path: undefined };
}

/**
 * The interpreter for a run of `resource`: the first of NAMED_BY that names one, else PATH. Verified to import Locust; on
 * failure the user gets a message that says why, with an action that installs Locust in a terminal, and undefined comes back.
 */
export async function chooseInterpreter(resource: vscode.Uri): Promise<ChosenInterpreter | undefined> {
  const { source, path: explicit } = await namedInterpreter(resource);
  try {
    const interpreter = await resolveInterpreter(explicit);
    lastChosen = { ...interpreter, source };
    probed.set(probeKey(source, explicit), Promise.resolve(lastChosen));
    changed.fire(lastChosen);
    noticeOldLocust(lastChosen);
    return lastChosen;
  } catch (error) {
    logError(`No usable Python interpreter (${SOURCE_LABEL[source]})`, error);
    await offerInstall((error as Error).message, explicit);
    return undefined;
  }
}

/** Interpreters asked quietly (for the language server's option list), once each: by source and path. */
const probed = new Map<string, Promise<ChosenInterpreter | undefined>>();
const probeKey = (source: InterpreterSource, path: string | undefined): string => `${source}\u0000${path ?? ''}`;

/**
 * The interpreter runs of `resource` would use, asked once per interpreter and without any message (undefined when none
 * has Locust): what the language server checks locust.conf against. Runs Python: trusted workspaces only.
 */
export async function quietInterpreter(resource: vscode.Uri): Promise<ChosenInterpreter | undefined> {
  if (!vscode.workspace.isTrusted) return undefined;
  const { source, path: explicit } = await namedInterpreter(resource);
  const key = probeKey(source, explicit);
  let found = probed.get(key);
  if (!found) {
    found = resolveInterpreter(explicit).then(
      (interpreter) => ({ ...interpreter, source }),
      () => undefined,
    );
    probed.set(key, found);
  }
  return found;
}

/** What a run record keeps of the interpreter: which one, its Locust, and where the choice came from. */
export function recordedInterpreter(chosen: ChosenInterpreter): { path: string; locustVersion: string; source: InterpreterSource } {
  return { path: chosen.path, locustVersion: chosen.locustVersion, source: chosen.source };
}

/** Where the one-time notice about an old Locust remembers the interpreters it spoke of (set at activation). */
let notices: vscode.Memento | undefined;
const OLD_LOCUST_NOTICES_KEY = 'locustStudio.oldLocustNoticed';

export function rememberNoticesIn(state: vscode.Memento): void {
  notices = state;
}

/**
 * Once per interpreter and Locust version: the interpreter found first is used as it is, but when its Locust lacks what
 * current releases offer, say which one it is and how to get the newest (the command is typed, not run).
 */
function noticeOldLocust(chosen: ChosenInterpreter): void {
  if (chosen.current || !notices) return;
  const key = `${chosen.path}\u0000${chosen.locustVersion}`;
  const seen = notices.get<string[]>(OLD_LOCUST_NOTICES_KEY) ?? [];
  if (seen.includes(key)) return;
  void notices.update(OLD_LOCUST_NOTICES_KEY, [...seen, key].slice(-50));
  const found = chosen.locustVersion ? `Locust ${chosen.locustVersion}` : 'an older Locust whose build does not say its version (Debian’s python3-locust is 2.12.1)';
  const action = 'Get the Newest Locust';
  void vscode.window
    .showInformationMessage(
      `Locust Studio runs ${chosen.path}, which has ${found}. Runs work, but releases from 2.38 on add MarkovTaskSet, pytest-style locustfiles and --processes.`,
      action,
    )
    .then((choice) => {
      if (choice !== action) return;
      const terminal = vscode.window.createTerminal({ name: 'Newest Locust' });
      terminal.show();
      // Typed, not run: the user reads it first (and then points locustStudio.python at the new interpreter).
      terminal.sendText(upgradeCommand(chosen.path), false);
    });
}

/** How to get the newest Locust for `python`: pip for an interpreter of the user's, a virtual environment beside Debian's. */
export function upgradeCommand(python: string): string {
  if (python === '/usr/bin/python3' && existsSync('/etc/debian_version')) {
    return 'python3 -m venv ~/.venvs/locust && ~/.venvs/locust/bin/pip install -U locust  # then set locustStudio.python to ~/.venvs/locust/bin/python';
  }
  return `${quote(python)} -m pip install -U locust`;
}

/** The command that installs Locust for `python`: Debian's package for the system interpreter there, else pip. */
export function installCommand(python: string | undefined): string {
  const system = !python || python === '/usr/bin/python3' || python === 'python3';
  if (system && existsSync('/etc/debian_version')) return 'sudo apt-get install -y python3-locust';
  return `${quote(python ?? 'python3')} -m pip install locust`;
}

function quote(word: string): string {
  return /^[\w./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

async function offerInstall(message: string, python: string | undefined): Promise<void> {
  const install = 'Install Locust';
  const choice = await vscode.window.showErrorMessage(`Locust Studio: ${message}`, install, 'Choose Interpreter', 'Show Log');
  if (choice === install) {
    const terminal = vscode.window.createTerminal({ name: 'Install Locust' });
    terminal.show();
    // Sent, not executed silently: the user sees the command (and a sudo prompt, if any) in the terminal.
    terminal.sendText(installCommand(python), true);
  } else if (choice === 'Choose Interpreter') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'locustStudio.python');
  } else if (choice === 'Show Log') {
    logChannel().show();
  }
}
