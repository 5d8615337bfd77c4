// Hosts of their own for tests of workers on other hosts: network namespaces (iproute2) joined to this machine by veth
// pairs on a bridge, each with an sshd on its own address, a host key and an authorized key made for the test, and an ssh
// configuration file that hands ssh that key and known_hosts. Everything is removed again, also when a test fails.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile, readFile, readdir, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How long sshd and a namespace's target may take to say they listen (a loaded machine). */
const LISTEN_WAIT_MS = 30_000;
/** Attempts, 100 ms apart, at seeing a namespace's processes reach what is expected. */
const SETTLE_ATTEMPTS = 150;

export interface WorkerHost {
  /** The network namespace. */
  namespace: string;
  address: string;
  /** The SSH target a run is given. */
  target: string;
  /** The sshd listening in the namespace (its pid). */
  sshdPid: number | undefined;
  /** Process ids in the namespace now, the test's own (sshd's listener, the demo target) left out. */
  otherProcesses(): Promise<number[]>;
  /** Waits (bounded by count: `attempts` × 100 ms) until no process but the test's own is left in the namespace; returns what is left. */
  settled(attempts?: number): Promise<number[]>;
  /** The host dies: every process in it is killed and its link is removed (as a machine that lost power). */
  kill(): Promise<void>;
  /** The network to the host is cut (its link removed): its processes live on, and no connection ends. */
  cutLink(): Promise<void>;
  /** Starts the demo target on the namespace's own loopback, at `port`; it ends with the network. */
  startTarget(port: number): Promise<void>;
}

export interface SshNetwork {
  /** This machine's address on the bridge: where the master binds. */
  masterAddress: string;
  hosts: WorkerHost[];
  /** The ssh configuration file (`ssh -F`) with the test's key and known_hosts. */
  sshConfig: string;
  /** An address on the bridge where no host answers. */
  absentAddress: string;
  /** Waits (bounded by count) until no ssh client with this network's configuration runs on this machine; returns those left. */
  sshClientsSettled(): Promise<string[]>;
}

/** Scratch folders of remote workers still there (the hosts share this machine's file system); none once all ended. */
export async function workerFoldersLeft(): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith('locust-studio-worker-'));
}

/** Processes on this machine (this namespace's view of /proc) whose command line holds `text`. */
async function processesWith(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const command = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (command.includes(text)) found.push(`${entry} ${command}`);
  }
  return found;
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen}`)), LISTEN_WAIT_MS);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${seen}`));
    });
  });
}

