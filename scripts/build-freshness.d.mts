// Types for scripts/build-freshness.mjs (the scripts are plain Node modules; the tests are TypeScript).
export declare const STAMP_FILE: string;
export declare const OUTPUTS: readonly string[];
export declare function sourceFingerprint(root: string): Record<string, string>;
export declare function clearBuildStamp(root: string): void;
export declare function writeBuildStamp(root: string, files: Record<string, string>): void;
export declare function buildProblem(root: string): string | null;
export declare function ensureBuilt(root: string, who: string): { rebuilt: boolean; checkMs: number };
