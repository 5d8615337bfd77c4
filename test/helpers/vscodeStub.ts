// A stand-in for the `vscode` module for host-side unit tests: settings, extensions and messages a test sets and reads. Import it before any extension/ module.
import Module from 'node:module';

/** An extension as `vscode.extensions.getExtension` returns it: its exports once active. */
export interface StubExtension {
  isActive: boolean;
  exports: unknown;
  activate(): Promise<unknown>;
}

/** What the stub answers with, and what it was told; tests change it between cases. */
export const vscodeStub = {
  settings: new Map<string, unknown>(),
  extensions: new Map<string, StubExtension>(),
  isTrusted: true,
  messages: [] as { kind: 'error' | 'information' | 'warning'; text: string }[],
  logs: [] as string[],
  reset(): void {
    this.settings.clear();
    this.extensions.clear();
    this.isTrusted = true;
    this.messages.length = 0;
    this.logs.length = 0;
  },
};

class EventEmitter<T> {
  private readonly listeners = new Set<(value: T) => void>();
  readonly event = (listener: (value: T) => void) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

const log = (level: string) => (text: string) => void vscodeStub.logs.push(`${level}: ${text}`);
const message = (kind: 'error' | 'information' | 'warning') => (text: string) => {
  vscodeStub.messages.push({ kind, text });
  // Nobody clicks: as when a message is dismissed.
  return Promise.resolve(undefined);
};

const stub = {
  EventEmitter,
  Uri: { file: (fsPath: string) => ({ scheme: 'file', fsPath, path: fsPath, toString: () => `file://${fsPath}` }) },
  extensions: { getExtension: (id: string) => vscodeStub.extensions.get(id) },
  workspace: {
    get isTrusted() {
      return vscodeStub.isTrusted;
    },
    getConfiguration: (section: string) => ({ get: <T>(key: string, fallback?: T) => (vscodeStub.settings.get(`${section}.${key}`) as T | undefined) ?? fallback }),
  },
  window: {
    createOutputChannel: () => ({ info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug'), trace: log('trace'), show: () => undefined }),
    showErrorMessage: message('error'),
    showInformationMessage: message('information'),
    showWarningMessage: message('warning'),
    createTerminal: () => ({ show: () => undefined, sendText: () => undefined }),
  },
  commands: { executeCommand: () => Promise.resolve(undefined) },
};

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Loader };
const load = loader._load;
loader._load = function (request: string, parent: unknown, isMain: boolean) {
  return request === 'vscode' ? stub : load.call(this, request, parent, isMain);
};
