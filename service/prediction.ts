import { spans } from '../generated/spans';
import type { InjuryStatus, PlayerRow } from './db';
import type { PlayerStats } from './stats-upstream';
import type { PredictionType } from './validation';

/** Share of a player's season average expected to show up, by injury status. */
const INJURY_FACTORS: Readonly<Record<InjuryStatus, number>> = {
  healthy: 1,
  questionable: 0.85,
  doubtful: 0.5,
  out: 0,
};

/** Games after which the season average is fully trusted. */
const FULL_SAMPLE_GAMES = 82;

export interface PredictionInput {
  readonly player: PlayerRow;
  readonly stats: PlayerStats;
}

export interface PredictionResult {
  readonly playerId: string;
  readonly predictionType: PredictionType;
  readonly value: number;
  readonly confidence: number;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function applyInjuryAdjustment(player: PlayerRow, average: number): number {
  return spans.applyInjuryAdjustment(
    { playerId: player.id, team: player.team, injuryStatus: player.injury_status },
    (span) => {
      const factor = INJURY_FACTORS[player.injury_status];
      span.setAttributes({ adjustmentFactor: factor });
      return round(average * factor, 1);
    },
  );
}

/** More games played, more trust; an uncertain injury status costs trust, `out` is certain. */
function calculateConfidence(player: PlayerRow, stats: PlayerStats): number {
  return spans.calculateConfidence({ playerId: player.id, gamesPlayed: stats.gamesPlayed }, (span) => {
    const sample = Math.min(stats.gamesPlayed, FULL_SAMPLE_GAMES) / FULL_SAMPLE_GAMES;
    const injuryPenalty = player.injury_status === 'questionable' ? 0.15 : player.injury_status === 'doubtful' ? 0.25 : 0;
    const confidence = player.injury_status === 'out' ? 0.99 : round(0.5 + 0.45 * sample - injuryPenalty, 3);
    span.setAttributes({ modelConfidence: confidence });
    return confidence;
  });
}

/** Runs the model for every player inside `calculate_prediction`; pure apart from the spans. */
export function calculatePredictions(
  inputs: readonly PredictionInput[],
  predictionType: PredictionType,
  modelVersion: string,
): PredictionResult[] {
  return spans.calculatePrediction(
    { playerCount: inputs.length, predictionType, sport: 'nba', modelVersion },
    (span) =>
      inputs.map(({ player, stats }) => {
        const value = applyInjuryAdjustment(player, stats[predictionType]);
        const confidence = calculateConfidence(player, stats);
        span.predictionGenerated({ playerId: player.id, predictedValue: value, confidence });
        return { playerId: player.id, predictionType, value, confidence };
      }),
  );
}
