// The status bar item of a run: users · requests/s · failures; opens the panel on click.
import * as vscode from 'vscode';
import type { RunAggregate } from '../runner/runAggregate';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('locustStudio.run', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Locust Studio run';
    this.item.command = 'locustStudio.openPanel';
  }

  update(run: RunAggregate): void {
    const total = run.total;
    const rps = total && total.window.seconds > 0 ? total.window.requests / total.window.seconds : 0;
    const failures = total && total.requests > 0 ? (100 * total.failures) / total.requests : 0;
    const icon = run.state === 'failed' ? '$(error)' : run.state === 'stopped' ? '$(debug-stop)' : '$(pulse)';
    this.item.text = `${icon} ${run.userCount} users · ${rps.toFixed(1)} req/s · ${failures.toFixed(1)}% failed`;
    this.item.tooltip = `Locust Studio: ${run.state}. Click to open the run panel.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
