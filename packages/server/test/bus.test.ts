import { makeBus } from './helper.ts';
import { busSuite } from './shared-suites/bus.suite.ts';

busSuite('memory ring', (o) => makeBus('memory', o), { sharedAcrossProcesses: false });
busSuite('Redis Streams', (o) => makeBus('redis', o), { sharedAcrossProcesses: true });
