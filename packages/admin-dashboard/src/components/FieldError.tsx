/** A form field's problem, tied to its input by id (`aria-describedby`). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error">
      <span aria-hidden="true">✕ </span>
      {message}
    </span>
  );
}

/** Props that make an input point at its error. */
export const invalidProps = (id: string, message: string | undefined) =>
  message ? { 'aria-invalid': true as const, 'aria-describedby': id } : {};
