// Prisma CLI configuration. The CLI is used only for `generate` (see scripts/prisma-generate.ts);
// migrations are written and applied by the project's own scripts, without the native engine.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
});
