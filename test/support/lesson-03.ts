/** What the checks of lesson 03 share. Loaded by test/support/lesson-03a-checks.ts and lesson-03b-checks.ts. */

/** Commands that ask for a dish instead of waiting for one. */
export const POLLING = ['LPOP', 'RPOP', 'LLEN', 'LRANGE', 'LINDEX', 'EXISTS'];

export { pause } from './waits.ts';
export const dishes = (n: number, name = 'dish') => Array.from({ length: n }, (_, i) => `${name}-${String(i + 1).padStart(2, '0')}`);
export const list = (items: readonly unknown[]) => items.map(String).join(', ') || 'nothing';
