/** The arguments after `node` in package.json's "start" script (cwd: the repository root). */
export function startArgs(): string[];
