// The benchmark's ceiling: a plain `ws` relay with no storage and no authentication, in its own process
// (node --import tsx bench/plain-relay.ts, HOST and PORT from the environment). Clients connect with
// ?user=<id>; {type:"send", to, clientMsgId, text} goes to the receiver as {type:"message", message} and
// is acknowledged to the sender as {type:"ack", clientMsgId, message}. GET /healthz answers 200.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

const users = new Map<string, WebSocket>();
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  const user = new URL(req.url ?? '/', 'http://relay').searchParams.get('user') ?? '';
  users.set(user, ws);
  ws.send(JSON.stringify({ type: 'hello', userId: user }));
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type?: string; to?: string; clientMsgId?: string; text?: string };
    if (frame.type !== 'send') return;
    const message = { clientMsgId: frame.clientMsgId, text: frame.text, senderId: user };
    users.get(frame.to ?? '')?.send(JSON.stringify({ type: 'message', message }));
    ws.send(JSON.stringify({ type: 'ack', clientMsgId: frame.clientMsgId, message }));
  });
  ws.on('close', () => {
    if (users.get(user) === ws) users.delete(user);
  });
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
});
