// The example frontend's one screen: `npx tsx examples/dashboard.ts [url] [token]` against a
// running gateway (defaults: http://localhost:4000/graphql and the simulator's demo-token).
import { pathToFileURL } from 'node:url';
import { execute, type SmsGraphClientOptions } from './client.js';
import { DashboardOverviewDocument, type DashboardOverviewQuery } from './generated/graphql.js';

/** The dashboard's numbers, or the gateway's error code (e.g. `FORBIDDEN`). */
export type Dashboard =
  | { readonly ok: true; readonly overview: NonNullable<DashboardOverviewQuery['sourceOverview']> }
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * Loads the dashboard for one caller.
 *
 *     const dashboard = await loadDashboard({ url, token: 'demo-token' });
 */
export async function loadDashboard(options: SmsGraphClientOptions): Promise<Dashboard> {
  const { data, errors } = await execute(options, DashboardOverviewDocument);
  const overview = data?.sourceOverview;
  if (overview != null) return { ok: true, overview };
  const error = errors[0];
  return {
    ok: false,
    code: error?.extensions?.code ?? 'NO_DATA',
    message: error?.message ?? 'no overview and no error',
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [url = 'http://localhost:4000/graphql', token = 'demo-token'] = process.argv.slice(2);
  const dashboard = await loadDashboard({ url, token, persisted: process.env.PERSISTED === 'true' });
  process.stdout.write(`${JSON.stringify(dashboard, null, 2)}\n`);
}
