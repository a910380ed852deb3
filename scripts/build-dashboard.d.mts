/** Builds the dashboard as users get it (NODE_ENV=production); see build-dashboard.mjs. */
export function buildDashboard(): void;
