// The benchmark's servers in processes of their own (Simgate, PostGraphile, yoga over the same
// SQL): each prints a JSON line with its port once it listens.
import type { ChildProcess } from "node:child_process";

/** The port in the first line of the child's output that `isPortLine` accepts; refused if the child exits first. */
export function listeningPort(child: ChildProcess, name: string, isPortLine: (line: string) => boolean): Promise<number> {
  return new Promise<number>((done, fail) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n").find(isPortLine);
      if (line) done((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => fail(new Error(`${name} exited ${code}: ${out}`)));
  });
}

/** SIGTERM, then the child's exit (at once if it has already exited). */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}
