// The Locust versions the runner is tested on (the one place they are pinned), where their virtual environments live, and their install for setup.sh.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { acquireLock, cacheRoot } from './codeServer';

/** Debian's python3-locust: 2.12.1, which runs under the system interpreter only. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const DEBIAN_LOCUST = '2.12.1';
/**
 * Locust's own example locustfiles, as Debian's python3-locust ships them (setup.sh installs it): the model oracle's corpus. The
 * PyPI wheel and sdist of Locust hold no examples (the sdist has only `locust/` and `pytest_locust/`).
 */
export const DEBIAN_LOCUST_EXAMPLES = '/usr/share/doc/python3-locust/examples';

/**
 * The newest Locust Debian packages (unstable's python3-locust, 2.46.7 when this was written) ships its examples too: the model
 * oracle's corpus of the newest language. Its .deb is fetched and verified by apt from a list of its own in the cache folder (never
 * installed, the machine's apt sources untouched), and its examples kept in the cache, checked again after a week.
 */
const UNSTABLE_SOURCE = 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian unstable main';
const UNSTABLE_EXAMPLES_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** Where the examples of Debian unstable's Locust are kept, and which version they are of (once setup fetched them). */
export function newestLocustExamples(): { dir: string; version: string | undefined } {
  const root = path.join(cacheRoot(), 'locust-examples-debian-unstable');
  return { dir: path.join(root, 'examples'), version: readExamplesMarker(root)?.version };
}

/**
 * Locust from PyPI, as users install it. `newest` is the newest release when this was last bumped; `middle` a release
 * between Debian's and the newest, where the web UI, the stats API and the runners had already changed.
 */
export const PYPI_LOCUSTS = { newest: '2.47.0', middle: '2.32.10' } as const;
/** debugpy in each virtual environment, for "Debug task" under that Locust. */
export const DEBUGPY_VERSION = '1.8.22';
/**
 * What Locust's own examples of its contrib User classes import besides Locust: Locust's extras (dns, milvus, mqtt, qdrant) and the
 * clients of the other contrib users and examples, pinned. They go in a second environment of the newest Locust, the model
 * oracle's, so that those examples import; the runner tests use the plain one, as most users have it.
 */
export const CONTRIB_EXAMPLE_REQUIREMENTS = [
  'dnspython==2.9.2',
  'pymilvus==3.0.2',
  'paho-mqtt==2.2.0',
  'qdrant-client==1.20.0',
  'pymongo==4.20.1',
  'psycopg[binary]==3.3.9',
  'grpcio==1.85.3',
  'grpc-interceptor==0.15.4',
  'protobuf==7.36.2',
  'httpx==0.29.0',
  'openai==3.63.0',
  'pyquery==2.1.0',
] as const;
/** Locust 2.46+ needs Python 3.11 or newer; the older pins run on it too. */
const MIN_PYTHON: readonly [number, number] = [3, 11];

export type LocustRole = 'debian' | keyof typeof PYPI_LOCUSTS;

/** One Locust of the matrix: `python` imports it (and debugpy). */
export interface LocustInstall {
  role: LocustRole;
  version: string;
  label: string;
  python: string;
}

/** Where the virtual environment of a PyPI Locust lives (outside the repository, reused by later runs). */
export function venvDir(version: string): string {
  return path.join(cacheRoot(), `locust-${version}`);
}

/** The newest Locust with CONTRIB_EXAMPLE_REQUIREMENTS: the interpreter the model oracle imports the newest examples with. */
export function contribExamplesPython(): string {
  return path.join(`${venvDir(PYPI_LOCUSTS.newest)}-contrib`, 'bin', 'python');
}

/** Every Locust the runner is tested on, Debian's first, then the PyPI ones from newest to middle. */
export function locustMatrix(): LocustInstall[] {
  return [
    { role: 'debian', version: DEBIAN_LOCUST, label: `Locust ${DEBIAN_LOCUST} (Debian)`, python: DEBIAN_PYTHON },
    ...(Object.entries(PYPI_LOCUSTS) as [keyof typeof PYPI_LOCUSTS, string][]).map(([role, version]) => ({
      role,
      version,
      label: `Locust ${version} (PyPI)`,
      python: path.join(venvDir(version), 'bin', 'python'),
    })),
  ];
}

// ---------------------------------------------------------------------------------------------- install

const say = (message: string): void => console.log(`[setup] ${message}`);

/** What an environment was made with: the pip requirements, in order. */
interface Marker {
  requirements: string[];
}

/** Written last by an install: its presence with the pinned versions means the environment is complete. */
function markerFile(dir: string): string {
  return path.join(dir, '.install-complete');
}

