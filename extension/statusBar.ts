// The status bar item of a run: users · requests/s · failures; opens the panel on click.
import * as vscode from 'vscode';
import { formatCount, formatPercent, formatRate } from '../protocol/format';
import type { RunAggregate } from '../runner/runAggregate';
import { describeInterpreter, lastInterpreter } from './interpreter';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('locustStudio.run', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Locust Studio run';
    this.item.command = 'locustStudio.openPanel';
  }

  update(run: RunAggregate): void {
    const total = run.total;
    const ended = run.state === 'stopped' || run.state === 'failed';
    const failed = `${formatPercent(total?.failures ?? 0, total?.requests ?? 0)} failed`;
    if (ended) {
      // A run that ended has no current rate: its last window's would read as traffic still flowing.
      const icon = run.state === 'failed' ? '$(error)' : '$(debug-stop)';
      this.item.text = `${icon} ${run.state === 'failed' ? 'Failed' : 'Stopped'} · ${formatCount(total?.requests ?? 0)} requests · ${failed}`;
    } else {
      const rps = total && total.window.seconds > 0 ? total.window.requests / total.window.seconds : 0;
      this.item.text = `$(pulse) ${run.userCount} users · ${formatRate(rps)} req/s · ${failed}`;
    }
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendText(`Locust Studio: ${run.state}, ${run.userCount} users. Click to open the run panel.`);
    const interpreter = lastInterpreter();
    if (interpreter) tooltip.appendMarkdown('\n\n').appendText(`Python: ${describeInterpreter(interpreter)}`);
    if (!ended) tooltip.appendMarkdown('\n\n[$(debug-stop) Stop](command:locustStudio.stopRun)');
    tooltip.isTrusted = { enabledCommands: ['locustStudio.stopRun'] };
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
