// Layering rules of the monorepo (issue 11, item 6), checked by `npm run lint`:
//   depcruise --config .dependency-cruiser.cjs packages bench scripts test tools
// Paths are relative to the repository root. Workspace imports (`@frostbyte/contracts`, …)
// resolve through the node_modules symlinks to packages/*/src, so the package-direction
// rules below match on real paths.

/** Test code: *.test.ts(x) / *.e2e.test.ts, and anything in a test/ or e2e/ folder. */
const TEST = '(^|/)(test|e2e)/|\\.test\\.(ts|tsx|mts|mjs|js)$';

/**
 * The server's test helpers (startServer, tempDir, …): other packages' integration tests
 * run against an in-process server through them. Shipped code importing them is still
 * caught by not-to-test.
 */
const SERVER_TEST_HELPERS = '^packages/server/test/';

const S = '^packages/server/src/';
const DASH = '^packages/admin-dashboard/src/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ---- everywhere ---------------------------------------------------------------
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means neither module can be understood, tested or moved without the other: break it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency (and would hide layering violations).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-test',
      severity: 'error',
      comment: 'Shipped code, bench and tooling must not depend on test files or test/ folders: tests may be moved or deleted freely.',
      from: { pathNot: TEST },
      to: { path: TEST },
    },

    // ---- package direction --------------------------------------------------------
    {
      name: 'server-is-a-leaf',
      severity: 'error',
      comment:
        'The server is an application, not a library: other packages talk to it over HTTP (root bench/scripts/test/tools and tests via server/test helpers excepted).',
      from: { path: '^packages/', pathNot: '^packages/server/' },
      to: { path: '^packages/server/', pathNot: SERVER_TEST_HELPERS },
    },
    {
      name: 'contracts-imports-no-workspace-package',
      severity: 'error',
      comment: 'contracts is the bottom of the package graph: every other package depends on it, so it depends on none of them.',
      from: { path: '^packages/contracts/' },
      to: { path: '^packages/', pathNot: '^packages/contracts/' },
    },
    {
      name: 'redact-imports-only-contracts',
      severity: 'error',
      comment: 'redact is a self-contained PII library used by sdk, server and pipeline; at most it may use contracts.',
      from: { path: '^packages/redact/' },
      to: { path: '^packages/', pathNot: '^packages/(redact|contracts)/' },
    },
    {
      name: 'sdk-imports-only-contracts-redact',
      severity: 'error',
      comment: 'The SDK ships inside user pipelines: it may build on contracts and redact, never on server, pipeline or dashboard.',
      from: { path: '^packages/sdk/' },
      to: { path: '^packages/', pathNot: '^packages/(sdk|contracts|redact)/' },
    },
    {
      name: 'pipeline-imports-only-sdk-contracts-redact',
      severity: 'error',
      comment: 'The demo pipeline is an SDK user: it may use sdk, contracts and redact, not server or admin-dashboard internals.',
      from: { path: '^packages/pipeline/' },
      to: { path: '^packages/', pathNot: ['^packages/(pipeline|sdk|contracts|redact)/', SERVER_TEST_HELPERS] },
    },
    {
      name: 'dashboard-imports-only-contracts',
      severity: 'error',
      comment: 'The dashboard is a browser bundle that talks to the server over HTTP: only the contracts (types) are shared.',
      from: { path: '^packages/admin-dashboard/' },
      to: { path: '^packages/', pathNot: '^packages/(admin-dashboard|contracts)/' },
    },

    // ---- server layering ----------------------------------------------------------
    {
      name: 'server-kernel-is-ground-floor',
      severity: 'error',
      comment: 'kernel/ holds the primitives every layer uses (errors, ports, ids, seq): it must import nothing above it in server/src.',
      from: { path: `${S}kernel/` },
      to: { path: S, pathNot: `${S}kernel/` },
    },
    {
      name: 'server-routes-not-to-storage',
      severity: 'error',
      comment:
        'Routes reach data through the services/repositories the plugins decorate the app with, never storage/ directly (type-only imports allowed).',
      from: { path: `${S}routes/` },
      to: { path: `${S}storage/`, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'server-storage-bus-below-domains',
      severity: 'error',
      comment:
        'storage/ and bus/ are infrastructure under the domains: they must not know ingest, live, registry, alerts, routes, plugins, compose, cli or app.',
      from: { path: `${S}(storage|bus)/` },
      to: { path: `${S}((ingest|live|registry|alerts|routes|plugins|compose|cli)/|app\\.ts$)` },
    },
    {
      name: 'server-domains-below-http',
      severity: 'error',
      comment:
        'Domain modules are framework-free services: they must not import the HTTP layer (plugins, routes), the CLI or the entry points.',
      from: { path: `${S}(crypto|audit|access|retention|admin|ingest|live|registry|alerts)/` },
      to: { path: `${S}((plugins|routes|cli)/|(app|main)\\.ts$)` },
    },
    {
      name: 'server-compose-only-from-entry-points',
      severity: 'error',
      comment:
        'compose/ is the one composition root: only the entry points (app, main, cli), plugins and the writer thread may wire through it.',
      from: {
        path: S,
        pathNot: [`${S}compose/`, `${S}(app|main)\\.ts$`, `${S}(cli|plugins)/`, `${S}ingest/writer-thread\\.ts$`],
      },
      to: { path: `${S}compose/` },
    },

    // ---- dashboard ----------------------------------------------------------------
    {
      name: 'dashboard-features-independent',
      severity: 'error',
      comment:
        'A feature never imports another feature: what two share moves to components/ or lib/, a page of two domains is composed in app/.',
      from: { path: `${DASH}features/([^/]+)/` },
      to: { path: `${DASH}features/`, pathNot: `${DASH}features/$1/` },
    },
    {
      name: 'dashboard-shared-below-features',
      severity: 'error',
      comment: 'lib/ and components/ are shared by every feature, so they must not import features/ (or app/, which composes them).',
      from: { path: `${DASH}(lib|components)/` },
      to: { path: `${DASH}(features|app)/` },
    },
  ],

  options: {
    // npm packages appear in the graph but are not cruised into; build output, local data
    // directories and bench results are not code.
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '(^|/)(dist|data)/|^bench/results/' },
    moduleSystems: ['es6', 'cjs'],
    // Parse with the TypeScript compiler before compilation so `import type` is seen (and
    // labelled 'type-only') instead of being erased.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      // The repo imports with explicit .ts/.tsx extensions (allowImportingTsExtensions);
      // these also cover extension-less and .mjs/.js specifiers.
      extensions: ['.ts', '.tsx', '.d.ts', '.mjs', '.js', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
