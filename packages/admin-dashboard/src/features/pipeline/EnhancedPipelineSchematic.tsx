/** Placeholder: the pipeline schematic arrives with the registry issue. */
export function EnhancedPipelineSchematic() {
  return (
    <div className="page">
      <h1>Pipeline</h1>
      <p className="muted">The pipeline schematic arrives with the registry issue.</p>
    </div>
  );
}
