/**
 * The classroom server's requests, one method each. The class lives in memory (for the board) and
 * in the state's Redis (to survive a restart); a change is stored before it is answered.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { boardAsset } from './board/assets.ts';
import { nextStep, snapshot, toCsv } from './board-model.ts';
import { credential, HttpError, readJson, requestHost, sameSecret, sendError, sendJson } from './http.ts';
import type { LearnerServers } from './learner-redis.ts';
import type { JoinReply, LearnerStep, RedisReply } from './protocol.ts';
import { newSecret, secretMatches, hashSecret, type ClassState, type Learner, type Loaded } from './state.ts';
import { joinRequest, resultReport } from './validate.ts';

/** Results a learner may send in a burst, and per second after it: a watch on a fast save loop sends a few a second. */
const BURST = 20;
const PER_SECOND = 10;
const MAX_LEARNERS = 1000;
/** The board's streams hear of changes at most this often, each change in one snapshot. */
const COALESCE_MS = 100;
/** And at least this often, so a learner becomes stuck on the board without a new result. */
const REFRESH_MS = 30_000;

const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

interface RoutesOptions {
  state: ClassState;
  loaded: Loaded;
  learners: LearnerServers;
}

export class Routes {
  readonly #state: ClassState;
  readonly #info: Loaded['info'];
  readonly #learners: Map<string, Learner>;
  readonly #steps: Map<string, Map<string, LearnerStep>>;
  readonly #names = new Map<string, string>();
  readonly #servers: LearnerServers;
  readonly #streams = new Set<ServerResponse>();
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #pending: NodeJS.Timeout | undefined;
  readonly #refresh: NodeJS.Timeout;

