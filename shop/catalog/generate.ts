/**
 * Deterministic catalog and customer data for seeding: the same seed gives the same shop,
 * so runs are comparable. Pure.
 */

export const categories = [
  "binoculars",
  "telescopes",
  "eyepieces",
  "mounts",
  "filters",
  "cameras",
  "books",
  "apparel",
  "footwear",
  "camping",
  "lighting",
  "accessories",
] as const;

const adjectives = [
  "Compact",
  "Deluxe",
  "Rugged",
  "Classic",
  "Ultra",
  "Pro",
  "Light",
  "Solar",
  "Polar",
  "Nebula",
];
const materials = [
  "Carbon",
  "Aluminium",
  "Bamboo",
  "Titanium",
  "Wool",
  "Steel",
  "Glass",
  "Canvas",
  "Cedar",
  "Nylon",
];
const nouns: Record<(typeof categories)[number], string[]> = {
  binoculars: ["Binoculars", "Monocular", "Field Glasses"],
  telescopes: ["Refractor", "Reflector", "Dobsonian", "Star Scope"],
  eyepieces: ["Eyepiece", "Barlow Lens", "Zoom Eyepiece"],
  mounts: ["Tripod", "Equatorial Mount", "Alt-Az Mount"],
  filters: ["Moon Filter", "Solar Filter", "Nebula Filter"],
  cameras: ["Astro Camera", "Guide Camera", "Trail Camera"],
  books: ["Star Atlas", "Field Guide", "Sky Almanac"],
  apparel: ["Jacket", "Beanie", "Gloves", "Hoodie"],
  footwear: ["Hiking Boots", "Trail Shoes", "Camp Slippers"],
  camping: ["Tent", "Sleeping Bag", "Camp Chair", "Stove"],
  lighting: ["Red Headlamp", "Lantern", "Flashlight"],
  accessories: ["Dew Heater", "Carry Case", "Power Tank", "Lens Cloth"],
};
const phrases = [
  "built for cold clear nights",
  "ready for the trail and the observatory",
  "with a lifetime warranty",
  "a favourite of amateur astronomers",
  "light enough to carry all day",
  "made to survive the peak season rush",
];

const pick = <T>(random: () => number, items: ReadonlyArray<T>): T =>
  items[Math.floor(random() * items.length)]!;

export interface NewProduct {
  sku: string;
  name: string;
  description: string;
  category: string;
  priceCents: number;
  currency: "USD";
  stock: number;
  imageUrl: string;
}

/** The `index`-th product of the catalog (0-based). */
export function generateProduct(index: number, random: () => number): NewProduct {
  const category = categories[index % categories.length]!;
  const name = `${pick(random, adjectives)} ${pick(random, materials)} ${pick(random, nouns[category])} ${100 + index}`;
  const sku = `PW-${String(index + 1).padStart(5, "0")}`;
  return {
    sku,
    name,
    description: `${name}: ${pick(random, phrases)}, ${pick(random, phrases)}.`,
    category,
    priceCents: 199 + Math.floor(random() * 99_800),
    currency: "USD",
    stock: 20 + Math.floor(random() * 480),
    imageUrl: `/static/products/${sku.toLowerCase()}.jpg`,
  };
}

const firstNames = [
  "Ada",
  "Grace",
  "Alan",
  "Edwin",
  "Vera",
  "Carl",
  "Henrietta",
  "Caroline",
  "Jocelyn",
  "Clyde",
];
const lastNames = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Hubble",
  "Rubin",
  "Sagan",
  "Leavitt",
  "Herschel",
  "Bell",
  "Tombaugh",
];
const streets = [
  "Orion Way",
  "Comet Lane",
  "Meridian Road",
  "Zenith Street",
  "Aurora Close",
  "Galaxy Avenue",
];

export interface NewCustomer {
  email: string;
  name: string;
  address: string;
  phone: string;
  paymentToken: string;
  last4: string;
}

/** Customer `n` (1-based) is `customer<n>@shop.test`, as the load generator expects. */
export function generateCustomer(n: number, random: () => number): NewCustomer {
  const last4 = String(Math.floor(random() * 10_000)).padStart(4, "0");
  return {
    email: `customer${n}@shop.test`,
    name: `${pick(random, firstNames)} ${pick(random, lastNames)}`,
    address: `${1 + Math.floor(random() * 400)} ${pick(random, streets)}, Springfield ${10_000 + n}`,
    phone: `+1-555-${String(Math.floor(random() * 10_000_000)).padStart(7, "0")}`,
    paymentToken: `tok_${Math.floor(random() * 2 ** 48).toString(16)}${n.toString(16)}`,
    last4,
  };
}
