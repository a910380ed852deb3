import fs from 'node:fs';
import path from 'node:path';
import { telemetrySchemas } from '../packages/contracts/src/json-schemas.ts';

// `npm run schemas`: writes schemas/telemetry/*.schema.json from the contracts.
const dir = path.resolve(import.meta.dirname, '../schemas/telemetry');
fs.mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(telemetrySchemas())) {
  const file = path.join(dir, `${name}.schema.json`);
  fs.writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
