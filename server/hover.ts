// Hover on locust names (classes, decorators, wait-time functions, events, client methods, User classes of the file).
import type { Node, Tree } from 'web-tree-sitter';
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { LocustfileModel, UserClassInfo } from '../protocol/model';
import { rangeOf, resolveLocustName, type LocustfileFacts } from './locustfileModel';
import { CLIENT_KEYWORDS, CLIENT_METHODS, EVENT_HOOKS, LOCUST_NAMES_HELP, WAIT_TIME_FUNCTIONS, type ApiEntry } from './locustReference';

function markdown(entry: ApiEntry, node: Node): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: `\`\`\`python\n${entry.signature}\n\`\`\`\n\n${entry.text}` }, range: rangeOf(node) };
}

function describeUser(user: UserClassInfo): string {
  const total = user.tasks.reduce((sum, t) => sum + t.weight, 0);
  const lines = [`\`\`\`python\nclass ${user.name}(${user.base})\n\`\`\``, ''];
  lines.push(user.abstract ? 'Abstract User class: Locust does not run it, its subclasses inherit from it.' : 'User class: Locust runs instances of it.');
  if (user.weight !== null) lines.push('', `Weight ${user.weight} among the User classes of the run.`);
  if (user.host) lines.push('', `Host: \`${user.host}\``);
  if (user.tasks.length > 0) {
    lines.push('', '| task | weight | share | tags |', '| --- | --- | --- | --- |');
    for (const task of user.tasks) {
      const share = total > 0 ? `${Math.round((100 * task.weight) / total)} %` : '';
      lines.push(`| ${task.name} | ${task.weight} | ${share} | ${task.tags.join(', ')} |`);
    }
  }
  return lines.join('\n');
}

/** `self.client.get` → 'get' when the attribute chain ends in `.client.<method>`. */
function clientMethod(attribute: Node): string | undefined {
  const object = attribute.childForFieldName('object');
  if (object?.type !== 'attribute' || object.childForFieldName('attribute')?.text !== 'client') return undefined;
  const method = attribute.childForFieldName('attribute')?.text;
  return method && method in CLIENT_METHODS ? method : undefined;
}

export function hoverAt(tree: Tree, model: LocustfileModel, facts: LocustfileFacts, position: Position): Hover | null {
  const node = tree.rootNode.descendantForPosition({ row: position.line, column: position.character });
  if (node?.type !== 'identifier') return null;
  const parent = node.parent;

  // A keyword argument of a client call: `name=`, `catch_response=`…
  if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === node.id) {
    const call = parent.parent?.parent;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
    const help = CLIENT_KEYWORDS[node.text];
    if (callee?.type === 'attribute' && clientMethod(callee) && help) {
      return { contents: { kind: MarkupKind.Markdown, value: `\`\`\`python\n${node.text}=\n\`\`\`\n\n${help}` }, range: rangeOf(node) };
    }
  }

  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === node.id) {
    const method = clientMethod(parent);
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

  const user = model.users.find((u) => u.name === node.text);
  if (user) return { contents: { kind: MarkupKind.Markdown, value: describeUser(user) }, range: rangeOf(node) };

  const resolved = facts.imports.names.get(node.text);
  return resolved ? helpFor(resolved, node) : null;
}

function helpFor(name: string, node: Node): Hover | null {
  const entry = LOCUST_NAMES_HELP[name] ?? WAIT_TIME_FUNCTIONS[name];
  return entry ? markdown(entry, node) : null;
}
