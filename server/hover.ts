// Hover on locust names (classes, decorators, wait-time functions, events, client methods, User classes of the file, class attributes) and THRESHOLDS.
import type { Node, Tree } from 'web-tree-sitter';
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import { taskShares, type LocustfileModel, type UserClassInfo } from '../protocol/model';
import { rangeOf, resolveLocustName, type LocustfileFacts, type LocustName } from './locustfileModel';
import {
  CLASS_ATTRIBUTES,
  CLIENT_KEYWORDS,
  CLIENT_METHODS,
  EVENT_HOOKS,
  LOCUST_NAMES_HELP,
  WAIT_TIME_FUNCTIONS,
  type ApiEntry,
  type AttributeOwner,
} from './locustReference';
import { describeWaitTime } from './waitTime';
import { thresholdHoverAt } from './thresholdHover';
import { incomingStates, markovTaskSets, outgoingShares } from './markovChain';
import { CONTRIB_USERS, contribUserAt, isContribUser, type ContribUserName } from './contribUsers';

function markdown(entry: ApiEntry, node: Node): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: `\`\`\`python\n${entry.signature}\n\`\`\`\n\n${entry.text}` }, range: rangeOf(node) };
}

function describeUser(user: UserClassInfo): string {
  const shares = taskShares(user.tasks);
  const lines = [`\`\`\`python\nclass ${user.name}(${user.base})\n\`\`\``, ''];
  lines.push(user.abstract ? 'Abstract User class: Locust does not run it, its subclasses inherit from it.' : 'User class: Locust runs instances of it.');
  if (user.weight !== null) lines.push('', `Weight ${user.weight} among the User classes of the run.`);
  if (user.unknownWeight) lines.push('', `Weight \`?\` among the User classes of the run: ${user.unknownWeight.reason}`);
  if (user.fixedCount !== null) lines.push('', `\`fixed_count\` ${user.fixedCount}: exactly that many users of this class.`);
  if (user.unknownFixedCount) lines.push('', `\`fixed_count\` \`?\`: ${user.unknownFixedCount.reason}`);
  if (user.host) lines.push('', `Host: \`${user.host}\``);
  if (user.waitTime) {
    const wait = user.waitTime.kind === 'other' ? 'its own `wait_time` function' : `\`${describeWaitTime(user.waitTime)}\``;
    lines.push('', `Waits ${wait} after each task.`);
  }
  if (user.tasks.length > 0) {
    lines.push('', '| task | weight | share | tags |', '| --- | --- | --- | --- |');
    for (const [at, task] of user.tasks.entries()) {
      const share = shares[at];
      lines.push(`| ${task.name} | ${task.weight ?? '?'} | ${share === null || share === undefined ? '?' : `${Math.round(100 * share)} %`} | ${task.tags.join(', ')} |`);
    }
    const unknown = user.tasks.filter((task) => task.unknownWeight);
    if (unknown.length > 0) {
      lines.push('', 'The shares are `?`: some weights are not known without running the file (run "Locust Studio: Show Locust\'s Task Ratios" to ask Locust).');
      for (const task of unknown) lines.push(`- \`${task.name}\`: ${task.unknownWeight!.reason}`);
    }
  }
  return lines.join('\n');
}

/**
 * In a class deriving from a contrib User: `self.client.publish` (or SocketIOUser's `self.sio.emit`) → its client's method;
 * `self.search` → the user's own method (MilvusUser, QdrantUser).
 */
function contribMethod(attribute: Node, user: ContribUserName): ApiEntry | undefined {
  const reference = CONTRIB_USERS[user];
  const object = attribute.childForFieldName('object');
  const method = attribute.childForFieldName('attribute')?.text ?? '';
  if (object?.type === 'identifier' && object.text === 'self') return Object.hasOwn(reference.userMethods, method) ? reference.userMethods[method] : undefined;
  if (object?.type !== 'attribute' || object.childForFieldName('attribute')?.text !== reference.clientAttribute) return undefined;
  return Object.hasOwn(reference.clientMethods, method) ? reference.clientMethods[method] : undefined;
}

/** `self.client.get` → 'get' when the attribute chain ends in `.client.<method>`. */
function clientMethod(attribute: Node): string | undefined {
  const object = attribute.childForFieldName('object');
  if (object?.type !== 'attribute' || object.childForFieldName('attribute')?.text !== 'client') return undefined;
  const method = attribute.childForFieldName('attribute')?.text;
  return method && method in CLIENT_METHODS ? method : undefined;
}

const OWNERS: Partial<Record<LocustName, AttributeOwner>> = {
  User: 'User',
  HttpUser: 'User',
  FastHttpUser: 'User',
  ...Object.fromEntries(Object.keys(CONTRIB_USERS).map((name) => [name, 'User'])),
  HttpLocust: 'User',
  Locust: 'User',
  TaskSet: 'TaskSet',
  SequentialTaskSet: 'TaskSet',
  MarkovTaskSet: 'TaskSet',
  TaskSequence: 'TaskSet',
  LoadTestShape: 'LoadTestShape',
};

