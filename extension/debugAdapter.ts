// The `locust-studio` debug type: launch configurations for one task, attached to debugpy's adapter from the chosen interpreter.
import * as vscode from 'vscode';
import type { RunTarget } from '../protocol/lsp';
import { logChannel } from './log';

/** This extension's debug type (package.json `contributes.debuggers`). */
export const DEBUG_TYPE = 'locust-studio';
/** The Python Debugger extension's debug type and id: preferred when installed (its UI knows Python best). */
const PYTHON_DEBUGGER_TYPE = 'debugpy';
const PYTHON_DEBUGGER_EXTENSION = 'ms-python.debugpy';

/** The debug type to attach with: the Python Debugger's when it is installed, else ours. */
export function debuggerFor(): string {
  return vscode.extensions.getExtension(PYTHON_DEBUGGER_EXTENSION) ? PYTHON_DEBUGGER_TYPE : DEBUG_TYPE;
}

/** A launch configuration of our type (launch.json): which task of which file to debug. */
interface TaskLaunchConfiguration extends vscode.DebugConfiguration {
  locustfile?: string;
  userClass?: string;
  task?: string;
  taskSet?: string[];
  host?: string;
}

/** What a launch configuration asks for, once resolved: the adapter only ever changes its host. */
export interface DebuggableTask {
  host: string | undefined;
}

/**
 * What the adapter needs of whoever runs tasks (extension/taskCommand.ts's TaskRunner): declared here so that this
 * module depends on nothing of the task command, which uses this module's debug types.
 */
export interface TaskDebugStarter<Spec extends DebuggableTask> {
  /** The task a target names, with its host resolved; undefined when there is none to run. */
  specFor(target: RunTarget): Promise<Spec | undefined>;
  /** Starts the task under debugpy; resolves once it listens on `port`, or undefined when it could not (the user was told). */
  startForDebug(spec: Spec): Promise<{ port: number; label: string } | undefined>;
}

function validPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65_536;
}

/**
 * The adapter is debugpy's own, started by the task shim from the run's interpreter (`debugpy.listen`) on 127.0.0.1: VS
 * Code connects to it the way the Python Debugger does for an `attach` with `connect`.
 */
class TaskDebugAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const connect = session.configuration['connect'] as { host?: unknown; port?: unknown } | undefined;
    if (!validPort(connect?.port)) {
      throw new Error('A Locust Studio debug session needs a task to attach to: use the “Debug task” code lens or a launch configuration with locustfile, userClass and task.');
    }
    // Only loopback: the shim listens on 127.0.0.1 and nothing else is ever attached to from here.
    return new vscode.DebugAdapterServer(connect.port, '127.0.0.1');
  }
}

/** Turns `{ request: 'launch', locustfile, userClass, task }` into an attach to a task started for it. */
class TaskDebugConfigurationProvider<Spec extends DebuggableTask> implements vscode.DebugConfigurationProvider {
  constructor(private readonly tasks: TaskDebugStarter<Spec>) {}

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [
      {
        type: DEBUG_TYPE,
        request: 'launch',
        name: 'Locust Studio: debug one task',
        locustfile: '${file}',
        userClass: 'WebsiteUser',
        task: 'index',
      },
    ];
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    configuration: TaskLaunchConfiguration,
  ): Promise<vscode.DebugConfiguration | null | undefined> {
    if (configuration.request !== 'launch') return configuration;
    const { locustfile, userClass, task } = configuration;
    if (!locustfile || !userClass || !task) {
      void vscode.window.showErrorMessage('Locust Studio: a launch configuration needs "locustfile", "userClass" and "task".');
      return undefined;
    }
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Locust Studio debugs a task only in a trusted workspace: it executes the locustfile’s code.');
      return undefined;
    }
    const file = vscode.Uri.file(folder && !locustfile.startsWith('/') ? vscode.Uri.joinPath(folder.uri, locustfile).fsPath : locustfile);
    const spec = await this.tasks.specFor({ uri: file.toString(), userClasses: [userClass], task, taskSet: configuration.taskSet ?? [] });
    if (!spec) return undefined;
    if (configuration.host) spec.host = configuration.host;
    const started = await this.tasks.startForDebug(spec);
    if (!started) return undefined;
    logChannel().info(`Debug task ${started.label}: attaching to 127.0.0.1:${started.port}`);
    // `null` (not undefined) would open launch.json; the task runs now, so the session attaches to it.
    return { ...configuration, request: 'attach', connect: { host: '127.0.0.1', port: started.port }, justMyCode: (configuration['justMyCode'] as boolean | undefined) ?? true };
  }
}

export function registerTaskDebugging<Spec extends DebuggableTask>(tasks: TaskDebugStarter<Spec>): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new TaskDebugAdapterFactory()),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new TaskDebugConfigurationProvider(tasks)),
  );
}
