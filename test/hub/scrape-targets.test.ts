import { expect, it } from "vitest";
import { DEFAULT_PROJECT_ID } from "../../core/api/projects.ts";
import { componentDomains } from "../../db/domains.ts";
import { MAX_SCRAPE_TARGETS, ScrapeTargets } from "../../server/scraper/target-store.ts";
import { describeEachDatabase } from "../helpers/db.ts";

describeEachDatabase("scrape targets", componentDomains.hub, (db) => {
  it("simultaneous adds never take a project past its cap: the extra ones are refused, naming it", async () => {
    const targets = new ScrapeTargets(db().db);
    const adds = Array.from({ length: MAX_SCRAPE_TARGETS + 10 }, (_, i) =>
      targets.create(DEFAULT_PROJECT_ID, `http://127.0.0.1:9100/t${i}/metrics`, "ops@peakwatch.test"),
    );
    const settled = await Promise.allSettled(adds);
    const refused = settled.filter((s) => s.status === "rejected").map((s) => String(s.reason));
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(MAX_SCRAPE_TARGETS);
    expect(refused).toHaveLength(10);
    for (const reason of refused) expect(reason).toMatch(/at most 20 targets/);
    expect(await targets.list(DEFAULT_PROJECT_ID)).toHaveLength(MAX_SCRAPE_TARGETS);
  });
});
