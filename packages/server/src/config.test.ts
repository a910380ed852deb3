import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  it('an empty FMO_DATA_DIR means the default, never the working directory', () => {
    // `FMO_DATA_DIR= npm run frostbyte …` once wrote master.key and a database into the checkout.
    expect(loadConfig({ FMO_DATA_DIR: '' }).dataDir).toBe(path.join(root, 'data'));
    expect(loadConfig({ FMO_DASHBOARD_DIR: '' }).dashboardDir).toBe(path.join(root, 'packages/admin-dashboard/dist'));
    expect(loadConfig({ FMO_DATA_DIR: '/srv/fmo' }).dataDir).toBe('/srv/fmo');
  });
});
