// Types of bin/bundle-state.mjs (for the tests).
export declare const ROOT: string;
/** null when dist/ is fresh; otherwise why not ("missing", or which source changed). */
export declare function staleness(root?: string): string | null;
