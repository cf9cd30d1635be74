// Presence shared between processes (src/hub.ts with a broker): a device online on one process is online
// on the others, a process that starts late asks for the others' view, a snapshot replaces what was heard,
// and a process that went silent counts for nobody. An in-memory bus stands in for Redis here;
// test/broker.test.ts runs the same with two real server processes and a real redis-server.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { WebSocket } from 'ws';
import type { Broker, BrokerMessage } from '../src/broker.js';
import { Hub, PRESENCE_TTL_MS } from '../src/hub.js';

/** Delivers each publication to every other member, in order, as Redis pub/sub does. */
class Bus {
  readonly members: BusBroker[] = [];
  readonly log: BrokerMessage[] = [];
  join(id: string): BusBroker {
    const broker = new BusBroker(id, this);
    this.members.push(broker);
    return broker;
  }
}

class BusBroker implements Broker {
  handler: (message: BrokerMessage) => void = () => {};
  constructor(readonly id: string, private readonly bus: Bus) {}
  publish(message: BrokerMessage): void {
    // A copy, as JSON over Redis would be.
    const copy = JSON.parse(JSON.stringify(message)) as BrokerMessage;
    this.bus.log.push(copy);
    for (const other of this.bus.members) if (other !== this) other.handler(copy);
  }
  onMessage(handler: (message: BrokerMessage) => void): void {
    this.handler = handler;
  }
  async close(): Promise<void> {}
}

const fakeSocket = () => ({ on() {}, ping() {}, send() {}, close() {}, terminate() {}, readyState: 1, OPEN: 1 }) as unknown as WebSocket;
const LIMITS = { maxDevices: 5, maxSocketsPerDevice: 3 };

function twoProcesses(clock = { t: 1_000_000 }) {
  const bus = new Bus();
  const a = new Hub(() => clock.t);
  const b = new Hub(() => clock.t);
  a.useBroker(bus.join('A'));
  b.useBroker(bus.join('B'));
  return { a, b, bus, clock };
}

describe('presence across processes', () => {
  test('a device online on another process is online here, until its last socket there closes', () => {
    const { a, b } = twoProcesses();
    assert.equal(a.isOnline('bob'), false);
    const first = fakeSocket();
    const second = fakeSocket();
    const admitted = b.add('bob', 'phone', 's1', first, LIMITS);
    assert.ok(admitted !== 'tooManyDevices' && admitted.cameOnline);
    b.add('bob', 'phone', 's1', second, LIMITS);
    assert.deepEqual([...a.onlineDevices('bob')], ['phone']);
    assert.equal(a.isOnline('bob'), true);

    // Online on B already: coming online on A is not "came online", and leaving A is not "went offline".
    const onA = fakeSocket();
    const alsoHere = a.add('bob', 'tablet', 's2', onA, LIMITS);
    assert.ok(alsoHere !== 'tooManyDevices' && !alsoHere.cameOnline);
    assert.deepEqual([...a.onlineDevices('bob')].sort(), ['phone', 'tablet']);
    assert.equal(a.remove('bob', 'tablet', onA), false);

    assert.equal(b.remove('bob', 'phone', first), false, 'one of the phone\'s sockets is still open');
    assert.equal(a.isOnline('bob'), true);
    assert.equal(b.remove('bob', 'phone', second), true, 'offline everywhere now');
    assert.equal(a.isOnline('bob'), false);
    assert.deepEqual([...a.onlineDevices('bob')], []);
    a.close();
    b.close();
  });

  test('the per-user device cap counts devices online on the other processes; the same device may reconnect anywhere', () => {
    const { a, b } = twoProcesses();
    const cap = { maxDevices: 2, maxSocketsPerDevice: 3 };
    assert.notEqual(a.add('bob', 'phone', 's1', fakeSocket(), cap), 'tooManyDevices');
    assert.notEqual(a.add('bob', 'tablet', 's2', fakeSocket(), cap), 'tooManyDevices');
    assert.equal(b.add('bob', 'laptop', 's3', fakeSocket(), cap), 'tooManyDevices', 'two devices online on A already');
    // The phone moving to B (its socket on A not yet found dead) is still one device.
    assert.notEqual(b.add('bob', 'phone', 's1', fakeSocket(), cap), 'tooManyDevices');
    a.close();
    b.close();
  });

  test('a process that starts later asks, and hears who is online already', () => {
    const bus = new Bus();
    const a = new Hub();
    a.useBroker(bus.join('A'));
    a.add('alice', 'phone', 's1', fakeSocket(), LIMITS);
    const late = new Hub();
    late.useBroker(bus.join('L'));
    assert.equal(late.isOnline('alice'), true);
    assert.ok(bus.log.some((m) => m.kind === 'presenceRequest' && m.node === 'L'));
    a.close();
    late.close();
  });

  test('a snapshot replaces what was heard before (an "offline" that got lost does not stick)', () => {
    const { a, b, bus } = twoProcesses();
    const socket = fakeSocket();
    b.add('bob', 'phone', 's1', socket, LIMITS);
    assert.equal(a.isOnline('bob'), true);
    // B's socket goes without its announcement reaching A (Redis was away for a moment)...
    const members = bus.members;
    const aBroker = members.find((m) => m.id === 'A')!;
    const handler = aBroker.handler;
    aBroker.handler = () => {};
    b.remove('bob', 'phone', socket);
    aBroker.handler = handler;
    assert.equal(a.isOnline('bob'), true, 'A missed it');
    // ...the next snapshot (every PRESENCE_SNAPSHOT_MS; asked for here by a process joining) puts it right.
    new Hub().useBroker(bus.join('L'));
    assert.equal(a.isOnline('bob'), false);
    a.close();
    b.close();
  });

  test('a process that stops takes its users\' presence with it at once', () => {
    const { a, b } = twoProcesses();
    b.add('bob', 'phone', 's1', fakeSocket(), LIMITS);
    assert.equal(a.isOnline('bob'), true);
    b.close();
    assert.equal(a.isOnline('bob'), false);
    a.close();
  });

  test('a process not heard from for the TTL counts for nobody', () => {
    const { a, b, clock } = twoProcesses();
    b.add('bob', 'phone', 's1', fakeSocket(), LIMITS);
    clock.t += PRESENCE_TTL_MS;
    assert.equal(a.isOnline('bob'), true, 'at the TTL, still counted');
    clock.t += 1;
    assert.equal(a.isOnline('bob'), false, 'B went silent (crashed, cut off): its devices no longer hold back pushes');
    assert.deepEqual([...a.onlineDevices('bob')], []);
    a.close();
    b.close();
  });
});
