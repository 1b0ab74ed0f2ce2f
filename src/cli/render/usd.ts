/** Dollars with the precision a $0.0001 price needs, without trailing zeros past the cents: $0.0233, $1.50. */
export function formatUsd(amount: number): string {
  return `$${amount.toFixed(4).replace(/0{1,2}$/, "")}`;
}