function isInstalled(dir: string, requirements: readonly string[]): boolean {
  if (!existsSync(path.join(dir, 'bin', 'python'))) return false;
  try {
    const marker = JSON.parse(readFileSync(markerFile(dir), 'utf8')) as Partial<Marker>;
    return JSON.stringify(marker.requirements) === JSON.stringify(requirements);
  } catch {
    return false;
  }
}

/** A Python ≥ 3.11 with venv and pip (its real path: a pyenv shim must not end up inside the environment). */
function baseInterpreter(): string {
  const tried: string[] = [];
  const probe = `import sys, venv, ensurepip; print(sys.executable if sys.version_info >= (${MIN_PYTHON.join(', ')}) else '')`;
  for (const candidate of [process.env['LOCUST_STUDIO_VENV_PYTHON'], 'python3', DEBIAN_PYTHON]) {
    if (!candidate) continue;
    const result = spawnSync(candidate, ['-c', probe], { encoding: 'utf8' });
    const executable = result.status === 0 ? result.stdout.trim() : '';
    if (executable) return executable;
    tried.push(`${candidate}: ${result.error?.message ?? (result.stderr.trim().split('\n').pop() || `older than ${MIN_PYTHON.join('.')}`)}`);
  }
  throw new Error(
    `no Python ${MIN_PYTHON.join('.')}+ with venv and pip for the PyPI Locusts (set LOCUST_STUDIO_VENV_PYTHON, or apt-get install python3-venv):\n  ${tried.join('\n  ')}`,
  );
}

/** Runs a step of an install, its output appended to the log; on failure the error quotes the output's last lines. */
async function step(command: string, args: string[], logFile: string, cwd?: string): Promise<void> {
  const env = { ...process.env, PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env, cwd, maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  await appendFile(logFile, `$ ${command} ${args.join(' ')}\n${output}\n`);
  if (result.status === 0) return;
  // pip lists every release it knows on one line when a pin is missing: cut long lines.
  const tail = output.trim().split('\n').slice(-25).map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line)).join('\n');
  throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}); full log: ${logFile}\n${tail}`);
}

/** Creates the virtual environment of one PyPI Locust (with debugpy) unless a complete one is there already. */
export function ensureLocust(version: string): Promise<string> {
  return ensureEnvironment(venvDir(version), version, [`locust==${version}`, `debugpy==${DEBUGPY_VERSION}`], `Locust ${version} and debugpy ${DEBUGPY_VERSION}`);
}

/** The model oracle's environment of the newest Locust, with what Locust's contrib examples import. */
export async function ensureContribExamplesLocust(): Promise<string> {
  const version = PYPI_LOCUSTS.newest;
  const python = contribExamplesPython();
  const requirements = [`locust[dns,milvus,mqtt,qdrant]==${version}`, ...CONTRIB_EXAMPLE_REQUIREMENTS];
  return ensureEnvironment(path.dirname(path.dirname(python)), version, requirements, `Locust ${version} with the libraries of its contrib examples`);
}

/** A virtual environment of `requirements` in `dir`, whose Python imports Locust `version`, unless a complete one is there already. */
async function ensureEnvironment(dir: string, version: string, requirements: readonly string[], what: string): Promise<string> {
  const python = path.join(dir, 'bin', 'python');
  if (isInstalled(dir, requirements)) return python;
  const lock = await acquireLock(`${dir}.lock`, say);
  try {
    // Another setup may have finished this install while this one waited for the lock.
    if (isInstalled(dir, requirements)) return python;
    const started = Date.now();
    const base = baseInterpreter();
    if (existsSync(dir)) {
      say(`removing the unfinished or outdated environment ${dir}`);
      await rm(dir, { recursive: true, force: true });
    }
    await mkdir(dir, { recursive: true });
    const logFile = path.join(dir, 'install.log');
    say(`installing ${what} from PyPI into ${dir} (Python ${base}; log: ${logFile})`);
    await step(base, ['-m', 'venv', dir], logFile);
    await step(python, ['-m', 'pip', 'install', ...requirements], logFile);
    // The interpreter must report the pinned Locust (a resolver surprise would show here).
    const check = spawnSync(python, ['-c', "import importlib.metadata as m, locust; print(m.version('locust'))"], { encoding: 'utf8' });
    if (check.status !== 0 || check.stdout.trim() !== version) {
      throw new Error(`the environment ${dir} does not import Locust ${version}: ${(check.stderr || check.stdout).trim()}`);
    }
    await writeFile(markerFile(dir), JSON.stringify({ requirements: [...requirements] } satisfies Marker) + '\n');
    say(`${what} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return python;
  } finally {
    await lock.release();
  }
}

