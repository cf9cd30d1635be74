// The fake Push Kit in its own process for the fan-out benchmark, so that its request handling (JWT
// verification, schema checks) does not count as the server's event-loop time. IPC: it sends {base} once
// listening, and answers {count} with {tokens} (how many tokens it accepted).
import { FakePushKit } from '../test/fake-pushkit.js';

const fake = new FakePushKit(process.env.FAKE_PUBLIC_KEY as string);
const base = await fake.start();
process.send?.({ base });
process.on('message', (m: { count?: boolean }) => {
  if (m.count) process.send?.({ tokens: fake.tokensOf().length, requests: fake.accepted.length });
});
process.on('disconnect', () => void fake.stop().then(() => process.exit(0)));
