// The run's elapsed time: the newest sample's run time, advanced by the panel's own clock, so host and panel clocks need not agree.

export class ElapsedClock {
  private base: { t: number; at: number } | null = null;
  private frozen: number | null = null;

  /** Forget the run (another run is shown). */
  reset(): void {
    this.base = null;
    this.frozen = null;
  }

  /** A sample taken `t` seconds into the run arrived now; an older one than the newest known changes nothing. */
  sample(t: number, now = performance.now()): void {
    if (this.base && t <= this.base.t) return;
    this.base = { t, at: now };
    if (this.frozen !== null) this.frozen = Math.max(this.frozen, t);
  }

  /** The run ended: elapsed stops where it is. */
  freeze(now = performance.now()): void {
    if (this.frozen === null && this.base) this.frozen = this.read(now) ?? null;
  }

  /** The run goes on (again): elapsed advances from the newest sample. */
  thaw(): void {
    this.frozen = null;
  }

  get advancing(): boolean {
    return this.base !== null && this.frozen === null;
  }

  /** Seconds into the run, or undefined before the first sample. */
  read(now = performance.now()): number | undefined {
    if (this.frozen !== null) return this.frozen;
    if (!this.base) return undefined;
    return this.base.t + Math.max(0, now - this.base.at) / 1000;
  }
}
