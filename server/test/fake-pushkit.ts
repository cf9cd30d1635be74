// A fake Push Kit v3 endpoint for the tests: it verifies the service-account JWT with the test key's
// public half, checks each request against the documented schema and limits, records what it accepted
// and answers with whatever the test queued. Faults: queued answers (`answers`), an outage that answers
// every request alike (`down`), dropped connections (`dropNext`) and requests held open (`hold`, `holdIf`).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import crypto from 'node:crypto';
import { importSPKI, jwtVerify, decodeProtectedHeader } from 'jose';

export const PROJECT_ID = '101234567';
export const KEY_ID = 'key-1';
export const SUB_ACCOUNT = 'sub-account-1';
export const AUDIENCE = 'https://oauth-login.cloud.huawei.com/oauth2/v3/token';

export interface Recorded {
  pushType: number;
  tokens: string[];
  body: Record<string, any>;
  jwt: string;
  /** Body size without the tokens, as Push Kit counts it. */
  bytes: number;
}

export interface Answer {
  status: number;
  code?: string;
  msg?: string;
}

export function testKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** What Push Kit would reject as malformed; '' when the request is valid. */
function schemaProblem(pushType: number, body: any): string {
  const tokens = body?.target?.token;
  if (!Array.isArray(tokens) || tokens.length === 0 || tokens.some((t: unknown) => typeof t !== 'string')) return 'target.token';
  const test = body?.pushOptions?.testMessage === true;
  if (tokens.length > (test ? 10 : 1000)) return 'too many tokens';
  const withoutTokens = JSON.stringify({ ...body, target: { token: [] } });
  if (Buffer.byteLength(withoutTokens) > 4096) return 'body over 4096 bytes';
  if (typeof body?.pushOptions?.ttl !== 'number') return 'pushOptions.ttl';
  if (pushType === 0) {
    const n = body?.payload?.notification;
    if (!n || typeof n.title !== 'string' || typeof n.body !== 'string' || typeof n.category !== 'string') return 'notification fields';
    if (n.clickAction?.actionType !== 1 || typeof n.clickAction?.action !== 'string') return 'clickAction';
    if (!Number.isInteger(n.notifyId) || n.notifyId < 0 || n.notifyId > 2147483647) return 'notifyId';
    if (n.badge !== undefined && !(Number.isInteger(n.badge.setNum) && n.badge.setNum >= 0 && n.badge.setNum <= 99)) return 'badge.setNum';
    // harmonyos-references/push-scenariozed-api-request-param: profileId at most 64 characters; foregroundShow a Boolean.
    if (n.profileId !== undefined && (typeof n.profileId !== 'string' || n.profileId.length === 0 || n.profileId.length > 64)) return 'profileId';
    if (n.foregroundShow !== undefined && typeof n.foregroundShow !== 'boolean') return 'foregroundShow';
  } else if (pushType === 10) {
    if (typeof body?.payload?.extraData !== 'string') return 'payload.extraData';
    const ttl = body.pushOptions.ttl;
    if (ttl < 1 || ttl > 60) return 'VoIP ttl';
  } else {
    return 'push-type';
  }
  return '';
}

function parseOrUndefined(chunks: Buffer[]): any {
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

export class FakePushKit {
  readonly accepted: Recorded[] = [];
  readonly rejected: string[] = [];
  /** Answers for the next requests, in order; then success. */
  readonly answers: Answer[] = [];
  /** While set, every request gets this answer (an outage), before any queued one. */
  down: Answer | undefined;
  /** The next n requests are read, then their connections are destroyed unanswered (the sender sees a network error). */
  dropNext = 0;
  /** Requests whose connection was dropped by `dropNext`. */
  dropped = 0;
  /** While true, requests wait (their connections stay open) and count as not received until released. */
  hold = false;
  /** Like `hold`, for just the requests whose parsed body it returns true for. */
  holdIf: ((body: any) => boolean) | undefined;
  private held: Array<() => void> = [];
  /** Held requests whose connection the fake has not yet seen close. */
  heldOpen = 0;
  private server: http.Server | undefined;
  private publicKey: Awaited<ReturnType<typeof importSPKI>> | undefined;
  requests = 0;

  constructor(private readonly publicPem: string) {}

  async start(): Promise<string> {
    this.publicKey = await importSPKI(this.publicPem, 'PS256');
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers every held request and stops holding (`hold` and `holdIf`). */
  release(): void {
    this.hold = false;
    this.holdIf = undefined;
    const waiting = this.held;
    this.held = [];
    waiting.forEach((go) => go());
  }

  /** Forgets what was received and clears every fault (answers, outage, drops, holds), as after start. */
  reset(): void {
    this.release();
    this.accepted.length = 0;
    this.rejected.length = 0;
    this.answers.length = 0;
    this.down = undefined;
    this.dropNext = 0;
    this.dropped = 0;
    this.requests = 0;
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  tokensOf(pushType?: number): string[] {
    return this.accepted.filter((r) => pushType === undefined || r.pushType === pushType).flatMap((r) => r.tokens);
  }

  private answer(res: http.ServerResponse, a: Answer): void {
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: a.code ?? '80000000', msg: a.msg ?? 'Success', requestId: crypto.randomUUID() }));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.requests += 1;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.dropNext > 0) {
      this.dropNext -= 1;
      this.dropped += 1;
      req.socket.destroy();
      return;
    }
    if (this.hold || this.holdIf?.(parseOrUndefined(chunks))) {
      let aborted = false;
      let open = true;
      const settle = (): void => {
        if (open) this.heldOpen -= 1;
        open = false;
      };
      this.heldOpen += 1;
      res.on('close', () => {
        aborted = !res.writableEnded;
        settle();
      });
      await new Promise<void>((resolve) => this.held.push(resolve));
      settle();
      if (aborted || res.destroyed) return; // the sender died before Push Kit answered: not received
    }
    if (req.method !== 'POST' || req.url !== `/v3/${PROJECT_ID}/messages:send`) return this.answer(res, { status: 404, code: '80100003', msg: 'bad url' });
    const auth = req.headers.authorization ?? '';
    try {
      const jwt = auth.replace(/^Bearer /, '');
      const header = decodeProtectedHeader(jwt);
      const { payload } = await jwtVerify(jwt, this.publicKey!, { algorithms: ['PS256'], issuer: SUB_ACCOUNT, audience: AUDIENCE });
      if (header.kid !== KEY_ID || header.typ !== 'JWT') throw new Error('header');
      if ((payload.exp ?? 0) - (payload.iat ?? 0) !== 3600) throw new Error('lifetime');
    } catch (e) {
      this.rejected.push(`jwt: ${(e as Error).message}`);
      return this.answer(res, { status: 401, code: '80200001', msg: 'Oauth authentication error' });
    }
    const pushType = Number(req.headers['push-type']);
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      this.rejected.push('json');
      return this.answer(res, { status: 400, code: '80100003', msg: 'Illegal payload' });
    }
    const problem = schemaProblem(pushType, body);
    if (problem) {
      this.rejected.push(problem);
      return this.answer(res, { status: 400, code: problem.includes('4096') ? '80300008' : '80100003', msg: `Illegal payload: ${problem}` });
    }
    const next = this.down ?? this.answers.shift() ?? { status: 200 };
    if (next.status === 200 && (next.code === undefined || next.code === '80000000' || next.code === '80100000')) {
      this.accepted.push({ pushType, tokens: body.target.token, body, jwt: auth, bytes: Buffer.byteLength(JSON.stringify({ ...body, target: { token: [] } })) });
    }
    return this.answer(res, next);
  }
}
