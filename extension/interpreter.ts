// Chooses and verifies the Python interpreter a run uses: the locustStudio.python setting, the Python extension's active one, or PATH.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import { resolveInterpreter, type Interpreter } from '../runner/python';
import { logChannel, logError } from './log';

export type InterpreterSource = 'setting' | 'pythonExtension' | 'path';

export interface ChosenInterpreter extends Interpreter {
  source: InterpreterSource;
}

const SOURCE_LABEL: Record<InterpreterSource, string> = {
  setting: 'the locustStudio.python setting',
  pythonExtension: 'the Python extension’s selected interpreter',
  path: 'PATH',
};

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

/**
 * The interpreter for a run of `resource`: an explicit `locustStudio.python` wins (it is this extension's own setting),
 * then the Python extension's selection, then PATH. Verified to import Locust; on failure the user gets a message that
 * says why, with an action that installs Locust in a terminal, and undefined comes back.
 */
export async function chooseInterpreter(resource: vscode.Uri): Promise<ChosenInterpreter | undefined> {
  const setting = vscode.workspace.getConfiguration('locustStudio', resource).get<string>('python')?.trim();
  const fromExtension = setting ? undefined : await pythonExtensionInterpreter(resource);
  const source: InterpreterSource = setting ? 'setting' : fromExtension ? 'pythonExtension' : 'path';
  const explicit = setting || fromExtension;
  try {
    const interpreter = await resolveInterpreter(explicit);
    lastChosen = { ...interpreter, source };
    changed.fire(lastChosen);
    noticeOldLocust(lastChosen);
    return lastChosen;
  } catch (error) {
    logError(`No usable Python interpreter (${SOURCE_LABEL[source]})`, error);
    await offerInstall((error as Error).message, explicit);
    return undefined;
  }
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
