import type { Model } from '@frostbyte/contracts';
import { useId } from 'react';

/** Which model's provenance to show; the choice lives in the URL (`?model=`). */
export function ModelPicker({ models, value, onChange }: { models: readonly Model[]; value: string; onChange: (name: string) => void }) {
  const id = useId();
  return (
    <div className="field inline">
      <label htmlFor={id}>Model</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {!value && <option value="">Choose a model…</option>}
        {models.map((m) => (
          <option key={m.name} value={m.name}>
            {m.name} ({m.stage}, {m.versions} version{m.versions === 1 ? '' : 's'})
          </option>
        ))}
      </select>
    </div>
  );
}
