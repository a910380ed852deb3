import { errorMessage } from '../lib/api-client.ts';

/** A failed request, said plainly, with a retry. Views keep their last data on
 * screen beneath it: an error never blanks what the user was looking at. */
export function ErrorBanner({ title, error, onRetry }: { title: string; error: unknown; onRetry?: () => void }) {
  return (
    <div className="banner banner-error" role="alert">
      <span>
        <strong>{title}:</strong> {errorMessage(error)}
      </span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
