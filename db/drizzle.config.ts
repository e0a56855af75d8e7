import { defineConfig } from "drizzle-kit";

// One config per migration domain: DRIZZLE_DOMAIN=hub|alerting|shop (see db/domains.ts).
const domain = process.env.DRIZZLE_DOMAIN ?? "hub";

export default defineConfig({
  dialect: "postgresql",
  schema: `./db/schema/${domain}.ts`,
  out: `./db/migrations/${domain}`,
  casing: "snake_case",
});
