import { it, expect } from 'vitest';
import { makeEvent, postEvents, startServer, fetch } from '/work/main/packages/server/test/helper.ts';
it('dbg', async () => {
  const s = await startServer('embedded', { alertEvaluateMs: 0 });
  const e = makeEvent({ tenant_id: 'dbg', document_id: 'dx', metadata: { decision: { classification: 'confidential' } } });
  const e2 = makeEvent({ tenant_id: 'dbg', document_id: 'dy', metadata: { decision: { classification: 'internal' } } });
  console.log(JSON.stringify((await postEvents(s.url, [e, e2])).body));
  const r = await (await fetch(`${s.url}/v1/events?tenant_id=dbg`)).json();
  console.log(JSON.stringify(r.events.map((x: any) => x.metadata)));
  await s.close();
}, 60000);
