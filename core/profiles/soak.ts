import type { ProfileInput } from "../profile.ts";

export const soak: ProfileInput = {
  name: "soak",
  description: "One hour at 16 fixed connections (closed model): leaks and slow drift show up here",
  stages: [{ duration: "1h", connections: 16 }],
  journeys: [
    {
      name: "catalog",
      steps: [
        { name: "products", path: "/api/products?page=1&pageSize=20" },
        { name: "categories", path: "/api/categories" },
        { name: "search", path: "/api/search?q=lamp&limit=10" },
      ],
    },
  ],
  thresholds: ["p99 < 1s", "error_rate < 0.5%"],
};
