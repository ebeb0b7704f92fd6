/**
 * The POST bodies the load cycles through: mostly one player, some small
 * groups, a few larger slates, over all three prediction types and 24 of the
 * seeded players. Every body is sent once before a measured run, so the
 * measured requests are cache hits (players in the stats cache).
 */
import { SEED_PLAYERS } from '../../service/db/seed-players';
import { PREDICTION_TYPES } from '../../service/validation';

export const PREDICTIONS_PATH = '/api/v1/nba/predictions';

/** Players per request, in the order the load sends them (sums to a realistic mix: 1 player in half of them). */
const SIZES = [1, 1, 3, 1, 2, 1, 5, 1, 2, 1, 10, 1];

export function predictionBodies(): string[] {
  const ids = SEED_PLAYERS.slice(0, 24).map((player) => player.id);
  let next = 0;
  return SIZES.map((size, index) => {
    const playerIds = Array.from({ length: size }, () => ids[next++ % ids.length]!);
    return JSON.stringify({ playerIds, predictionType: PREDICTION_TYPES[index % PREDICTION_TYPES.length] });
  });
}

/** Mean players per request in the mix, for the report. */
export function meanPlayersPerRequest(): number {
  return SIZES.reduce((sum, size) => sum + size, 0) / SIZES.length;
}
