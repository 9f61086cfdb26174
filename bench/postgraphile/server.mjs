// Benchmark peer (d): PostGraphile V5 serving Simgate's PostgreSQL tables as they are (no auth,
// no limits, no Simgate code). Run by bench/http.ts on Node.js 24; prints `{"port":N}` once
// listening. Env: DATABASE_URL, PORT (0 picks one), POOL_SIZE (default 10, as Simgate's).
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"], poolConfig: { max: Number(process.env.POOL_SIZE ?? 10) } })],
  grafserv: { graphqlPath: "/graphql", graphiql: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
const stop = () => {
  server.close();
  void pgl.release().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