async function namespacePids(namespace: string): Promise<number[]> {
  const { stdout } = await run('ip', ['netns', 'pids', namespace]).catch(() => ({ stdout: '' }));
  return stdout.split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Makes `count` worker hosts for the test `t`; everything is taken down in `t.after` (sshd, targets, namespaces, veths,
 * the bridge, the scratch folder; a file-level fixture passes its own `after` collector). Names and the subnet come from this process's pid, so parallel test files do not meet.
 */
export async function createSshNetwork(t: { after(fn: () => Promise<void>): void }, count: number): Promise<SshNetwork> {
  const tag = `ls${process.pid % 100_000}`;
  const subnet = `10.218.${process.pid % 250}`;
  const bridge = `${tag}br`;
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-ssh-'));
  const children: ChildProcess[] = [];
  const namespaces: string[] = [];
  let bridgeMade = false;

  t.after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const namespace of namespaces) {
      for (const pid of await namespacePids(namespace)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await run('ip', ['netns', 'del', namespace]).catch(() => undefined);
    }
    for (let i = 0; i < count; i++) await run('ip', ['link', 'del', `${tag}h${i}`]).catch(() => undefined);
    if (bridgeMade) await run('ip', ['link', 'del', bridge]).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  });

  await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  bridgeMade = true;
  await run('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
  await run('ip', ['link', 'set', bridge, 'up']);

  const key = path.join(scratch, 'client_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'locust-studio-test', '-f', key]);
  await writeFile(path.join(scratch, 'authorized_keys'), await readFile(`${key}.pub`));
  await chmod(path.join(scratch, 'authorized_keys'), 0o600);
  // sshd insists on its privilege separation folder; nothing else of the machine's ssh set-up is read or written.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const knownHosts: string[] = [];
  const hosts: WorkerHost[] = [];
  for (let i = 0; i < count; i++) {
    const namespace = `${tag}n${i}`;
    const address = `${subnet}.${i + 2}`;
    const hostSide = `${tag}h${i}`;
    const inside = `${tag}v${i}`;
    await run('ip', ['netns', 'add', namespace]);
    namespaces.push(namespace);
    await run('ip', ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', inside]);
    await run('ip', ['link', 'set', inside, 'netns', namespace]);
    await run('ip', ['link', 'set', hostSide, 'master', bridge]);
    await run('ip', ['link', 'set', hostSide, 'up']);
    await run('ip', ['netns', 'exec', namespace, 'ip', 'addr', 'add', `${address}/24`, 'dev', inside]);
    await run('ip', ['netns', 'exec', namespace, 'ip', 'link', 'set', inside, 'up']);
    await run('ip', ['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up']);

    const hostKey = path.join(scratch, `host_key_${i}`);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    const config = path.join(scratch, `sshd_config_${i}`);
    await writeFile(
      config,
      [
        `ListenAddress ${address}:22`,
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${path.join(scratch, 'authorized_keys')}`,
        `PidFile ${path.join(scratch, `sshd_${i}.pid`)}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'AcceptEnv none',
        '',
      ].join('\n'),
    );
    const sshd = spawn('ip', ['netns', 'exec', namespace, '/usr/sbin/sshd', '-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(sshd);
    await waitForLine(sshd, /Server listening/, `sshd in ${namespace}`);
    // `ip netns exec` execs its command: these pids are sshd's and the target's own.
    const ownPids = new Set([sshd.pid]);
    const [keyType, keyText] = (await readFile(`${hostKey}.pub`, 'utf8')).split(' ');
    knownHosts.push(`${address} ${keyType} ${keyText}`);

    hosts.push({
      namespace,
      address,
      target: `root@${address}`,
      sshdPid: sshd.pid,
      // sshd's own per-connection processes are the test's server too (one whose network was cut waits on it for long).
      otherProcesses: async () => {
        const pids: number[] = [];
        for (const pid of await namespacePids(namespace)) {
          if (ownPids.has(pid)) continue;
          const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
          if (!command.startsWith('sshd:') && !command.startsWith('/usr/sbin/sshd')) pids.push(pid);
        }
        return pids;
      },
      async settled(attempts = SETTLE_ATTEMPTS) {
        let left = await this.otherProcesses();
        for (let attempt = 0; left.length > 0 && attempt < attempts; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          left = await this.otherProcesses();
        }
        return left;
      },
      async kill() {
        for (const pid of await namespacePids(namespace)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        await run('ip', ['link', 'del', hostSide]).catch(() => undefined);
      },
      async cutLink() {
        await run('ip', ['link', 'del', hostSide]);
      },
      async startTarget(port: number) {
        const target = spawn('ip', ['netns', 'exec', namespace, process.execPath, path.resolve(__dirname, '../../examples/target/server.mjs'), '--port', String(port)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(target);
        ownPids.add(target.pid);
        await waitForLine(target, /listening|127\.0\.0\.1:\d+/i, `the demo target in ${namespace}`);
      },
    });
  }

  const knownHostsFile = path.join(scratch, 'known_hosts');
  await writeFile(knownHostsFile, `${knownHosts.join('\n')}\n`);
  const sshConfig = path.join(scratch, 'ssh_config');
  await writeFile(
    sshConfig,
    ['Host *', `  IdentityFile ${key}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${knownHostsFile}`, '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes', ''].join('\n'),
  );
  return {
    masterAddress: `${subnet}.1`,
    hosts,
    sshConfig,
    absentAddress: `${subnet}.${count + 50}`,
    async sshClientsSettled() {
      let left = await processesWith(`-F ${sshConfig} `);
      for (let attempt = 0; left.length > 0 && attempt < SETTLE_ATTEMPTS; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        left = await processesWith(`-F ${sshConfig} `);
      }
      return left;
    },
  };
}
