import { makeStorage } from './helper.ts';
import { storageSuite } from './shared-suites/storage.suite.ts';

storageSuite('PGlite', () => makeStorage('pglite'));
storageSuite('PostgreSQL', () => makeStorage('postgres'));
