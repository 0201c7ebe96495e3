// Lengths in characters (code points), as people count them, not UTF-16 units. Both run on
// every message: a string never has more characters than UTF-16 units, so only a long one is
// spread into its characters.

/** Whether `text` has more than `max` characters. */
export function longerThan(text: string, max: number): boolean {
  return text.length > max && [...text].length > max;
}

/** `text` cut to at most `max` characters, the last of them an ellipsis when it was cut. */
export function shortened(text: string, max: number): string {
  if (!longerThan(text, max)) return text;
  return [...text].slice(0, max - 1).join("") + "…";
}
