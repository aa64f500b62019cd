// @ts-check
/** Judging one program's run, the same way in every runtime. */

/**
 * @param {string} name
 * @param {{ status: number, error?: string }} result
 * @param {string} stdout
 * @returns {string | null} why it failed, or null
 */
export function judge(name, result, stdout) {
  if (result.status !== 0) return `exit status ${result.status}${result.error ? ` (${result.error})` : ''}`;
  if (!stdout.split('\n').includes(`${name} ok`)) return `no line "${name} ok" on stdout`;
  return null;
}

/** @param {string} s */
export function tail(s, n = 15) {
  return s.split('\n').slice(-n).join('\n');
}

/**
 * @template T
 * @param {Promise<T>} p @param {number} ms @param {string} what
 * @returns {Promise<T>}
 */
export function within(p, ms, what) {
  /** @type {any} */
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
