import { ApiError } from './errors';

export const PREDICTION_TYPES = ['points', 'rebounds', 'assists'] as const;
export type PredictionType = (typeof PREDICTION_TYPES)[number];

export const MAX_PLAYER_IDS = 50;
/** Largest accepted request body, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
const PLAYER_ID = /^[0-9]{1,10}$/;

export interface PredictionRequest {
  readonly playerIds: readonly string[];
  readonly predictionType: PredictionType;
}

function invalid(code: string, message: string, field: string | null): ApiError {
  return new ApiError(400, code, message, field);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** Checks the body of `POST /api/v1/nba/predictions`; throws a 400 `ApiError` naming the field. */
export function parsePredictionRequest(body: unknown): PredictionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('invalid_body', `request body must be a JSON object, got ${body === '' ? 'nothing' : describe(body)}`, null);
  }
  const { playerIds, predictionType } = body as Record<string, unknown>;

  if (playerIds === undefined) throw invalid('required', 'playerIds is required', 'playerIds');
  if (!Array.isArray(playerIds)) {
    throw invalid('invalid_type', `playerIds must be an array of strings, got ${describe(playerIds)}`, 'playerIds');
  }
  if (playerIds.length === 0 || playerIds.length > MAX_PLAYER_IDS) {
    throw invalid(
      'invalid_length',
      `playerIds must have 1 to ${MAX_PLAYER_IDS} entries, got ${playerIds.length}`,
      'playerIds',
    );
  }
  const seen = new Set<string>();
  playerIds.forEach((id: unknown, index) => {
    const field = `playerIds[${index}]`;
    if (typeof id !== 'string') throw invalid('invalid_type', `${field} must be a string, got ${describe(id)}`, field);
    if (!PLAYER_ID.test(id)) {
      throw invalid('invalid_value', `${field} must be a numeric NBA player id of 1 to 10 digits`, field);
    }
    if (seen.has(id)) throw invalid('duplicate_value', `${field} repeats player "${id}"`, field);
    seen.add(id);
  });

  if (predictionType === undefined) throw invalid('required', 'predictionType is required', 'predictionType');
  if (typeof predictionType !== 'string') {
    throw invalid('invalid_type', `predictionType must be a string, got ${describe(predictionType)}`, 'predictionType');
  }
  if (!(PREDICTION_TYPES as readonly string[]).includes(predictionType)) {
    throw invalid(
      'invalid_value',
      `predictionType must be one of ${PREDICTION_TYPES.join(', ')}, got ${JSON.stringify(predictionType.slice(0, 40))}`,
      'predictionType',
    );
  }
  return { playerIds: playerIds as string[], predictionType: predictionType as PredictionType };
}

/** Maps a body-parser failure (co-body / raw-body) to the 400 the contract promises. */
export function bodyParseError(error: unknown): ApiError {
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  if (type === 'entity.too.large') {
    return invalid('body_too_large', `request body must be at most ${MAX_BODY_BYTES} bytes`, null);
  }
  if (error instanceof SyntaxError) {
    return invalid('invalid_json', `request body is not valid JSON: ${error.message}`, null);
  }
  // inflation (an unknown Content-Encoding) throws a bare Error with status 415 and no type.
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  if (type === 'encoding.unsupported' || type === 'charset.unsupported' || status === 415) {
    return invalid('unsupported_encoding', 'request body encoding is not supported', null);
  }
  return invalid('invalid_body', 'request body could not be read', null);
}
