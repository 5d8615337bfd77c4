// The model's custom command-line arguments (init_command_line_parser listeners), and how the run choices pass and keep them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import { DocumentAnalyses } from '../../server/documentAnalysis';
import { customArgumentArgs, mergeDefaults, rememberedChoices, runOptionsFor } from '../../runner/runChoices';
import { REDACTED, redactSecrets } from '../../runner/runSession';

async function model(text: string) {
  const tree = (await pythonParser()).parse(text);
  assert.ok(tree);
  try {
    return buildModel(tree, 'file:///t.py', 1);
  } finally {
    tree.delete();
  }
}

const PARSER_FILE = [
  'from locust import HttpUser, events, task',
  '',
  '@events.init_command_line_parser.add_listener',
  'def _(parser):',
  '    parser.add_argument("--target-env", choices=["dev", "staging", "prod"], default="dev", help="Environment")',
  '    parser.add_argument("-k", "--api-key", is_secret=True, help="API key")',
  '    parser.add_argument("--batch-size", type=int, default=10)',
  '    parser.add_argument("--ratio", type=float, default=-0.5)',
  '    parser.add_argument("--verbose-checks", action="store_true")',
  '    parser.add_argument("--internal", include_in_web_ui=False, default="x")',
  '    parser.add_argument("--batch-size", default=99)  # a repeat: argparse refuses it; the first one stands',
  '    group = parser.add_argument_group("extra")',
  '    group.add_argument("--region", dest="where", default="eu-" "west")',
  '    parser.add_argument("positional")',
  '',
  'def later(parser):',
  '    parser.add_argument("--added-by-call", default=3)',
  '',
  'events.init_command_line_parser.add_listener(later)',
  '',
  'class Shopper(HttpUser):',
  '    @task',
  '    def browse(self):',
  '        self.client.get("/", name=self.environment.parsed_options.target_env)',
].join('\n');

test('custom arguments: every add_argument of a parser listener (decorated or added by a call), as Locust’s form shows them', async () => {
  const m = await model(PARSER_FILE);
  const args = m.customArguments ?? [];
  assert.deepEqual(
    args.map((a) => [a.flag, a.dest, a.kind, a.default, a.choices, a.secret, a.inWebUi]),
    [
      ['--target-env', 'target_env', 'text', 'dev', ['dev', 'staging', 'prod'], false, true],
      ['--api-key', 'api_key', 'text', null, null, true, true],
      ['--batch-size', 'batch_size', 'integer', '10', null, false, true],
      ['--ratio', 'ratio', 'number', '-0.5', null, false, true],
      ['--verbose-checks', 'verbose_checks', 'flag', 'false', null, false, true],
      ['--internal', 'internal', 'text', 'x', null, false, false],
      ['--region', 'where', 'text', 'eu-west', null, false, true],
      ['--added-by-call', 'added_by_call', 'text', '3', null, false, true],
    ],
  );
  assert.equal(args[0]!.help, 'Environment');
  assert.equal(args[0]!.range.start.line, 4);
  // A file without a parser listener has none (the field is absent).
  assert.equal((await model('from locust import HttpUser\nclass A(HttpUser):\n    pass\n')).customArguments, undefined);
});

test('custom arguments follow edits inside the listener, even when the rest of the model is reused', async () => {
  const analyses = new DocumentAnalyses();
  analyses.openDocument('file:///p.py', 'python', 1, PARSER_FILE);
  assert.equal((await analyses.analysisOf('file:///p.py'))?.model.customArguments?.[0]?.default, 'dev');
  // "dev" → "prod" inside the listener: nothing else of the model changes.
  analyses.changeDocument('file:///p.py', 2, [{ range: { start: { line: 4, character: 85 }, end: { line: 4, character: 88 } }, text: 'prod' }]);
  assert.equal((await analyses.analysisOf('file:///p.py'))?.model.customArguments?.[0]?.default, 'prod');
  analyses.forget('file:///p.py');
});

test('run choices: chosen custom arguments go to Locust as options; secrets are never remembered', async () => {
  const args = (await model(PARSER_FILE)).customArguments ?? [];
  const choices = mergeDefaults({ customArgs: { '--target-env': 'staging', '--api-key': 's3cr3t', '--verbose-checks': 'true', '--batch-size': '10', '--gone': 'x' } });
  assert.deepEqual(customArgumentArgs(choices.customArgs, args), ['--target-env', 'staging', '--api-key', 's3cr3t', '--batch-size', '10', '--verbose-checks']);
  const options = runOptionsFor({ locustfile: '/w/locustfile.py', userClasses: [] }, { ...choices, extraArgs: ['--loglevel', 'DEBUG'] }, { python: 'python3', statsInterval: 1, workers: 0 }, args);
  assert.deepEqual(options.extraArgs, ['--target-env', 'staging', '--api-key', 's3cr3t', '--batch-size', '10', '--verbose-checks', '--loglevel', 'DEBUG']);
  // A switch left at its default is not given; an argument the file no longer declares is dropped.
  assert.deepEqual(customArgumentArgs({ '--verbose-checks': 'false', '--gone': 'x' }, args), []);
  const kept = rememberedChoices(choices, args);
  assert.equal(kept.customArgs['--api-key'], undefined, 'a secret is not written to the workspace state');
  assert.equal(kept.customArgs['--target-env'], 'staging');
});

test('a secret argument’s value is passed to Locust but never written to a record', async () => {
  const args = (await model(PARSER_FILE)).customArguments ?? [];
  const options = runOptionsFor({ locustfile: '/w/l.py', userClasses: [] }, mergeDefaults({ customArgs: { '--api-key': 's3cr3t' } }), { python: 'p', statsInterval: 1, workers: 0 }, args);
  assert.deepEqual(options.extraArgs, ['--api-key', 's3cr3t']);
  assert.deepEqual(options.secretFlags, ['--api-key']);
  assert.deepEqual(redactSecrets(['--api-key', 's3cr3t', '--x=1', '--api-key=zz', '--api-key'], ['--api-key']), ['--api-key', REDACTED, '--x=1', `--api-key=${REDACTED}`, '--api-key']);
});
