import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { telemetrySchemas } from './json-schemas.ts';

describe('generated JSON Schemas', () => {
  it('match the committed files in schemas/telemetry (run `npm run schemas` after changing a contract)', () => {
    const dir = path.resolve(import.meta.dirname, '../../../schemas/telemetry');
    for (const [name, schema] of Object.entries(telemetrySchemas())) {
      const file = path.join(dir, `${name}.schema.json`);
      expect(fs.existsSync(file), `${file} is missing`).toBe(true);
      expect(JSON.parse(fs.readFileSync(file, 'utf8')), `${name}.schema.json is stale`).toEqual(schema);
    }
  });

  it('describe the spec columns of model_events', () => {
    const props = Object.keys((telemetrySchemas().model_events as { properties: object }).properties);
    for (const col of ['id', 'timestamp', 'tenant_id', 'document_id', 'stage', 'model_name', 'model_version', 'operation', 'status', 'duration_ms', 'input_tokens', 'output_tokens', 'metadata', 'invocation_id', 'pipeline_run_id', 'emitted_at', 'error', 'trace']) {
      expect(props).toContain(col);
    }
  });
});
