import type { ModelEventInput } from '@frostbyte/contracts';
import { type EventExporter, type ExportResult, ExportResultCode } from './exporter.ts';

/** Accepts and forgets everything. */
export class NoopExporter implements EventExporter {
  async export(events: readonly ModelEventInput[]): Promise<ExportResult> {
    return { code: ExportResultCode.SUCCESS, accepted: events.length };
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
