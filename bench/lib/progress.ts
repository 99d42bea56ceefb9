import cliProgress from "cli-progress";

/** A progress sink: bars on a terminal, nothing elsewhere. */
export interface Progress {
  /** Starts a new bar (ending the previous one). */
  start(label: string, total: number): void;
  increment(by?: number): void;
  /** Sets the current value of the bar. */
  update(value: number): void;
  stop(): void;
}

const silent: Progress = { start() {}, increment() {}, update() {}, stop() {} };

/**
 * Progress bars on stderr, so stdout stays clean for `--json`. Disabled when stderr is not a
 * terminal (CI logs, redirects) or when asked: then every call is a no-op.
 */
export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return silent;
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(label, total) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: `${label.padEnd(28)} {bar} {value}/{total} {percentage}% | {duration_formatted}`,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    increment(by = 1) {
      bar?.increment(by);
    },
    update(value) {
      bar?.update(value);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
