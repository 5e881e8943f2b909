// What the replay charts share: axis ticks, and labels laid out in rows so that none overlaps another.

export interface Scale {
  /** The axis's range, widened to whole ticks. */
  readonly min: number
  readonly max: number
  readonly ticks: ReadonlyArray<number>
  /** Decimals a tick label needs at this step. */
  readonly decimals: number
}

/** An axis from `min` to `max` widened to round ticks, about `count` of them. */
export const scale = (min: number, max: number, count = 6): Scale => {
  const span = max - min
  if (!(span > 0)) return { min, max: min + 1, ticks: [min], decimals: 0 }
  const raw = span / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw * 0.999) ?? 10 * power
  const from = Math.floor(min / step + 1e-9) * step
  const to = Math.ceil(max / step - 1e-9) * step
  const ticks: Array<number> = []
  for (let i = 0; from + i * step <= to + step * 1e-9; i++) ticks.push(Number((from + i * step).toPrecision(12)))
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (String(step / power).includes(".") ? 1 : 0))
  return { min: from, max: to, ticks, decimals }
}

export const tickLabel = (value: number, decimals: number): string =>
  value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals })

/** Roughly how wide `text` is at the charts' 12 px label size. */
export const textWidth = (text: string): number => text.length * 6.6

export interface Placed<T> {
  readonly item: T
  readonly row: number
  /** Where the text starts (`start`) or ends (`end`). */
  readonly x: number
  readonly anchor: "start" | "end"
}

/**
 * Puts each label in the first row where it overlaps no label already there: to the right of its point, or to
 * its left when it would run past `right`. Rows count from 0, nearest the point.
 */
export const placeLabels = <T>(
  items: ReadonlyArray<T>,
  at: (item: T) => number,
  text: (item: T) => string,
  left: number,
  right: number
): { readonly placed: ReadonlyArray<Placed<T>>; readonly rows: number } => {
  const rows: Array<Array<readonly [number, number]>> = []
  const placed: Array<Placed<T>> = []
  for (const item of [...items].sort((a, b) => at(a) - at(b))) {
    const x = at(item)
    const width = textWidth(text(item))
    const anchor = x + 4 + width > right && x - 4 - width >= left ? "end" : "start"
    const from = anchor === "start" ? x - 2 : x - 6 - width
    const to = anchor === "start" ? x + 6 + width : x + 2
    let row = rows.findIndex((taken) => taken.every(([a, b]) => to <= a || from >= b))
    if (row === -1) row = rows.push([]) - 1
    rows[row]!.push([from, to])
    placed.push({ item, row, x: anchor === "start" ? x + 4 : x - 4, anchor })
  }
  return { placed, rows: rows.length }
}