/** `name = …` (or `def name`) directly in the body of a User class, TaskSet or load shape of the file: what Locust does with it. */
function classAttributeHover(node: Node, facts: LocustfileFacts): Hover | null {
  const entry = CLASS_ATTRIBUTES[node.text];
  const parent = node.parent;
  if (!entry || !parent) return null;
  let statement: Node | null = null;
  if (parent.type === 'assignment' && parent.childForFieldName('left')?.id === node.id) statement = parent.parent;
  else if (parent.type === 'function_definition' && parent.childForFieldName('name')?.id === node.id) {
    statement = parent.parent?.type === 'decorated_definition' ? parent.parent : parent;
  }
  const block = statement?.parent;
  const definition = block?.type === 'block' ? block.parent : null;
  if (definition?.type !== 'class_definition') return null;
  const cls = facts.classes.find((c) => c.node.id === definition.id);
  const kind = cls && facts.kinds.get(cls);
  const owner = kind && OWNERS[kind];
  if (!owner) return null;
  const kindName = owner === 'User' ? 'User class' : owner;
  const readers = entry.readBy.map((o) => (o === 'User' ? 'User classes' : `${o}s`)).join(' and ');
  const note = entry.readBy.length === 0 || entry.readBy.includes(owner) ? '' : `\n\nLocust reads \`${node.text}\` only on ${readers}: in a ${kindName} it has no effect.`;
  return markdown({ signature: entry.signature, text: entry.text + note }, node);
}

/** The name of a MarkovTaskSet state's `def`: where the chain goes from it, how likely, and which states lead to it. */
function markovStateHover(node: Node, model: LocustfileModel): Hover | null {
  const definition = node.parent;
  if (definition?.type !== 'function_definition' || definition.childForFieldName('name')?.id !== node.id) return null;
  const row = node.startPosition.row;
  for (const set of markovTaskSets(model)) {
    const state = set.markov.states.find((s) => s.name === node.text && s.range.start.line <= row && row <= s.range.end.line);
    if (!state) continue;
    const shares = outgoingShares(state);
    const outgoing = shares.length === 0 ? 'none: a user who gets here fails' : shares.map((s) => `→ ${s.to} ${s.share === null ? '?' : `${Math.round(100 * s.share)} %`}`).join(', ');
    const incoming = incomingStates(set.markov, state.name);
    const lines = [
      `\`\`\`python\n${set.name}.${state.name}\n\`\`\``,
      '',
      `State of the MarkovTaskSet \`${set.name}\`${set.markov.start === state.name ? ' (the start state)' : ''}.`,
      '',
      `Next: ${outgoing}`,
      '',
      `From: ${incoming.length > 0 ? incoming.map((name) => `\`${name}\``).join(', ') : 'no state'}`,
    ];
    return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: rangeOf(node) };
  }
  return null;
}

export function hoverAt(tree: Tree, model: LocustfileModel, facts: LocustfileFacts, position: Position): Hover | null {
  const threshold = thresholdHoverAt(tree, model, position);
  if (threshold) return threshold;
  const node = tree.rootNode.descendantForPosition({ row: position.line, column: position.character });
  if (node?.type !== 'identifier') return null;
  const parent = node.parent;

  // A keyword argument of a client call: `name=`, `catch_response=`…
  if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === node.id) {
    const call = parent.parent?.parent;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
    const help = CLIENT_KEYWORDS[node.text];
    if (callee?.type === 'attribute' && clientMethod(callee) && help && !contribUserAt(facts, node.startPosition.row)) {
      return { contents: { kind: MarkupKind.Markdown, value: `\`\`\`python\n${node.text}=\n\`\`\`\n\n${help}` }, range: rangeOf(node) };
    }
  }

  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === node.id) {
    // A contrib User's client is not an HTTP session: its own methods, and none of HttpUser's.
    const contrib = contribUserAt(facts, node.startPosition.row);
    if (contrib) {
      const entry = contribMethod(parent, contrib);
      if (entry) return markdown(entry, node);
    }
    const method = contrib ? undefined : clientMethod(parent);
    if (method) return markdown(CLIENT_METHODS[method]!, node);
    const object = parent.childForFieldName('object');
    if (object && resolveLocustName(object, facts.imports) === 'events') {
      const hook = EVENT_HOOKS[node.text];
      if (hook) return markdown(hook, node);
    }
    const resolved = resolveLocustName(parent, facts.imports);
    if (resolved) return helpFor(resolved, node);
    return null;
  }

  const state = markovStateHover(node, model);
  if (state) return state;

  const attribute = classAttributeHover(node, facts);
  if (attribute) return attribute;

  const user = model.users.find((u) => u.name === node.text);
  if (user) return { contents: { kind: MarkupKind.Markdown, value: describeUser(user) }, range: rangeOf(node) };

  const resolved = facts.imports.names.get(node.text);
  return resolved ? helpFor(resolved, node) : null;
}

function helpFor(name: string, node: Node): Hover | null {
  const entry = isContribUser(name) ? CONTRIB_USERS[name].help : (LOCUST_NAMES_HELP[name] ?? WAIT_TIME_FUNCTIONS[name]);
  return entry ? markdown(entry, node) : null;
}
