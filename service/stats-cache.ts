import type { PlayerStats } from './stats-upstream';

/** Upstream stats kept in memory for `ttlMs`; the oldest entry goes once `maxEntries` is reached. */
export class StatsCache {
  private readonly entries = new Map<string, { readonly stats: PlayerStats; readonly expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  get(playerId: string): PlayerStats | undefined {
    const entry = this.entries.get(playerId);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(playerId);
      return undefined;
    }
    return entry.stats;
  }

  set(playerId: string, stats: PlayerStats): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(playerId);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(playerId, { stats, expires: this.now() + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
