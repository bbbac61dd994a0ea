/** The part of autocannon's programmatic API that the bench uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Concurrent connections. @default 10 */
    connections?: number;
    /** Seconds. @default 10 */
    duration?: number;
    /** Requests in all, instead of a duration. */
    amount?: number;
    /** Milliseconds between samples; the load also ends only at a sample. @default 1000 */
    sampleInt?: number;
    /** Seconds without an answer before a request counts as timed out. @default 10 */
    timeout?: number;
  }

  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    max: number;
  }

  interface Result {
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    /** Milliseconds, whole ones (its histogram's resolution). */
    latency: Histogram;
    requests: Histogram & { sent: number };
  }

  interface Instance extends EventEmitter {
    /** `response` gets (client, statusCode, resBytes, responseTime in ms, not rounded). */
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this;
    stop(): void;
  }

  function autocannon(options: Options, done: (error: Error | null, result: Result) => void): Instance;
  export default autocannon;
}
