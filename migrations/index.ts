import { Foundation1764300000000 } from './1764300000000-Foundation.js';

/** Every migration, oldest first. Listed explicitly so that the compiled app and the tests load the same set. */
export const MIGRATIONS = [Foundation1764300000000];
