import { spans } from '../generated/spans';
import type { StatsCache } from './stats-cache';
import { fetchPlayerStats } from './stats-client';
import type { PlayerStats } from './stats-upstream';

export interface StatsSource {
  readonly cache: StatsCache;
  readonly baseUrl: string;
  readonly timeoutMs: number;
}

/**
 * Stats for every player, in the given order: cached ones with a `cache_hit`
 * event, the rest fetched from the upstream in parallel after a `cache_miss`.
 * One failed fetch fails the whole step (and its span).
 */
export function loadPlayerStats(source: StatsSource, playerIds: readonly string[]): Promise<PlayerStats[]> {
  return spans.loadPlayerStats({ playerCount: playerIds.length }, async (span) => {
    let hits = 0;
    const pending = playerIds.map((playerId) => {
      const cached = source.cache.get(playerId);
      if (cached !== undefined) {
        hits += 1;
        span.cacheHit({ playerId });
        return Promise.resolve(cached);
      }
      span.cacheMiss({ playerId });
      return fetchPlayerStats(source.baseUrl, playerId, source.timeoutMs);
    });
    span.setAttributes({ cacheHits: hits, cacheMisses: playerIds.length - hits });
    const stats = await Promise.all(pending);
    stats.forEach((entry, index) => source.cache.set(playerIds[index]!, entry));
    return stats;
  });
}