// ---------------------------------------------------------------------------------------------- Locust's newest examples

interface ExamplesMarker {
  version: string;
  fetched: string;
}

function readExamplesMarker(root: string): ExamplesMarker | undefined {
  try {
    const marker = JSON.parse(readFileSync(markerFile(root), 'utf8')) as Partial<ExamplesMarker>;
    return typeof marker.version === 'string' && typeof marker.fetched === 'string' ? (marker as ExamplesMarker) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fetches the examples of Debian unstable's python3-locust into the cache unless a copy younger than a week is there. apt checks the
 * archive's signature and the package's hash. Without the network, an older copy is kept (and said so); with none, setup fails.
 */
export async function ensureNewestExamples(): Promise<{ dir: string; version: string }> {
  const { dir } = newestLocustExamples();
  const root = path.dirname(dir);
  const marker = readExamplesMarker(root);
  if (marker && existsSync(dir) && Date.now() - Date.parse(marker.fetched) < UNSTABLE_EXAMPLES_MAX_AGE_MS) return { dir, version: marker.version };
  const lock = await acquireLock(`${root}.lock`, say);
  const work = path.join(root, 'apt');
  try {
    // Another setup may have fetched them while this one waited for the lock.
    const now = readExamplesMarker(root);
    if (now && now.fetched !== marker?.fetched && existsSync(dir)) return { dir, version: now.version };
    await rm(work, { recursive: true, force: true });
    for (const sub of ['lists/partial', 'cache/archives/partial', 'parts', 'download', 'deb']) await mkdir(path.join(work, sub), { recursive: true });
    await writeFile(path.join(work, 'sources.list'), `${UNSTABLE_SOURCE}\n`);
    const logFile = path.join(root, 'fetch.log');
    await writeFile(logFile, '');
    const apt = [
      ...['Dir::Etc::SourceList=sources.list', 'Dir::Etc::SourceParts=parts', 'Dir::Etc::PreferencesParts=parts', 'Dir::State::Lists=lists', 'Dir::Cache=cache'].map((o) => {
        const [key, value] = o.split('=') as [string, string];
        return `-o${key}=${path.join(work, value)}`;
      }),
      '-oDir::Etc::Preferences=/dev/null',
      '-oAcquire::Languages=none',
      '-q',
    ];
    say(`fetching the examples of Debian unstable's python3-locust (log: ${logFile})`);
    try {
      await step('apt-get', [...apt, 'update'], logFile);
      await step('apt-get', [...apt, 'download', 'python3-locust'], logFile, path.join(work, 'download'));
    } catch (error) {
      if (marker && existsSync(dir)) {
        say(`could not fetch them; keeping those of Locust ${marker.version} fetched on ${marker.fetched}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        return { dir, version: marker.version };
      }
      throw error;
    }
    const deb = readdirSync(path.join(work, 'download')).find((f) => /^python3-locust_.*\.deb$/.test(f));
    if (!deb) throw new Error(`apt-get download left no python3-locust .deb in ${path.join(work, 'download')}`);
    // python3-locust_2.46.7-1_all.deb: the upstream version is before Debian's revision.
    const version = deb.split('_')[1]!.replace(/^\d+:/, '').replace(/-[^-]+$/, '');
    await step('dpkg-deb', ['-x', path.join(work, 'download', deb), path.join(work, 'deb')], logFile);
    const shipped = path.join(work, 'deb', 'usr', 'share', 'doc', 'python3-locust', 'examples');
    if (!existsSync(shipped)) throw new Error(`${deb} has no examples under /usr/share/doc/python3-locust/examples`);
    await rm(dir, { recursive: true, force: true });
    await cp(shipped, dir, { recursive: true });
    await writeFile(markerFile(root), JSON.stringify({ version, fetched: new Date().toISOString() } satisfies ExamplesMarker) + '\n');
    await rm(work, { recursive: true, force: true });
    say(`the examples of Locust ${version} (Debian unstable): ${dir}`);
    return { dir, version };
  } finally {
    await lock.release();
  }
}

// ---------------------------------------------------------------------------------------------- CLI

async function main(argv: string[]): Promise<void> {
  if (argv[0] !== 'install') {
    console.error('usage: node --import tsx scripts/locustVersions.ts install');
    process.exitCode = 2;
    return;
  }
  for (const version of Object.values(PYPI_LOCUSTS)) say(`Locust ${version} (PyPI): ${await ensureLocust(version)}`);
  say(`Locust ${PYPI_LOCUSTS.newest} with its contrib examples' libraries (the model oracle's): ${await ensureContribExamplesLocust()}`);
  await ensureNewestExamples();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`[setup] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
