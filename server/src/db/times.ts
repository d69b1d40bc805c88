/** The database keeps times as epoch milliseconds (SQLite cannot bind a Date); the API speaks ISO 8601. */
export const iso = (ms: number): string => new Date(ms).toISOString();
