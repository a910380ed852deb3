import { AlertRulesPanel } from '../features/alerts/components/AlertRulesPanel.tsx';
import { EnhancedPipelineSchematic } from '../features/pipeline/EnhancedPipelineSchematic.tsx';

/** The Pipeline page: the schematic (pipeline feature) with the alert rules (alerts
 * feature) beneath it. Composed here so neither feature imports the other; loaded
 * lazily by `routes.tsx` together with @xyflow/react. */
export function PipelinePage() {
  return <EnhancedPipelineSchematic rules={<AlertRulesPanel />} />;
}
