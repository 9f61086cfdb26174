// Preloaded into test server processes (server-process.ts): when the test process goes away, its
// end of our stdin closes and the server exits too, so no server outlives a crashed, killed or
// filtered test run (afterAll does not run when every test of a file is filtered out).
const leave = () => process.exit(1);
process.stdin.on("end", leave);
process.stdin.on("close", leave);
process.stdin.resume();
