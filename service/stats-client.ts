import type { PlayerStats } from './stats-upstream';

/** The stats upstream failed, answered badly or did not answer in time: the API answers 502. */
export class UpstreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamError';
  }
}

const NUMERIC_FIELDS = ['gamesPlayed', 'minutes', 'points', 'rebounds', 'assists'] as const;

function isPlayerStats(value: unknown): value is PlayerStats {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.playerId === 'string' && NUMERIC_FIELDS.every((field) => Number.isFinite(record[field]));
}

/**
 * Fetches one player's season stats with the global `fetch` (traced by the
 * undici instrumentation as an HTTP client span). The timeout covers the
 * whole exchange, body included.
 */
export async function fetchPlayerStats(baseUrl: string, playerId: string, timeoutMs: number): Promise<PlayerStats> {
  const url = `${baseUrl}/api/espn/players/${encodeURIComponent(playerId)}`;
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new UpstreamError(`stats upstream answered ${response.status} for player ${playerId}`);
    }
    const body: unknown = await response.json();
    if (!isPlayerStats(body)) throw new UpstreamError(`stats upstream sent malformed stats for player ${playerId}`);
    return body;
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    if (error instanceof Error && error.name === 'TimeoutError') {
      throw new UpstreamError(`stats upstream did not answer within ${timeoutMs} ms for player ${playerId}`);
    }
    if (error instanceof SyntaxError) throw new UpstreamError(`stats upstream sent invalid JSON for player ${playerId}`);
    const cause = error instanceof Error ? ((error.cause as { code?: string } | undefined)?.code ?? error.message) : String(error);
    throw new UpstreamError(`stats upstream is unreachable (${cause})`);
  }
}
