// How the Push Kit client reaches Push Kit: undici's request() over a pool of keep-alive connections.
// Not fetch(): it is undici too, but wraps every answer in WHATWG streams, a Response and an AbortSignal. A
// 10,000-member group message is 10,000 requests, and that garbage made the event loop's longest pauses
// (collections) during the fan-out; with request() the fan-out's longest pause roughly halved and the
// requests took half the time (server/BENCHMARKS.md, "Push Kit requests without fetch").
import { Agent, request } from 'undici';

export interface PostAnswer {
  status: number;
  text: string;
}

/**
 * POSTs `body` to `url` and reads the whole answer. Rejects on a network error, and when the answer's
 * headers, or a pause in its body, take longer than `timeoutMs`.
 */
export type HttpPost = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<PostAnswer>;

/** Connections kept per origin: the outbox sends a few requests at a time, the console's tests a few more. */
export const MAX_CONNECTIONS = 16;

export interface Transport {
  post: HttpPost;
  /** Closes the connections. Call once nothing sends any more: a request still under way fails. */
  close(): Promise<void>;
}

export function keepAliveTransport(): Transport {
  const agent = new Agent({ connections: MAX_CONNECTIONS });
  return {
    async post(url, headers, body, timeoutMs) {
      const answer = await request(url, { method: 'POST', headers, body, dispatcher: agent, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      return { status: answer.statusCode, text: await answer.body.text() };
    },
    close: () => agent.destroy(),
  };
}
