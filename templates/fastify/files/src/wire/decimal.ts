// Exact decimals on BigInt: `units / 10^scale`. Money never passes through a float, so the
// service, PostgreSQL's numeric and every other stack agree to the last digit.

export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** As PostgreSQL's numeric(38, s): more digits than this is an overflow. */
export const MAX_DIGITS = 38;
const LIMIT = 10n ** BigInt(MAX_DIGITS);

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

export class DecimalOverflow extends Error {
  constructor() {
    super("decimal overflow");
    this.name = "DecimalOverflow";
  }
}

function checked(d: Decimal): Decimal {
  if ((d.units < 0n ? -d.units : d.units) >= LIMIT) throw new DecimalOverflow();
  return d;
}

/** `12.50`, `-3`, `007.1`; the scale is the number of digits after the point. Undefined if malformed. */
export function parseDecimal(text: string): Decimal | undefined {
  if (!DECIMAL_TEXT.test(text)) return undefined;
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  const [int = "", frac = ""] = body.split(".");
  if (frac.length > MAX_DIGITS) return undefined;
  const units = BigInt(int + frac);
  const d = { units: negative ? -units : units, scale: frac.length };
  return (units < 0n ? -units : units) >= LIMIT ? undefined : d;
}

/** A decimal written in the source, such as a manifest bound; malformed text is a bug. */
export function decimalLiteral(text: string): Decimal {
  const d = parseDecimal(text);
  if (d === undefined) throw new TypeError(`not a decimal literal: ${text}`);
  return d;
}

export function fromInteger(i: bigint): Decimal {
  return checked({ units: i, scale: 0 });
}

export function rescale(d: Decimal, scale: number): Decimal {
  if (scale < d.scale) throw new RangeError("rescale would drop digits");
  return checked({ units: d.units * 10n ** BigInt(scale - d.scale), scale });
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [rescale(a, scale).units, rescale(b, scale).units, scale];
}

export function add(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = aligned(a, b);
  return checked({ units: x + y, scale });
}

export function sub(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = aligned(a, b);
  return checked({ units: x - y, scale });
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return checked({ units: a.units * b.units, scale: a.scale + b.scale });
}

export function neg(a: Decimal): Decimal {
  return { units: -a.units, scale: a.scale };
}

/** Compares by value: `1000.00` equals `1000`. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = a.units * 10n ** BigInt(scale - a.scale);
  const y = b.units * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Canonical text at the value's own scale: `12.50`, `-0.01`, `0`. */
export function formatDecimal(d: Decimal): string {
  const negative = d.units < 0n;
  const digits = (negative ? -d.units : d.units).toString().padStart(d.scale + 1, "0");
  const text = d.scale === 0 ? digits : `${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`;
  return negative ? `-${text}` : text;
}

/** Decimal text at exactly `scale` digits after the point (`12.5` at scale 2 is `12.50`). */
export function atScale(text: string, scale: number): string {
  const d = parseDecimal(text);
  if (d === undefined) throw new RangeError(`not a decimal: ${text}`);
  return formatDecimal(rescale(d, scale));
}
