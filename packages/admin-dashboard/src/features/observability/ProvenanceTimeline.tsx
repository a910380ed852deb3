/** Placeholder: the provenance timeline arrives with the next dashboard issue. */
export function ProvenanceTimeline() {
  return (
    <div className="page">
      <h1>Provenance</h1>
      <p className="muted">The provenance timeline arrives with the registry issue.</p>
    </div>
  );
}
