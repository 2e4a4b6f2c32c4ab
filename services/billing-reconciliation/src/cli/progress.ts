export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): boolean;
}

/** One progress line on stderr: redrawn on a terminal, a line every `plainEveryMs` elsewhere (CI, logs). */
export class Progress {
  private lastPlain = 0;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: ProgressOutput = process.stderr,
    private readonly plainEveryMs = 2000,
  ) {}

  update(done: number): void {
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 24;
    const filled = Math.round(fraction * width);
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? Math.round(done / elapsed) : 0;
    const eta = done > 0 && fraction < 1 ? Math.round((elapsed * (this.total - done)) / done) : 0;
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}% ${done}/${this.total}  ${rate}/s  ETA ${eta}s`;
    if (this.out.isTTY) {
      this.out.write(`\r${line}\u001b[K`);
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain >= this.plainEveryMs || done >= this.total) {
      this.out.write(`${line}\n`);
      this.lastPlain = now;
    }
  }

  done(): void {
    this.update(this.total);
    if (this.out.isTTY) this.out.write('\n');
  }
}
