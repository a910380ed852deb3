import type { EntityType } from '@frostbyte/redact';
import type { Topic } from '../stages/policy.ts';
import type { RichDocument } from './render.ts';

/**
 * Catalogue of the committed sample corpus (samples/documents/): the content
 * that scripts/make-samples.ts renders, with each file's topic and PII. Every person,
 * company, address and identifier here is fictional; the PII-shaped values are
 * the well-known test values (SSN 078-05-1120, card 4111 1111 1111 1111,
 * IBAN GB82WEST12345698765432, 555-01xx phone numbers, example.com mail).
 *
 * `pii` lists the PII types a sample deliberately contains, named as
 * @frostbyte/redact names them, so tests and the redaction evaluation can check
 * against it.
 */

export interface SampleSpec {
  file: string;
  topic: Topic;
  /** PII types (the redaction package's entity names) the sample deliberately contains. */
  pii: EntityType[];
  doc: RichDocument;
  /** PDF only: start each level-1 section on a new page. */
  break_before_h1?: boolean;
}

export const SAMPLES: SampleSpec[] = [
  // ------------------------------------------------------------------ PDF
  {
    file: 'finance-q3-earnings-report.pdf',
    topic: 'finance',
    pii: [],
    break_before_h1: true,
    doc: {
      title: 'Northwind Analytics - Q3 FY2024 Earnings Report',
      blocks: [
        { kind: 'heading', level: 1, text: 'Summary' },
        {
          kind: 'paragraph',
          text: 'Quarterly revenue reached $48.2 million, up 14% year over year, driven by subscription revenue from the enterprise segment. Gross margin improved to 71% as cloud hosting costs per customer fell. Operating expenses grew 6%, below the budget approved by the board, and free cash flow was positive for the third consecutive quarter.',
        },
        {
          kind: 'paragraph',
          text: 'The finance team closed the ledger four days earlier than in Q2 after automating accounts payable reconciliation. Deferred revenue rose to $62.0 million, which gives good visibility into the fiscal year outlook.',
        },
        { kind: 'heading', level: 1, text: 'Income statement' },
        {
          kind: 'table',
          rows: [
            ['Line item', 'Q3 FY2024', 'Q3 FY2023', 'Change'],
            ['Revenue', '$48.2M', '$42.3M', '+14%'],
            ['Cost of revenue', '$14.0M', '$13.1M', '+7%'],
            ['Gross profit', '$34.2M', '$29.2M', '+17%'],
            ['Operating expenses', '$27.9M', '$26.3M', '+6%'],
            ['Operating income', '$6.3M', '$2.9M', '+117%'],
          ],
        },
        {
          kind: 'paragraph',
          text: 'Tax expense for the quarter was $1.1 million. Earnings per share were $0.21 on a diluted basis. The balance sheet shows $120.4 million in cash and short-term investments and no long-term debt.',
        },
        { kind: 'heading', level: 1, text: 'Outlook' },
        {
          kind: 'paragraph',
          text: 'For Q4 we expect revenue between $50.0 and $51.5 million. Capital expenditure will stay near $2 million per quarter. The audit committee reviewed this report and the external auditors completed their quarterly review without findings.',
        },
      ],
    },
  },
  {
    file: 'legal-mutual-nda.pdf',
    topic: 'legal',
    pii: ['PERSON', 'EMAIL'],
    doc: {
      title: 'Mutual Non-Disclosure Agreement',
      blocks: [
        {
          kind: 'paragraph',
          text: 'This Mutual Non-Disclosure Agreement (the "Agreement") is entered into as of 3 March 2024 between Frostbyte Systems Ltd., a company registered in England, and Halvorsen Marine AS, a company registered in Norway (each a "Party" and together the "Parties").',
        },
        { kind: 'heading', level: 1, text: '1. Confidential Information' },
        {
          kind: 'paragraph',
          text: 'Confidential Information means any non-public business, technical or financial information disclosed by one Party to the other, in any form, that is marked confidential or that a reasonable person would understand to be confidential. It does not include information that is public through no breach of this Agreement or that the receiving Party developed independently.',
        },
        { kind: 'heading', level: 1, text: '2. Obligations' },
        {
          kind: 'paragraph',
          text: 'The receiving Party shall use Confidential Information only to evaluate a possible commercial relationship, shall protect it with at least reasonable care, and shall not disclose it to third parties except to its employees and counsel who need to know it and are bound by confidentiality obligations no less strict than this clause.',
        },
        { kind: 'heading', level: 1, text: '3. Term, termination and governing law' },
        {
          kind: 'paragraph',
          text: 'This Agreement lasts two years from the effective date. Either Party may terminate it on thirty days written notice; obligations of confidentiality survive termination for five years. This Agreement is governed by the laws of England and Wales, and the courts of London have exclusive jurisdiction over any dispute. Neither Party shall be liable for indirect damages, and no warranty is given about the accuracy of Confidential Information.',
        },
        { kind: 'heading', level: 1, text: 'Signatures' },
        {
          kind: 'list',
          items: [
            'For Frostbyte Systems Ltd.: Eleanor Whitfield, General Counsel (eleanor.whitfield@example.com)',
            'For Halvorsen Marine AS: Magnus Halvorsen, Chief Executive Officer (m.halvorsen@example.org)',
          ],
        },
      ],
    },
  },
  {
    file: 'medical-discharge-summary.pdf',
    topic: 'medical',
    pii: ['PERSON', 'SSN', 'PHONE', 'DATE_OF_BIRTH'],
    doc: {
      title: 'Hospital Discharge Summary',
      blocks: [
        {
          kind: 'table',
          rows: [
            ['Patient', 'Daniel Okafor'],
            ['Date of birth', '14/07/1961'],
            ['SSN', '078-05-1120'],
            ['Contact phone', '(555) 010-4477'],
            ['Attending physician', 'Dr. Priya Raman'],
          ],
        },
        { kind: 'heading', level: 1, text: 'Diagnosis' },
        {
          kind: 'paragraph',
          text: 'Community-acquired pneumonia of the right lower lobe with mild dehydration. The patient presented with fever, productive cough and shortness of breath for four days. Chest imaging confirmed consolidation. Blood cultures were negative.',
        },
        { kind: 'heading', level: 1, text: 'Treatment in hospital' },
        {
          kind: 'paragraph',
          text: 'The patient received intravenous ceftriaxone 1 g daily and oral azithromycin 500 mg daily for three days, intravenous fluids and oxygen by nasal cannula for the first 36 hours. Symptoms improved steadily; oxygen saturation on room air was 96% at discharge. Blood pressure remained stable throughout the admission.',
        },
        { kind: 'heading', level: 1, text: 'Medication at discharge' },
        {
          kind: 'list',
          items: [
            'Amoxicillin-clavulanate 875/125 mg orally twice daily for 5 days',
            'Paracetamol 1 g orally up to four times daily as needed for fever',
            'Continue usual lisinopril 10 mg once daily',
          ],
        },
        { kind: 'heading', level: 1, text: 'Follow-up' },
        {
          kind: 'paragraph',
          text: 'Review with the primary care physician in 7 days and a repeat chest X-ray in 6 weeks. Return to hospital if fever recurs, breathing worsens or the patient cannot keep fluids down. Known allergy: penicillin-induced rash was ruled out by the allergy clinic in 2019.',
        },
      ],
    },
  },
  {
    file: 'engineering-incident-postmortem.pdf',
    topic: 'engineering',
    pii: [],
    break_before_h1: true,
    doc: {
      title: 'Postmortem: Ingest API Outage on 2024-05-14',
      blocks: [
        { kind: 'heading', level: 1, text: 'Impact' },
        {
          kind: 'paragraph',
          text: 'For 47 minutes the ingest API returned HTTP 503 for 38% of requests. p99 latency on the remaining requests rose from 80 ms to 2.4 s. No acknowledged events were lost: clients spooled to disk and replayed after recovery, and the queue drained within 12 minutes.',
        },
        { kind: 'heading', level: 1, text: 'Timeline (UTC)' },
        {
          kind: 'table',
          rows: [
            ['Time', 'Event'],
            ['09:02', 'Deployment of release 2024.05.14-1 begins'],
            ['09:09', 'Error rate alert fires for the ingest service'],
            ['09:15', 'On-call engineer pages the database team'],
            ['09:31', 'Connection pool exhaustion identified on the primary database'],
            ['09:41', 'Rollback to the previous release completed'],
            ['09:49', 'Error rate back to baseline; incident resolved'],
          ],
        },
        { kind: 'heading', level: 1, text: 'Root cause' },
        {
          kind: 'paragraph',
          text: 'The release changed the batch writer to open one database connection per partition instead of sharing a pool. Under production load the service opened 900 connections, exceeding the database limit of 500, and new requests waited for connections until the load balancer timed them out. The change passed code review and the integration tests because the test environment has only four partitions.',
        },
        { kind: 'heading', level: 1, text: 'Action items' },
        {
          kind: 'list',
          items: [
            'Add a load test with production partition counts to the release pipeline (owner: platform team)',
            'Cap connections per service instance in configuration, not code (owner: ingest team)',
            'Alert on connection pool saturation above 80% (owner: SRE)',
            'Document the rollback procedure in the on-call runbook (done)',
          ],
        },
      ],
    },
  },
  {
    file: 'general-office-newsletter.pdf',
    topic: 'general',
    pii: [],
    doc: {
      title: 'Office Newsletter - Spring Edition',
      blocks: [
        { kind: 'heading', level: 1, text: 'Welcome to spring' },
        {
          kind: 'paragraph',
          text: 'The days are longer, the courtyard plants are back, and the coffee machine on the third floor has finally been repaired. Thank you to everyone who voted in the office playlist poll; the winning list will play in the kitchen on Friday afternoons.',
        },
        { kind: 'heading', level: 1, text: 'Upcoming events' },
        {
          kind: 'list',
          items: [
            'Charity bake sale in the lobby on the first Wednesday of the month',
            'Lunchtime walking group every Tuesday at 12:30, meeting by the front desk',
            'Book club: this month we are reading a novel about lighthouse keepers',
          ],
        },
        { kind: 'heading', level: 1, text: 'Around the building' },
        {
          kind: 'paragraph',
          text: 'Bicycle parking has moved to the east entrance while the car park is resurfaced. Please remember to take reusable cups to meetings, and to return umbrellas borrowed from reception. Photos from the winter party are on the shared noticeboard.',
        },
      ],
    },
  },
  // ------------------------------------------------------------------ DOCX
  {
    file: 'hr-offer-letter.docx',
    topic: 'hr',
    pii: ['PERSON', 'EMAIL', 'PHONE', 'SSN', 'ADDRESS'],
    doc: {
      title: 'Offer of Employment',
      blocks: [
        {
          kind: 'paragraph',
          text: 'Dear Sofia Marchetti, we are pleased to offer you the position of Senior Data Engineer in the Platform department, reporting to the engineering manager Tomasz Nowak. Your start date will be 2 September 2024.',
        },
        { kind: 'heading', level: 1, text: 'Compensation and benefits' },
        {
          kind: 'paragraph',
          text: 'Your annual base salary will be $142,000, paid through monthly payroll, with an annual bonus target of 10% subject to your performance review. You will be eligible for the company benefits plan from your first day, including health insurance, a 401(k) match of 4%, 25 days of paid leave (PTO) per year and parental leave as described in the employee handbook.',
        },
        { kind: 'heading', level: 1, text: 'Your details on file' },
        {
          kind: 'table',
          rows: [
            ['Candidate', 'Sofia Marchetti'],
            ['Email', 'sofia.marchetti@example.com'],
            ['Phone', '+1 555-0134'],
            ['SSN (for payroll)', '078-05-1120'],
            ['Address', '42 Elmstead Road, Springfield, IL 62704'],
          ],
        },
        { kind: 'heading', level: 1, text: 'Next steps' },
        {
          kind: 'paragraph',
          text: 'This offer is contingent on reference checks and proof of eligibility to work. Please sign and return this letter within five working days. Onboarding will begin with a week of orientation with the HR team and your manager. We look forward to welcoming you.',
        },
        { kind: 'paragraph', text: 'Kind regards, Hannah Lindqvist, Head of People and Recruiting' },
      ],
    },
  },
  {
    file: 'legal-master-services-agreement.docx',
    topic: 'legal',
    pii: [],
    doc: {
      title: 'Master Services Agreement',
      blocks: [
        {
          kind: 'paragraph',
          text: 'This Master Services Agreement is made between the Customer and the Supplier named in the order form. It governs all statements of work issued under it. If a statement of work conflicts with this Agreement, this Agreement prevails unless the statement of work expressly says otherwise.',
        },
        { kind: 'heading', level: 1, text: 'Services and acceptance' },
        {
          kind: 'paragraph',
          text: 'The Supplier shall perform the services with reasonable skill and care and in accordance with good industry practice. Deliverables are accepted when the Customer confirms acceptance in writing or ten business days pass without a written notice of breach of the acceptance criteria.',
        },
        { kind: 'heading', level: 1, text: 'Liability and indemnity' },
        {
          kind: 'paragraph',
          text: 'Each party\'s total liability under this Agreement is limited to the fees paid in the twelve months before the claim. Neither party excludes liability for fraud or for death or personal injury caused by negligence. The Supplier shall indemnify the Customer against third-party claims that the deliverables infringe intellectual property rights.',
        },
        { kind: 'heading', level: 1, text: 'Termination' },
        {
          kind: 'paragraph',
          text: 'Either party may terminate this Agreement for material breach that is not remedied within thirty days of notice. On termination the Supplier shall return all Customer data and the Customer shall pay for services performed up to the termination date.',
        },
        { kind: 'heading', level: 1, text: 'Governing law and disputes' },
        {
          kind: 'paragraph',
          text: 'This Agreement is governed by the laws of the State of New York. The parties will try to resolve any dispute through negotiation between senior executives before starting litigation or arbitration, and each clause is severable if found unenforceable.',
        },
      ],
    },
  },
  {
    file: 'finance-expense-policy.docx',
    topic: 'finance',
    pii: [],
    doc: {
      title: 'Travel and Expense Policy',
      blocks: [
        { kind: 'heading', level: 1, text: 'Purpose' },
        {
          kind: 'paragraph',
          text: 'This policy explains which business expenses the company reimburses, how to submit an expense claim, and how finance approves and audits payments. It applies to all employees and contractors who incur expenses on behalf of the company.',
        },
        { kind: 'heading', level: 1, text: 'Reimbursable expenses' },
        {
          kind: 'list',
          items: [
            'Economy airfare booked through the travel portal at least 14 days in advance',
            'Hotel accommodation up to the city rate in the budget table',
            'Meals up to $75 per day while travelling, with itemised receipts',
            'Client entertainment pre-approved by a budget holder',
          ],
        },
        { kind: 'heading', level: 1, text: 'Submitting a claim' },
        {
          kind: 'paragraph',
          text: 'Submit claims within 30 days with a receipt for every item over $25. Corporate card transactions are imported automatically; you only need to attach receipts and a cost centre. Reimbursement is paid with the next payroll run after approval. Finance reviews a random sample of claims each quarter, and claims that break this policy are returned unpaid.',
        },
        { kind: 'heading', level: 1, text: 'Approval limits' },
        {
          kind: 'table',
          rows: [
            ['Amount', 'Approver'],
            ['Up to $1,000', 'Line manager'],
            ['$1,000 to $10,000', 'Department budget holder'],
            ['Above $10,000', 'Chief Financial Officer'],
          ],
        },
      ],
    },
  },
  {
    file: 'engineering-design-review.docx',
    topic: 'engineering',
    pii: [],
    doc: {
      title: 'Design Review: Embedding Service Cache',
      blocks: [
        { kind: 'heading', level: 1, text: 'Context' },
        {
          kind: 'paragraph',
          text: 'The embedding service recomputes vectors for identical chunks whenever a document is re-ingested. Profiling shows 41% of embedding API calls are repeats within 24 hours, adding latency to the pipeline and cost to the GPU cluster.',
        },
        { kind: 'heading', level: 1, text: 'Proposal' },
        {
          kind: 'paragraph',
          text: 'Add a content-addressed cache in front of the embedding endpoint. The key is the SHA-256 of the chunk text plus the model name and version, so a model upgrade never serves stale vectors. The cache is a Redis hash with a 7-day TTL; on a miss the service calls the model, writes the vector and returns it. Cache writes are asynchronous so a Redis outage degrades latency, not availability.',
        },
        { kind: 'heading', level: 1, text: 'Alternatives considered' },
        {
          kind: 'list',
          items: [
            'Caching in the database next to chunks: simpler, but couples the schema to one model version',
            'Client-side memoisation in the pipeline: no shared benefit across workers',
            'Doing nothing and scaling the GPU deployment: 3x the cost of the cache',
          ],
        },
        { kind: 'heading', level: 1, text: 'Rollout' },
        {
          kind: 'paragraph',
          text: 'Ship behind a feature flag, enable for 10% of tenants, and compare p95 latency and hit rate on the dashboard for a week. Roll back by turning the flag off; no data migration is needed. The architecture review approved the design with one change: add a metric for cache evictions.',
        },
      ],
    },
  },
  {
    file: 'medical-lab-results.docx',
    topic: 'medical',
    pii: ['PERSON', 'PHONE', 'DATE_OF_BIRTH', 'EMAIL'],
    doc: {
      title: 'Laboratory Results Report',
      blocks: [
        {
          kind: 'table',
          rows: [
            ['Patient', 'Amelia Hartley'],
            ['Date of birth', '02/11/1985'],
            ['Patient phone', '(312) 555-0199'],
            ['Patient email', 'amelia.hartley@example.net'],
            ['Ordering physician', 'Dr. Samuel Osei'],
          ],
        },
        { kind: 'heading', level: 1, text: 'Results' },
        {
          kind: 'table',
          rows: [
            ['Test', 'Result', 'Reference range'],
            ['Haemoglobin', '13.8 g/dL', '12.0 - 15.5'],
            ['White cell count', '11.9 x10^9/L', '4.0 - 11.0'],
            ['HbA1c', '6.1%', 'below 5.7%'],
            ['LDL cholesterol', '3.9 mmol/L', 'below 3.0'],
          ],
        },
        { kind: 'heading', level: 1, text: 'Clinical interpretation' },
        {
          kind: 'paragraph',
          text: 'Mildly raised white cell count, consistent with the recent respiratory infection reported in the clinical notes. HbA1c is in the prediabetes range; the physician recommends lifestyle advice and a repeat test in three months. Raised LDL cholesterol: discuss statin treatment at the next appointment, taking into account blood pressure and family history.',
        },
      ],
    },
  },
  // ------------------------------------------------------------------ HTML
  {
    file: 'finance-invoice-4471.html',
    topic: 'finance',
    pii: ['CREDIT_CARD', 'IBAN', 'EMAIL', 'PERSON'],
    doc: {
      title: 'Invoice INV-4471',
      blocks: [
        {
          kind: 'paragraph',
          text: 'Bill to: Rosalind Achterberg, Achterberg Design Studio. Invoice date 2024-06-30, payment due within 30 days.',
        },
        {
          kind: 'table',
          rows: [
            ['Description', 'Qty', 'Unit price', 'Amount'],
            ['Observability platform subscription (June)', '1', '$2,400.00', '$2,400.00'],
            ['Additional ingest volume (10M events)', '3', '$150.00', '$450.00'],
            ['Priority support', '1', '$300.00', '$300.00'],
            ['Total due', '', '', '$3,150.00'],
          ],
        },
        { kind: 'heading', level: 1, text: 'Payment details' },
        {
          kind: 'paragraph',
          text: 'Pay by bank transfer to IBAN GB82WEST12345698765432 (BIC WESTGB2L) quoting the invoice number, or by card. The card on file ending in 1111 (4111 1111 1111 1111, expiry 12/28) will be charged automatically on the due date if the invoice is unpaid.',
        },
        {
          kind: 'paragraph',
          text: 'Questions about this invoice or your account balance: billing@example.com. Late payment may incur interest at 1.5% per month as set out in the agreement.',
        },
      ],
    },
  },
  {
    file: 'hr-benefits-faq.html',
    topic: 'hr',
    pii: [],
    doc: {
      title: 'Employee Benefits FAQ',
      blocks: [
        { kind: 'heading', level: 1, text: 'When does my health coverage start?' },
        {
          kind: 'paragraph',
          text: 'Health, dental and vision coverage start on your first day of employment. Dependants can be added during onboarding or within 30 days of a qualifying life event such as marriage or the birth of a child.',
        },
        { kind: 'heading', level: 1, text: 'How much paid leave do I get?' },
        {
          kind: 'paragraph',
          text: 'Full-time employees accrue 25 days of paid time off (PTO) per year plus public holidays. Unused leave up to 5 days carries over to the next year. Sick leave is separate and does not reduce your vacation balance.',
        },
        { kind: 'heading', level: 1, text: 'What about parental leave?' },
        {
          kind: 'paragraph',
          text: 'Birth parents receive 20 weeks of paid parental leave and other parents receive 12 weeks, available to every employee after their probation period. Talk to your manager and the HR team at least eight weeks before your planned leave.',
        },
        { kind: 'heading', level: 1, text: 'How do retirement contributions work?' },
        {
          kind: 'paragraph',
          text: 'The company matches 100% of your 401(k) contributions up to 4% of your salary. Matching contributions are paid with each payroll run and vest immediately. You can change your contribution rate in the benefits portal at any time.',
        },
      ],
    },
  },
  {
    file: 'engineering-api-changelog.html',
    topic: 'engineering',
    pii: [],
    doc: {
      title: 'Ingest API Changelog',
      blocks: [
        { kind: 'heading', level: 1, text: 'v1.4.0 - 2024-07-02' },
        {
          kind: 'list',
          items: [
            'New endpoint POST /v1/events:batch accepts up to 1,000 events per request',
            'Responses now include the accepted event ids so clients can deduplicate retries',
            'The OTLP/HTTP endpoint supports protobuf as well as JSON payloads',
          ],
        },
        { kind: 'heading', level: 1, text: 'v1.3.2 - 2024-06-11' },
        {
          kind: 'list',
          items: [
            'Fixed a race in the SSE fan-out that could skip an event when a client reconnected with Last-Event-ID',
            'Reduced p99 latency of the trace list query from 180 ms to 45 ms with a keyset index',
          ],
        },
        { kind: 'heading', level: 1, text: 'v1.3.0 - 2024-05-20' },
        {
          kind: 'list',
          items: [
            'Deprecation: the query parameter offset on /v1/events is replaced by cursor; offset will be removed in v2',
            'Rate limits are returned in RateLimit-* response headers',
            'The service now runs on Node 20 and the Docker image is 40% smaller',
          ],
        },
      ],
    },
  },
  {
    file: 'general-cafeteria-menu.html',
    topic: 'general',
    pii: [],
    doc: {
      title: 'Cafeteria Menu - Week 27',
      blocks: [
        {
          kind: 'table',
          rows: [
            ['Day', 'Soup', 'Main', 'Vegetarian'],
            ['Monday', 'Tomato and basil', 'Roast chicken with potatoes', 'Mushroom risotto'],
            ['Tuesday', 'Lentil', 'Fish tacos', 'Halloumi wraps'],
            ['Wednesday', 'Minestrone', 'Beef stew', 'Chickpea curry'],
            ['Thursday', 'Pea and mint', 'Salmon with greens', 'Spinach lasagne'],
            ['Friday', 'Chef special', 'Pizza day', 'Pizza day'],
          ],
        },
        {
          kind: 'paragraph',
          text: 'The salad bar and fruit basket are available every day. Please tell the kitchen staff about any food allergies before ordering. The cafeteria is open from 11:30 to 14:00 and the coffee bar from 8:00 to 16:00.',
        },
      ],
    },
  },
  // ------------------------------------------------------------------ Markdown
  {
    file: 'engineering-oncall-runbook.md',
    topic: 'engineering',
    pii: [],
    doc: {
      title: 'On-call Runbook: Event Writer',
      blocks: [
        { kind: 'heading', level: 1, text: 'Symptoms' },
        {
          kind: 'paragraph',
          text: 'The bus lag alert fires when the writer consumer group is more than 50,000 events behind the stream head for five minutes. Dashboards show rising queue depth and the ingest API latency may increase as back-pressure builds.',
        },
        { kind: 'heading', level: 1, text: 'Diagnosis' },
        {
          kind: 'list',
          items: [
            'Check writer pod health and restarts in the Kubernetes deployment',
            'Check database CPU, locks and replication lag on the primary',
            'Look for a recent release or schema migration in the deploy log',
            'Compare the writer batch size and flush latency metrics with last week',
          ],
        },
        { kind: 'heading', level: 1, text: 'Mitigation' },
        {
          kind: 'paragraph',
          text: 'If the database is healthy, scale the writer deployment to six replicas; consumer group rebalancing takes about a minute. If a release caused the regression, roll back with the deploy tool and confirm the lag is decreasing. Never delete the stream or reset the consumer group offset: events that are not yet written would be lost.',
        },
        { kind: 'heading', level: 1, text: 'Escalation' },
        {
          kind: 'paragraph',
          text: 'Escalate to the database on-call if replication lag exceeds 30 seconds, and open an incident if the lag is still growing after 30 minutes. Write the postmortem within two working days.',
        },
      ],
    },
  },
  {
    file: 'engineering-adr-event-queue.md',
    topic: 'engineering',
    pii: [],
    doc: {
      title: 'ADR 0007: Redis Streams as the Event Bus',
      blocks: [
        { kind: 'heading', level: 1, text: 'Status' },
        { kind: 'paragraph', text: 'Accepted.' },
        { kind: 'heading', level: 1, text: 'Context' },
        {
          kind: 'paragraph',
          text: 'Ingest must acknowledge events only when they are durable, fan them out to live SSE clients within 100 ms, and survive a database outage. We need a queue with consumer groups, replay from an id, and bounded memory, which the team can operate without a dedicated platform.',
        },
        { kind: 'heading', level: 1, text: 'Decision' },
        {
          kind: 'paragraph',
          text: 'Use Redis Streams: XADD on ingest, a consumer group for the database writer with XACK after commit, and XREAD from the live buffer for SSE fan-out. Streams are capped with MAXLEN so memory stays bounded; the database is the source of truth for anything older.',
        },
        { kind: 'heading', level: 1, text: 'Consequences' },
        {
          kind: 'list',
          items: [
            'Kafka-style partitions are not available; scaling beyond one Redis primary means Redis Cluster with hash tags',
            'At-least-once delivery: the writer must insert idempotently keyed by event id',
            'Local development uses an in-memory implementation of the same bus interface',
          ],
        },
      ],
    },
  },
  {
    file: 'legal-privacy-policy.md',
    topic: 'legal',
    pii: ['EMAIL'],
    doc: {
      title: 'Privacy Policy',
      blocks: [
        {
          kind: 'paragraph',
          text: 'This policy explains how Frostbyte Systems Ltd. ("we") processes personal data as a controller under the UK GDPR and the Data Protection Act 2018, and the rights you have.',
        },
        { kind: 'heading', level: 1, text: 'Lawful basis' },
        {
          kind: 'paragraph',
          text: 'We process account data to perform our contract with you, usage telemetry on the basis of our legitimate interest in securing and improving the service, and marketing data only with your consent, which you may withdraw at any time.',
        },
        { kind: 'heading', level: 1, text: 'Retention' },
        {
          kind: 'paragraph',
          text: 'Detailed traces are kept for 30 days and audit summaries for one year, unless a longer period is required by law or for the defence of legal claims. When retention ends, data is deleted or its encryption key is destroyed.',
        },
        { kind: 'heading', level: 1, text: 'Your rights' },
        {
          kind: 'list',
          items: [
            'Access, rectification and erasure of your personal data',
            'Restriction of processing and objection to processing',
            'Data portability for data you provided under contract or consent',
            'Complaint to the Information Commissioner\'s Office',
          ],
        },
        {
          kind: 'paragraph',
          text: 'Contact our data protection officer at privacy@example.com. This policy does not limit any statutory rights, and the liability provisions of your agreement with us continue to apply.',
        },
      ],
    },
  },
  {
    file: 'hr-onboarding-checklist.md',
    topic: 'hr',
    pii: ['PERSON', 'EMAIL', 'PHONE'],
    doc: {
      title: 'New Employee Onboarding Checklist',
      blocks: [
        {
          kind: 'paragraph',
          text: 'New hire: Liam O\'Connell, starting 15 July 2024 as Customer Success Manager. Personal email liam.oconnell@example.com, mobile (415) 555-0142. Hiring manager: Grace Adeyemi.',
        },
        { kind: 'heading', level: 1, text: 'Before the first day' },
        {
          kind: 'list',
          items: [
            'HR sends the signed offer letter and employee handbook',
            'IT orders a laptop and creates accounts',
            'Payroll collects bank and tax details through the secure portal',
            'The manager assigns an onboarding buddy',
          ],
        },
        { kind: 'heading', level: 1, text: 'First week' },
        {
          kind: 'list',
          items: [
            'Welcome session with the People team covering benefits, leave and the code of conduct',
            'Security and privacy training',
            '1:1 with the manager to agree 30-60-90 day goals',
            'Meet the team and shadow customer calls',
          ],
        },
        { kind: 'heading', level: 1, text: 'After 90 days' },
        {
          kind: 'paragraph',
          text: 'The manager completes the probation performance review with the employee and HR records the outcome. Feedback on the onboarding experience goes to the recruiting team.',
        },
      ],
    },
  },
  {
    file: 'medical-clinic-handbook.md',
    topic: 'medical',
    pii: [],
    doc: {
      title: 'Outpatient Clinic Handbook',
      blocks: [
        { kind: 'heading', level: 1, text: 'Patient check-in' },
        {
          kind: 'paragraph',
          text: 'Confirm the patient\'s identity with two identifiers before any treatment. Record allergies and current medication at every visit, and update the clinical record before the patient leaves.',
        },
        { kind: 'heading', level: 1, text: 'Medication safety' },
        {
          kind: 'list',
          items: [
            'Check the prescription against the allergy list and the dosage guidance',
            'Two nurses verify any controlled medication before administration',
            'Report every medication error or near miss in the incident system within 24 hours',
          ],
        },
        { kind: 'heading', level: 1, text: 'Infection control' },
        {
          kind: 'paragraph',
          text: 'Clean hands before and after every patient contact. Patients with fever and cough wait in the separate waiting area. Clean treatment rooms between patients and document it on the room log.',
        },
        { kind: 'heading', level: 1, text: 'Escalation of a deteriorating patient' },
        {
          kind: 'paragraph',
          text: 'If blood pressure, heart rate or oxygen saturation cross the early warning thresholds, call the duty physician immediately and prepare for transfer to the hospital emergency department.',
        },
      ],
    },
  },
  // ------------------------------------------------------------------ plain text
  {
    file: 'finance-wire-transfer-request.txt',
    topic: 'finance',
    pii: ['PERSON', 'IBAN', 'PHONE', 'EMAIL'],
    doc: {
      title: 'Wire Transfer Request',
      blocks: [
        {
          kind: 'table',
          rows: [
            ['Requested by:', 'Marcus Feldman, Accounts Payable'],
            ['Beneficiary:', 'Oakridge Components GmbH'],
            ['Beneficiary IBAN:', 'GB82WEST12345698765432'],
            ['Amount:', 'EUR 18,750.00'],
            ['Invoice reference:', 'OC-2024-0912'],
            ['Requested value date:', '2024-08-05'],
          ],
        },
        {
          kind: 'paragraph',
          text: 'Payment for the second instalment of the hardware purchase order PO-7781. The invoice was matched to the goods receipt and approved by the budget holder. Please debit the EUR operating account and send the remittance advice to the supplier.',
        },
        { kind: 'heading', level: 1, text: 'Verification' },
        {
          kind: 'paragraph',
          text: 'Because the beneficiary bank details changed since the last payment, treasury verified them by calling the supplier on the number held in the vendor master file, +44 20 7946 0958, not the number on the invoice. For questions call Marcus on 555-0107 or email marcus.feldman@example.com.',
        },
      ],
    },
  },
  {
    file: 'general-meeting-notes.txt',
    topic: 'general',
    pii: [],
    doc: {
      title: 'Notes - Facilities Committee Meeting',
      blocks: [
        { kind: 'paragraph', text: 'Attendees: facilities committee members from each floor. Apologies from two members.' },
        { kind: 'heading', level: 2, text: 'Agenda' },
        {
          kind: 'list',
          items: [
            'Meeting room booking etiquette',
            'Recycling bins in the kitchens',
            'Summer opening hours',
          ],
        },
        { kind: 'heading', level: 2, text: 'Discussion' },
        {
          kind: 'paragraph',
          text: 'Rooms booked but not used are the main complaint. The committee agreed that bookings not checked in within 10 minutes will be released automatically. Recycling bins will be relabelled with clearer pictures. In July and August the building will open at 7:30 and close at 19:00.',
        },
        { kind: 'heading', level: 2, text: 'Next meeting' },
        { kind: 'paragraph', text: 'First Thursday of next month, in the large room on the ground floor. Tea and biscuits provided.' },
      ],
    },
  },
  {
    file: 'medical-patient-intake.txt',
    topic: 'medical',
    pii: ['PERSON', 'SSN', 'PHONE', 'EMAIL', 'DATE_OF_BIRTH', 'ADDRESS'],
    doc: {
      title: 'Patient Intake Form',
      blocks: [
        {
          kind: 'table',
          rows: [
            ['Name:', 'Grace Whitaker'],
            ['Date of birth:', '1990-03-22'],
            ['SSN:', '078-05-1120'],
            ['Phone:', '(555) 010-2233'],
            ['Email:', 'grace.whitaker@example.org'],
            ['Address:', '17 Harbour Lane, Portland, ME 04101'],
            ['Insurance member ID:', 'HX-4471-0098'],
          ],
        },
        { kind: 'heading', level: 1, text: 'Reason for visit' },
        {
          kind: 'paragraph',
          text: 'Recurring migraine headaches three to four times per month for the last six months, with nausea and sensitivity to light. Over-the-counter ibuprofen gives partial relief.',
        },
        { kind: 'heading', level: 1, text: 'Medical history' },
        {
          kind: 'list',
          items: [
            'Allergies: sulfonamide antibiotics (hives)',
            'Current medication: oral contraceptive, ibuprofen as needed',
            'Previous surgery: appendectomy in 2008',
            'Family history: mother with migraine, father with hypertension',
          ],
        },
        {
          kind: 'paragraph',
          text: 'Patient consents to treatment and to sharing records with her primary care physician.',
        },
      ],
    },
  },
  {
    file: 'legal-cease-and-desist.txt',
    topic: 'legal',
    pii: ['PERSON', 'ADDRESS'],
    doc: {
      title: 'Cease and Desist - Trademark Infringement',
      blocks: [
        {
          kind: 'paragraph',
          text: 'To: Victor Almeida, Director, Frostbite Analytics LLC, 880 Market Street, Suite 400, San Francisco, CA 94102.',
        },
        {
          kind: 'paragraph',
          text: 'We act as counsel for Frostbyte Systems Ltd., owner of the registered trademark FROSTBYTE for software and analytics services. Your company\'s use of the name FROSTBITE ANALYTICS for competing services is likely to cause confusion among customers and constitutes trademark infringement and unfair competition.',
        },
        { kind: 'heading', level: 1, text: 'Demands' },
        {
          kind: 'list',
          items: [
            'Cease all use of the FROSTBITE name and any confusingly similar mark within 30 days',
            'Withdraw your pending trademark application',
            'Transfer the domain names that include the mark to our client',
            'Confirm in writing that you will comply with these demands',
          ],
        },
        {
          kind: 'paragraph',
          text: 'If we do not receive your written confirmation by the deadline, our client has instructed us to begin litigation without further notice, seeking an injunction, damages and legal costs. This letter is without prejudice to our client\'s rights, all of which are reserved.',
        },
        { kind: 'paragraph', text: 'Yours faithfully, Beatrice Kowalczyk, Partner, Kowalczyk & Reed LLP' },
      ],
    },
  },
];

/** Deliberately damaged files: the parse stage must reject each with CorruptDocumentError. */
export const CORRUPT_SAMPLE_FILES: readonly string[] = ['corrupt-scan.pdf'];
