import { ErrorBanner } from '../../components/ErrorBanner.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { Link } from '../../lib/router.tsx';
import { useEvent } from './api/get-event.ts';
import { AuditStatus } from './components/AuditStatus.tsx';
import { ConfidenceMeter } from './components/ConfidenceMeter.tsx';
import { DocumentJourney } from './components/DocumentJourney.tsx';
import { EventFacts } from './components/EventFacts.tsx';
import { FollowDocument } from './components/FollowDocument.tsx';
import { InvocationTimeline } from './components/InvocationTimeline.tsx';
import { PayloadPanels } from './components/PayloadPanels.tsx';
import { RedactedText } from './components/RedactedText.tsx';
import { SpanTree, spanPath } from './components/SpanTree.tsx';
import './trace.css';

/**
 * `/trace/:eventId`: why a model did what it did. The decision (rationale,
 * confidence, error) and its input/output lead; the call's facts, its lifecycle,
 * the document's journey and the audit proof sit beside them.
 */
export function DecisionTracer({ eventId }: { eventId: string }) {
  const q = useEvent(eventId);

  if (q.isPending)
    return (
      <div className="page">
        <h1>Decision trace</h1>
        <p role="status">Loading event {eventId}…</p>
      </div>
    );
  if (!q.data)
    return (
      <div className="page">
        <BackLink />
        <h1>Decision trace</h1>
        <ErrorBanner
          title={q.error instanceof ApiError && q.error.status === 404 ? 'No such event' : 'The event could not be loaded'}
          error={q.error}
          onRetry={() => void q.refetch()}
        />
      </div>
    );

  const { event, trace } = q.data;
  const confidence = trace?.confidence_score ?? event.confidence_score;
  const rationale = trace?.readable ? trace.decision_rationale : null;

  return (
    <div className="page tracer">
      <BackLink />
      <h1>
        Decision trace · <span className="mono">{event.model_name}</span> <span className="muted">{event.stage}</span>
      </h1>
      {q.isError && <ErrorBanner title="Refresh failed" error={q.error} onRetry={() => void q.refetch()} />}
      <div className="tracer-grid">
        <div className="tracer-main">
          <section aria-labelledby="decision-title" className="card">
            <h2 id="decision-title">Decision</h2>
            <ConfidenceMeter score={confidence} />
            <h3>Rationale</h3>
            {rationale ? (
              <p className="rationale">
                <RedactedText text={rationale} />
              </p>
            ) : (
              <p className="muted">
                {event.status === 'started' ? 'The call has not finished; see its timeline.' : 'No rationale recorded.'}
              </p>
            )}
          </section>
          {event.error && (
            <section aria-labelledby="error-title" className="card card-error">
              <h2 id="error-title">Error</h2>
              <p>
                <strong className="mono">{event.error.type}</strong>: <RedactedText text={event.error.message} />
              </p>
            </section>
          )}
          <section aria-labelledby="io-title" className="card">
            <h2 id="io-title">Input and output</h2>
            <PayloadPanels trace={trace} started={event.status === 'started'} />
          </section>
        </div>
        <aside className="tracer-side" aria-label="Call details">
          <section aria-labelledby="facts-title" className="card">
            <h2 id="facts-title">Call</h2>
            <EventFacts event={event} />
          </section>
          {spanPath(event) && (
            <section aria-labelledby="spans-title" className="card">
              <h2 id="spans-title">Span tree</h2>
              <SpanTree event={event} />
            </section>
          )}
          <section aria-labelledby="timeline-title" className="card">
            <h2 id="timeline-title">Invocation</h2>
            <InvocationTimeline invocationId={event.invocation_id} currentEventId={event.id} />
          </section>
          {event.document_id && (
            <section aria-labelledby="journey-title" className="card">
              <h2 id="journey-title">Document journey</h2>
              <DocumentJourney documentId={event.document_id} currentEventId={event.id} />
              <FollowDocument documentId={event.document_id} />
            </section>
          )}
          <section aria-labelledby="audit-title" className="card">
            <h2 id="audit-title">Audit trail</h2>
            <AuditStatus eventId={event.id} />
          </section>
        </aside>
      </div>
    </div>
  );
}

function BackLink() {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link href="/activity">← Model activity</Link>
    </nav>
  );
}
