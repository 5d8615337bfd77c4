// The project's own modules a locustfile imports (`from common import BaseUser`), found where Python finds them, and their Locust classes.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Parser } from 'web-tree-sitter';
import { analyzeTree, isLocustClassName, projectImportsOf, type ProjectClass, type ProjectClasses } from './locustfileModel';

/** A module file larger than this is not read (generated code, data): its classes stay unknown. */
export const MAX_PROJECT_MODULE_BYTES = 1024 * 1024;
/** How many modules deep a chain of imports is followed; a cycle stops sooner. */
export const MAX_IMPORT_DEPTH = 6;

/** The text of a file the editor has open, with a stamp that changes with each of its versions; undefined when it is not open. */
export type OpenText = (file: string) => { text: string; stamp: string } | undefined;

/** What the model of one module file says, for the files importing it. */
interface ModuleSummary {
  /** The file's path and version (`open:…` or its modification time and size). */
  stamp: string;
  /** The modules it imports (their names as written). */
  imports: string[];
  /** Its stamp and, transitively, its imports': when it differs, something the summary read has changed. */
  signature: string;
  /** Its top-level Locust classes by name, as its own model resolves them. */
  classes: Map<string, ProjectClass>;
  /** Names it imports from other modules (`from base import BaseUser`): importing them from it means them. */
  reexports: Map<string, { module: string; name: string }>;
  /** Locust's classes it imports (`from locust import HttpUser as Base`), by the name bound. */
  locustClasses: Map<string, ProjectClass['kind']>;
}

/**
 * Finds and reads the modules a locustfile imports. Locust puts the locustfile's folder first on `sys.path` (and runs it
 * from there), so `import common` is `common.py` or `common/__init__.py` in that folder; a relative import (`from .common
 * import X`) is read from the importing file's folder. Modules are read from the open document when the editor has one,
 * else from disk, and each file's summary is kept until it or a module it imports changes.
 */
export class ProjectModules {
  private readonly summaries = new Map<string, ModuleSummary>();
  /** Summaries already checked against the files during the current analysis: one stat per file per analysis. */
  private checked = new Map<string, ModuleSummary | undefined>();

  constructor(
    private readonly parser: Parser,
    private readonly openText: OpenText = () => undefined,
  ) {}

  /** What the file at `uri` can import from its project; undefined for a document that is not a file. */
  forFile(uri: string): ProjectClasses | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const file = fileURLToPath(uri);
    this.checked = new Map();
    return this.scope(path.dirname(file), file, [file]);
  }

  private scope(root: string, importer: string, stack: string[]): ProjectClasses {
    return {
      classOf: (module, name) => this.classOf(root, importer, module, name, stack),
      signature: (modules) => this.signatureOf(root, importer, modules, stack),
    };
  }

  /** The file a module name means for `importer`, or undefined when the project has none (a library, the standard library). */
  private resolve(root: string, importer: string, module: string): string | undefined {
    const dots = /^\.*/.exec(module)![0].length;
    const parts = module.slice(dots).split('.').filter(Boolean);
    const base = dots > 0 ? path.resolve(path.dirname(importer), ...Array<string>(dots - 1).fill('..')) : root;
    if (parts.some((part) => !/^[\p{L}_][\p{L}\p{N}_]*$/u.test(part))) return undefined;
    const candidates = parts.length > 0 ? [`${path.join(base, ...parts)}.py`, path.join(base, ...parts, '__init__.py')] : [path.join(base, '__init__.py')];
    return candidates.find((file) => this.stampOf(file) !== undefined);
  }

  private stampOf(file: string): string | undefined {
    const open = this.openText(file);
    if (open) return `open:${open.stamp}`;
    try {
      const stat = statSync(file);
      return stat.isFile() ? `${stat.mtimeMs}:${stat.size}` : undefined;
    } catch {
      return undefined;
    }
  }

  private textOf(file: string): string | undefined {
    const open = this.openText(file);
    if (open) return open.text.length <= MAX_PROJECT_MODULE_BYTES ? open.text : undefined;
    try {
      if (statSync(file).size > MAX_PROJECT_MODULE_BYTES) return undefined;
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  private signatureOf(root: string, importer: string, modules: string[], stack: string[]): string {
    return modules
      .map((module) => {
        const file = this.resolve(root, importer, module);
        return (file && this.summaryOf(root, file, stack)?.signature) ?? '-';
      })
      .join('|');
  }

  private classOf(root: string, importer: string, module: string, name: string, stack: string[]): ProjectClass | undefined {
    const file = this.resolve(root, importer, module);
    const summary = file && this.summaryOf(root, file, stack);
    if (!file || !summary) return undefined;
    const own = summary.classes.get(name);
    if (own) return own;
    const kind = summary.locustClasses.get(name);
    if (kind) return { kind, uri: pathToFileURL(file).href };
    const reexport = summary.reexports.get(name);
    if (!reexport || stack.includes(file) || stack.length > MAX_IMPORT_DEPTH) return undefined;
    return this.classOf(root, file, reexport.module, reexport.name, [...stack, file]);
  }

  /** The summary of a module file, read again only when it or a module it imports has changed; undefined past a cycle or the depth. */
  private summaryOf(root: string, file: string, stack: string[]): ModuleSummary | undefined {
    if (stack.includes(file) || stack.length > MAX_IMPORT_DEPTH) return undefined;
    const key = `${root}\0${file}`;
    if (this.checked.has(key)) return this.checked.get(key);
    this.checked.set(key, undefined); // an import cycle met while this one is read finds nothing
    const stamp = this.stampOf(file);
    const inner = [...stack, file];
    let summary = this.summaries.get(key);
    if (!stamp) summary = undefined;
    else if (!summary || summary.stamp !== stamp || summary.signature !== this.signed(stamp, root, file, summary.imports, inner)) summary = this.read(root, file, stamp, inner);
    if (summary) this.summaries.set(key, summary);
    else this.summaries.delete(key);
    this.checked.set(key, summary);
    return summary;
  }

  private signed(stamp: string, root: string, file: string, imports: string[], stack: string[]): string {
    return `${file}@${stamp}(${this.signatureOf(root, file, imports, stack)})`;
  }

  private read(root: string, file: string, stamp: string, stack: string[]): ModuleSummary | undefined {
    const text = this.textOf(file);
    if (text === undefined) return undefined;
    const tree = this.parser.parse(text);
    if (!tree) return undefined;
    try {
      const uri = pathToFileURL(file).href;
      const { model, facts } = analyzeTree(tree, uri, 0, undefined, this.scope(root, file, stack));
      const classes = new Map<string, ProjectClass>();
      for (const cls of facts.classes) {
        const kind = facts.kinds.get(cls);
        if (cls.nestedIn || !kind) continue;
        // A name defined twice means its last definition, as in Python.
        const last = <T extends { name: string }>(list: T[]) => list.filter((info) => info.name === cls.name).pop();
        const user = last(model.users);
        const taskSet = last(model.taskSets);
        const shape = last(model.shapes);
        classes.set(cls.name, { kind, uri, ...(user && { user }), ...(taskSet && { taskSet }), ...(shape && { hasTick: shape.hasTick }) });
      }
      const locustClasses = new Map<string, ProjectClass['kind']>();
      for (const [bound, name] of facts.imports.names) if (isLocustClassName(name)) locustClasses.set(bound, name);
      const imports = projectImportsOf(facts.imports);
      return { stamp, imports, signature: this.signed(stamp, root, file, imports, stack), classes, locustClasses, reexports: new Map(facts.imports.imported ?? []) };
    } finally {
      tree.delete();
    }
  }
}
