import { createProgressBar } from '@divit/service-kit';
import { ImportProgress } from './dossier-import.service';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * One progress line. While reading: a bar and ETA from bytes read against the file size (rows vary in
 * length, bytes do not lie), the row rate and rejects so far. The ETA covers reading; the set-based merge
 * that follows shows its step instead.
 */
export function formatProgress(p: ImportProgress, width = 24): string {
  const elapsed = `elapsed ${duration(p.elapsedMs)}`;
  if (p.phase === 'merging') {
    return `merging  step ${p.stepIndex ?? '?'}/${p.stepTotal ?? '?'} ${p.step ?? ''}  ${int(p.rowsRead)} rows  ${elapsed}`;
  }
  const rate = p.elapsedMs > 0 ? (p.rowsRead * 1000) / p.elapsedMs : 0;
  const rows = `${int(p.rowsRead)} rows (${int(p.rowsRejected)} rejected)  ${int(rate)} rows/s`;
  if (!p.totalBytes) return `reading  ${rows}  ${elapsed}`;
  const fraction = Math.min(1, p.bytesRead / p.totalBytes);
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const eta =
    p.bytesRead > 0 && fraction < 1
      ? duration(((p.totalBytes - p.bytesRead) * p.elapsedMs) / p.bytesRead)
      : '0:00';
  return `reading  ${bar} ${(fraction * 100).toFixed(1).padStart(5)}%  ${rows}  ETA ${eta}`;
}

/**
 * The import's progress bar (the platform's createProgressBar, cli-progress): on stderr, drawn only while
 * stderr is a terminal; the line is formatProgress's (bytes for the bar and ETA while reading, the step
 * while merging).
 */
export function importProgressBar(stream?: NodeJS.WritableStream): {
  update(p: ImportProgress): void;
  done(): void;
} {
  const bar = createProgressBar<{ progress: ImportProgress }>({
    format: (_options, _params, payload: { progress?: ImportProgress }) =>
      payload.progress ? formatProgress(payload.progress) : 'reading',
    ...(stream ? { stream } : {}),
  });
  let started = false;
  return {
    update(p) {
      if (!started) {
        bar.start(p.totalBytes ?? 0, { progress: p });
        started = true;
      }
      bar.update(p.bytesRead, { progress: p });
    },
    done: () => bar.stop(),
  };
}