  constructor(options: RoutesOptions) {
    this.#state = options.state;
    this.#info = options.loaded.info;
    this.#learners = options.loaded.learners;
    this.#steps = options.loaded.steps;
    this.#servers = options.learners;
    for (const learner of this.#learners.values()) this.#names.set(learner.name.toLowerCase(), learner.id);
    this.#refresh = setInterval(() => this.#broadcast(), REFRESH_MS).unref();
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    this.#route(request, response).catch((error: unknown) => {
      const refusal = error instanceof HttpError ? error : new HttpError(500, 'The classroom server failed to answer; it is still up. Try again.');
      if (!(error instanceof HttpError)) console.error(`classroom: ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`);
      sendError(response, refusal);
    });
  }

  /** The board now, as the page and the exports see it. */
  board() {
    return snapshot(this.#learners, this.#steps);
  }

  close(): void {
    clearInterval(this.#refresh);
    clearTimeout(this.#pending);
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://classroom');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    const routes: Record<string, Partial<Record<string, () => Promise<void> | void>>> = {
      '/api/join': { POST: () => this.#join(request, response) },
      '/api/redis': { POST: () => this.#redis(request, response) },
      '/api/results': { POST: () => this.#results(request, response) },
      '/api/board': { GET: () => this.#instructor(request, url, () => sendJson(response, 200, this.board())) },
      '/api/events': { GET: () => this.#instructor(request, url, () => this.#stream(request, response)) },
      '/api/export.json': { GET: () => this.#instructor(request, url, () => this.#export(response, 'json')) },
      '/api/export.csv': { GET: () => this.#instructor(request, url, () => this.#export(response, 'csv')) },
      '/api/health': { GET: () => sendJson(response, 200, { ok: true }) },
    };
    // The page's own address carries the token; its <script> and <link> cannot pass it on, so the
    // script and style (no class data in them) come without it.
    const page = path === '/board' ? () => this.#instructor(request, url, () => this.#page(path, response)) : () => this.#page(path, response);
    const route = routes[path] ?? (path === '/board' || path.startsWith('/board/') ? { GET: page } : undefined);
    if (!route) throw new HttpError(404, `Nothing at ${path.slice(0, 100)}.`);
    const run = route[method];
    if (!run) {
      response.setHeader('allow', Object.keys(route).join(', '));
      throw new HttpError(405, `${path} takes ${Object.keys(route).join(' or ')}.`);
    }
    await run();
  }

  #instructor(request: IncomingMessage, url: URL, then: () => void): void {
    if (!sameSecret(credential(request, url), this.#info.token)) {
      throw new HttpError(401, 'This is the instructor\'s: open the board address npm run classroom printed, with its token.');
    }
    then();
  }

  #learner(request: IncomingMessage): Learner {
    const given = credential(request, new URL('http://classroom'));
    const [id = '', secret = ''] = (given ?? '').split('.', 2);
    const learner = this.#learners.get(id);
    if (!learner || !secretMatches(secret, learner.secretHash)) {
      throw new HttpError(401, 'This classroom does not know you: join again with npm start -- join <address> --name <your name>.');
    }
    return learner;
  }

  async #join(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const join = joinRequest(await readJson(request));
    if (!sameSecret(join.code, this.#info.code)) throw new HttpError(403, 'That is not this class\'s code: copy the join address again from the instructor.');
    const now = new Date().toISOString();
    const existing = this.#learners.get(this.#names.get(join.name.toLowerCase()) ?? '');
    if (existing) {
      if (!join.secret || !secretMatches(join.secret, existing.secretHash)) {
        throw new HttpError(409, `Someone in this class is already called ${join.name}. If that is you on another machine, add --secret with the secret you got when you first joined; else choose another name.`);
      }
      existing.lastSeen = now;
      await this.#state.saveLearner(existing);
      this.#changed();
      const reply: JoinReply = { learnerId: existing.id, name: existing.name, secret: join.secret, resumed: true };
      return sendJson(response, 200, reply);
    }
    if (this.#learners.size >= MAX_LEARNERS) throw new HttpError(403, `The class is full (${MAX_LEARNERS} learners).`);
    const secret = newSecret();
    const learner: Learner = {
      id: randomBytes(6).toString('hex'),
      name: join.name,
      secretHash: hashSecret(secret),
      joinedAt: now,
      lastSeen: now,
      redisPassword: newSecret(),
    };
    if (!(await this.#state.addLearner(learner))) throw new HttpError(409, `Someone in this class is already called ${join.name}; choose another name.`);
    this.#learners.set(learner.id, learner);
    this.#names.set(learner.name.toLowerCase(), learner.id);
    this.#steps.set(learner.id, new Map());
    this.#changed();
    const reply: JoinReply = { learnerId: learner.id, name: learner.name, secret, resumed: false };
    sendJson(response, 201, reply);
  }

  async #redis(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const learner = this.#learner(request);
    let server;
    try {
      server = await this.#servers.serverFor(learner);
    } catch (error) {
      throw new HttpError(503, (error as Error).message);
    }
    if (learner.port !== server.port) {
      learner.port = server.port;
      await this.#state.saveLearner(learner);
    }
    const host = requestHost(request, '127.0.0.1');
    const reply: RedisReply = { url: `redis://:${encodeURIComponent(server.password)}@${host}:${server.port}` };
    sendJson(response, 200, reply);
  }

  async #results(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const learner = this.#learner(request);
    this.#throttle(learner.id);
    const report = resultReport(await readJson(request));
    if (!(await this.#state.claimRun(learner.id, report.runId))) throw new HttpError(409, `Run ${report.runId} was already received; it counts once.`);
    const now = new Date();
    const own = this.#steps.get(learner.id) ?? new Map<string, LearnerStep>();
    const changed = new Map<string, LearnerStep>();
    for (const step of report.steps) changed.set(step.step, nextStep(own.get(step.step), step, now));
    // The step the learner is on: the first of the run that does not pass, else its last.
    const current = report.steps.find((step) => step.status !== 'passed') ?? report.steps[report.steps.length - 1]!;
    const updated: Learner = { ...learner, lastSeen: now.toISOString(), current: current.step };
    await this.#state.saveResult(updated, changed);
    Object.assign(learner, updated);
    for (const [step, record] of changed) own.set(step, record);
    this.#steps.set(learner.id, own);
    this.#changed();
    sendJson(response, 202, { ok: true });
  }

  #throttle(id: string): void {
    const now = Date.now();
    const bucket = this.#buckets.get(id) ?? { tokens: BURST, at: now };
    bucket.tokens = Math.min(BURST, bucket.tokens + ((now - bucket.at) / 1000) * PER_SECOND);
    bucket.at = now;
    this.#buckets.set(id, bucket);
    if (bucket.tokens < 1) throw new HttpError(429, 'Too many results at once; they are kept and sent again later.');
    bucket.tokens -= 1;
  }

  #stream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    response.write(`retry: 1000\nevent: board\ndata: ${JSON.stringify(this.board())}\n\n`);
    this.#streams.add(response);
    const ping = setInterval(() => response.write(': ping\n\n'), 15_000).unref();
    request.once('close', () => {
      clearInterval(ping);
      this.#streams.delete(response);
    });
  }

  #export(response: ServerResponse, kind: 'json' | 'csv'): void {
    const board = this.board();
    const day = board.at.slice(0, 10);
    const body = kind === 'json' ? `${JSON.stringify(board, null, 2)}\n` : toCsv(board);
    response.writeHead(200, {
      'content-type': kind === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="classroom-${day}.${kind}"`,
      'cache-control': 'no-store',
    });
    response.end(body);
  }

  #page(path: string, response: ServerResponse): void {
    const asset = boardAsset(path);
    if (!asset) throw new HttpError(404, `Nothing at ${path.slice(0, 100)}.`);
    response.writeHead(200, { ...PAGE_HEADERS, 'content-type': asset.type, 'content-length': asset.body.length });
    response.end(asset.body);
  }

  /** Something changed: every board hears of it within COALESCE_MS, once. */
  #changed(): void {
    this.#pending ??= setTimeout(() => {
      this.#pending = undefined;
      this.#broadcast();
    }, COALESCE_MS);
  }

  #broadcast(): void {
    if (this.#streams.size === 0) return;
    const message = `event: board\ndata: ${JSON.stringify(this.board())}\n\n`;
    for (const stream of this.#streams) stream.write(message);
  }
}
